"""The orders and provisioning API: the same flows as the pages, with the problem format on errors."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from partnerhub.marketplace.provisioning.sample_service import SampleService
from partnerhub.marketplace.services import provisioning

from .order_builders import live_listing


@pytest.fixture
def sample(settings):
    settings.PROVISIONING_ALLOW_PRIVATE_NETWORKS = True
    with SampleService() as service:
        yield service


def test_order_change_cancel_and_a_dead_letter_retried_through_the_api(world, api, sample):
    listing = live_listing(world, api_url=sample.base_url)
    customer = api(world.customer_admin)
    body = {"listing_id": listing.pk, "plan": "standard", "customer_id": world.customer.pk, "quantities": {"seats": 2}}
    bad = customer.post("/marketplace/storefronts/ru/orders", {**body, "quantities": {"seats": -1}})
    assert bad.status_code == 422 and "quantities.seats" in str(bad.json())
    sample.failures = {"error500": set()}
    r = customer.post("/marketplace/storefronts/ru/orders", body)
    assert r.status_code == 201, r.content
    sub = r.json()
    assert sub["status"] == "pending" and sub["recurring_amount"] in ("1600.00", 1600.0, "1600")
    [req] = sub["requests"]
    for day in range(6):  # every attempt fails; the retries are days apart at the latest
        provisioning.process_due(now=timezone.now() + timedelta(days=day))
    vendor = api(world.b_admin)
    failed = vendor.get(f"/marketplace/provisioning-requests/{req['id']}").json()
    assert failed["status"] == "failed" and failed["call_log"]
    assert customer.get(f"/marketplace/subscriptions/{sub['id']}").json()["billable"] is False
    assert customer.post(f"/marketplace/provisioning-requests/{req['id']}/retry").status_code == 403
    sample.failures = {}
    assert vendor.post(f"/marketplace/provisioning-requests/{req['id']}/retry").json()["status"] == "pending"
    provisioning.process_due()
    assert customer.get(f"/marketplace/subscriptions/{sub['id']}").json()["status"] == "active"
    change = customer.post(f"/marketplace/subscriptions/{sub['id']}/change", {"quantities": {"seats": 3}})
    assert change.status_code == 202 and change.json()["kind"] == "change"
    again = customer.post(f"/marketplace/subscriptions/{sub['id']}/change", {"quantities": {"seats": 4}})
    assert again.status_code == 422  # one open request at a time
    provisioning.process_due()
    assert customer.post(f"/marketplace/subscriptions/{sub['id']}/cancel").json()["status"] == "terminating"
    provisioning.process_due()
    assert customer.get(f"/marketplace/subscriptions/{sub['id']}").json()["status"] == "terminated"
    listed = customer.get("/marketplace/subscriptions").json()["items"]
    assert [s["id"] for s in listed] == [sub["id"]]
    assert api(world.a_admin).get("/marketplace/subscriptions").json()["items"] == []
    assert api(world.a_admin).get("/marketplace/provisioning-requests").json()["items"] == []


def test_the_manual_path_and_a_partners_customer_through_the_api(world, api):
    listing = live_listing(world)
    partner = api(world.a_admin)
    c = partner.post(
        f"/marketplace/organisations/{world.partner_a.pk}/customers", {"name": "ООО К", "inn": "7707083893"}
    )
    assert c.status_code == 201, c.content
    body = {"listing_id": listing.pk, "plan": "standard", "customer_id": c.json()["id"],
            "partner_id": world.partner_a.pk, "quantities": {"seats": 1}}  # fmt: skip
    r = partner.post("/marketplace/storefronts/kz/orders", body)
    assert r.status_code == 201, r.content
    req = r.json()["requests"][0]
    vendor = api(world.b_admin)
    assert [
        x["id"] for x in vendor.get("/marketplace/provisioning-requests?mode=manual&open_only=true").json()["items"]
    ] == [req["id"]]
    assert (
        vendor.post(f"/marketplace/provisioning-requests/{req['id']}/ask", {"question": "Domain?"}).json()["status"]
        == "inquiring"
    )
    assert (
        partner.post(f"/marketplace/provisioning-requests/{req['id']}/answer", {"answer": "k.example"}).json()["status"]
        == "pending"
    )
    done = vendor.post(f"/marketplace/provisioning-requests/{req['id']}/complete", {"parameters": {"Login": "k1"}})
    assert done.json()["status"] == "approved"
    sub = partner.get(f"/marketplace/subscriptions/{r.json()['id']}").json()
    assert sub["status"] == "active" and sub["parameters"] == {"Login": "k1"} and sub["currency"] == "KZT"
    assert api(world.customer_admin).get(f"/marketplace/subscriptions/{sub['id']}").status_code == 404
