"""The order, subscription, customer and provisioning pages (server-rendered forms over the services)."""

from __future__ import annotations

import pytest
from django.test import Client

from partnerhub.marketplace.models import ProvisioningRequest, Subscription
from partnerhub.marketplace.provisioning.sample_service import SampleService
from partnerhub.marketplace.services import provisioning

from .order_builders import live_listing


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def sample(settings):
    settings.PROVISIONING_ALLOW_PRIVATE_NETWORKS = True
    with SampleService() as service:
        yield service


def test_a_customer_orders_changes_and_cancels_through_the_pages(world, sample):
    listing = live_listing(world, api_url=sample.base_url)
    customer = _client(world.customer_admin)
    page = customer.get(f"/store/ru/listings/{listing.pk}/")
    assert f"/store/ru/listings/{listing.pk}/order/standard/" in page.content.decode()
    url = f"/store/ru/listings/{listing.pk}/order/standard/"
    assert customer.get(url).status_code == 200
    bad = customer.post(url, {"quantities.seats": "-1"})
    assert bad.status_code == 200 and "quantities.seats" in bad.context["form"].errors
    done = customer.post(url, {"quantities.seats": "2"})
    sub = Subscription.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/subscriptions/{sub.pk}/"
    provisioning.process_due()
    detail = customer.get(f"/subscriptions/{sub.pk}/")
    assert detail.status_code == 200 and "change-form" in detail.content.decode()
    assert customer.post(f"/subscriptions/{sub.pk}/", {"action": "change", "plan": "standard",
                                                        "quantities.seats": "4"}).status_code == 302  # fmt: skip
    provisioning.process_due()
    sub.refresh_from_db()
    assert sub.quantities == {"seats": 4}
    customer.post(f"/subscriptions/{sub.pk}/", {"action": "cancel"})
    provisioning.process_due()
    sub.refresh_from_db()
    assert sub.status == Subscription.Status.TERMINATED
    assert customer.get("/subscriptions/").status_code == 200


def test_other_customers_and_vendors_get_404(world, sample):
    listing = live_listing(world, api_url=sample.base_url)
    _client(world.customer_admin).post(f"/store/ru/listings/{listing.pk}/order/standard/", {"quantities.seats": "1"})
    sub = Subscription.objects.get()
    req = sub.requests.get()
    other = world.member(world.partner_a, "partner_admin")
    for url in (f"/subscriptions/{sub.pk}/", f"/marketplace/provisioning/{req.pk}/"):
        assert _client(other).get(url).status_code == 404
    assert _client(world.b_admin).get(f"/marketplace/provisioning/{req.pk}/").status_code == 200


def test_the_manual_path_through_the_vendor_portal(world):
    listing = live_listing(world)
    _client(world.customer_admin).post(f"/store/kz/listings/{listing.pk}/order/standard/", {"quantities.seats": "1"})
    req = ProvisioningRequest.objects.get()
    vendor = _client(world.b_admin)
    assert str(req.pk) in vendor.get("/marketplace/provisioning/").content.decode()
    vendor.post(f"/marketplace/provisioning/{req.pk}/", {"action": "take"})
    bad = vendor.post(f"/marketplace/provisioning/{req.pk}/", {"action": "complete", "parameters": "no equals"})
    assert bad.status_code == 200 and bad.context["complete_form"].errors
    vendor.post(f"/marketplace/provisioning/{req.pk}/", {"action": "complete", "parameters": "Login = c1"})
    req.refresh_from_db()
    assert req.status == "approved" and req.subscription.parameters == {"Login": "c1"}


def test_a_partner_registers_a_customer_and_orders_for_it(world, sample):
    listing = live_listing(world, api_url=sample.base_url)
    partner = _client(world.a_admin)
    assert partner.post("/marketplace/customers/", {"name": "ООО Клиент", "inn": "7707083893"}).status_code == 302
    from partnerhub.marketplace.models import CustomerLink

    link = CustomerLink.objects.get()
    partner.post(f"/store/ru/listings/{listing.pk}/order/standard/",
                 {"customer": str(link.customer_id), "quantities.seats": "1"})  # fmt: skip
    sub = Subscription.objects.get()
    assert sub.partner == world.partner_a and sub.customer == link.customer
