"""Demo orders: the demo customer's subscription provisioned through the sample vendor service, and a
partner's order for its customer waiting as a manual task in the vendor's portal.

Idempotent: nothing is ordered for a customer that already holds a subscription.
"""

from __future__ import annotations

from partnerhub.identity.models import Organisation, User

from .models import CustomerLink, ListingText, ListingVersion, Storefront, Subscription
from .provisioning.sample_service import SampleService
from .services import orders, provisioning

PARTNER_CUSTOMER = {"name": "ООО «Демо Ритейл»", "inn": "7707083893", "email": "it@demo-retail.example"}


def _live(name: str) -> ListingVersion | None:
    text = ListingText.objects.filter(name=name, version__status=ListingVersion.Status.LIVE).first()
    return text.version if text else None


def _sample_provisioned(admin: User, customer: Organisation, ru: Storefront, token: str) -> None:
    """The customer orders the Cloud CRM (vendor API); the sample service on a free loopback port provisions it."""
    version = _live("Облачная CRM")
    if version is None or Subscription.objects.filter(customer=customer).exists():
        return
    sub = orders.order_place(actor=admin, storefront=ru, listing_id=version.listing_id, plan_code="standard",
                             customer=customer, quantities={"seats": 5})  # fmt: skip
    with SampleService(token=token) as service:
        # The conformance check ran against another (stopped) instance: point the live version at this one.
        ListingVersion.objects.filter(pk=version.pk).update(provisioning_url=service.base_url)
        provisioning.process_request(sub.requests.get().pk, allow_private=True)


def _manual_for_partner_customer(partner_admin: User, partner: Organisation, ru: Storefront) -> None:
    """The partner orders the API Gateway (manual provisioning) for its customer: a task in the vendor's queue."""
    version = _live("API-шлюз")
    if version is None:
        return
    link = CustomerLink.objects.filter(partner=partner, customer__inn=PARTNER_CUSTOMER["inn"]).first()
    if link is None:
        if Organisation.objects.filter(inn=PARTNER_CUSTOMER["inn"]).exists():
            return
        link = orders.partner_customer_create(actor=partner_admin, partner=partner, **PARTNER_CUSTOMER)
    if Subscription.objects.filter(customer=link.customer).exists():
        return
    orders.order_place(actor=partner_admin, storefront=ru, listing_id=version.listing_id, plan_code="payg",
                       customer=link.customer, partner=partner, quantities={})  # fmt: skip


def load_demo_orders(token: str) -> None:
    ru = Storefront.objects.filter(code="ru").first()
    customer_admin = User.objects.filter(email="admin@customer.demo").first()
    partner_admin = User.objects.filter(email="admin@alpha.demo").first()
    if ru is None:
        return
    if customer_admin is not None:
        customer = Organisation.objects.filter(memberships__user=customer_admin, kind="customer").first()
        if customer is not None:
            _sample_provisioned(customer_admin, customer, ru, token)
    if partner_admin is not None:
        partner = Organisation.objects.filter(memberships__user=partner_admin, kind="partner").first()
        if partner is not None:
            _manual_for_partner_customer(partner_admin, partner, ru)
