"""Orders in a real browser: a customer orders, the sample vendor service provisions it, the customer upgrades and
cancels; a provisioning failure lands in the dead letter and an operator recovers it; the manual path end to end.

Needs /usr/bin/chromium (``make test`` installs it through scripts/ensure-chromium).
"""

import pytest

from partnerhub.marketplace.models import ProvisioningRequest, Subscription
from partnerhub.marketplace.provisioning.sample_service import SampleService

from .browser import click_through
from .order_builders import live_listing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def sample(settings):
    settings.PROVISIONING_ALLOW_PRIVATE_NETWORKS = True
    settings.MARKETPLACE_PROVISIONING_MAX_ATTEMPTS = 1  # the first failure is the dead letter
    with SampleService() as service:
        yield service


def _order(page, listing, plan, storefront="ru", seats="2"):
    page.goto(f"/store/{storefront}/listings/{listing.pk}/")
    click_through(page, f"[data-testid=order-{plan}]")
    page.fill("[name='quantities.seats']", seats)
    click_through(page, "[data-testid=place-order]")


def test_order_upgrade_cancel_a_recovered_failure_and_the_manual_path(world, open_as, sample):
    listing = live_listing(world, api_url=sample.base_url)
    customer = open_as(world.customer_admin)
    _order(customer, listing, "standard")
    assert customer.inner_text("[data-testid=subscription-status]") == "Active"  # provisioned by the sample service
    sub = Subscription.objects.get()
    assert sample.subscriptions_of(sub.vendor_customer_id)[0]["quantities"] == {"seats": 2}
    # upgrade: more seats, prorated, provisioned
    customer.fill("[data-testid=change-form] [name='quantities.seats']", "5")
    click_through(customer, "[data-testid=change-form] button[type=submit]")
    assert customer.inner_text("[data-testid=subscription-quantities]") == "Seats: 5"
    assert sample.subscriptions_of(sub.vendor_customer_id)[0]["quantities"] == {"seats": 5}
    # cancel
    click_through(customer, "[data-testid=cancel]")
    assert customer.inner_text("[data-testid=subscription-status]") == "Terminated"
    assert sample.subscriptions_of(sub.vendor_customer_id)[0]["status"] == "cancelled"

    # a provisioning failure: the vendor's API answers 500, the request is failed and nothing is billed
    sample.failures = {"error500": set()}
    _order(customer, listing, "standard", seats="1")
    assert customer.inner_text("[data-testid=subscription-status]") == "Being provisioned"
    req = ProvisioningRequest.objects.filter(kind="create").latest("pk")
    assert req.status == "failed" and not req.subscription.billable
    operator = open_as(world.vendor_admin)
    operator.goto("/marketplace/provisioning/?status=failed")
    click_through(operator, f"a[href='/marketplace/provisioning/{req.pk}/']")
    assert "500" in operator.inner_text("[data-testid=request-error]")
    sample.failures = {}
    click_through(operator, "[data-testid=retry]")
    assert operator.inner_text("[data-testid=request-status]") == "Done"
    customer.goto(f"/subscriptions/{req.subscription_id}/")
    assert customer.inner_text("[data-testid=subscription-status]") == "Active"

    # the manual path: partner A's listing is provisioned by hand
    manual = live_listing(world, world.partner_a)
    _order(customer, manual, "standard", storefront="kz", seats="3")
    assert customer.inner_text("[data-testid=subscription-status]") == "Being provisioned"
    task = ProvisioningRequest.objects.filter(mode="manual").get()
    vendor = open_as(world.a_admin)
    vendor.goto("/marketplace/provisioning/")
    click_through(vendor, f"a[href='/marketplace/provisioning/{task.pk}/']")
    click_through(vendor, "[data-testid=take]")
    vendor.fill("[data-testid=complete-form] [name=parameters]", "Login = c1\nAddress = https://crm.example/c1")
    click_through(vendor, "[data-testid=complete-form] button[type=submit]")
    assert vendor.inner_text("[data-testid=request-status]") == "Done"
    customer.goto(f"/subscriptions/{task.subscription_id}/")
    assert customer.inner_text("[data-testid=subscription-status]") == "Active"
    assert "Login: c1" in customer.content()
