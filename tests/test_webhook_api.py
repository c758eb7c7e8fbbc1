"""Webhooks through the API and the pages: endpoints, deliveries, redelivery, permissions."""

from __future__ import annotations

import pytest
from django.utils import timezone

from partnerhub.core.models import AuditEntry
from partnerhub.webhooks import services, signing
from partnerhub.webhooks.events import EVENT_TYPES, TEST_EVENT
from partnerhub.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.test_webhooks import S, endpoint, receiver  # noqa: F401

pytestmark = pytest.mark.django_db


# ------------------------------------------------------------------------------- API


def test_api_endpoint_lifecycle(world, api, receiver, django_capture_on_commit_callbacks):
    client = api(world.a_admin)
    r = client.post("/webhooks/endpoints", {"url": receiver.url(), "event_types": ["deal.won", "deal.registered"],
                                            "description": "CRM"})  # fmt: skip
    assert r.status_code == 201, r.content
    created = r.json()
    secret = created["secret"]
    assert secret.startswith("whsec_") and created["secret_hint"] == secret[:10]
    assert created["organisation_id"] == world.partner_a.pk
    assert created["event_types"] == ["deal.registered", "deal.won"]
    ep_id = created["id"]

    got = client.get(f"/webhooks/endpoints/{ep_id}")
    assert got.status_code == 200 and "secret" not in got.json() and secret not in got.content.decode()
    assert secret not in client.get("/webhooks/endpoints").content.decode()
    assert [e["id"] for e in client.get("/webhooks/endpoints").json()["items"]] == [ep_id]

    r = client.patch(f"/webhooks/endpoints/{ep_id}", {"event_types": ["*"], "description": "All"})
    assert r.status_code == 200 and r.json()["event_types"] == ["*"]

    r = client.post(f"/webhooks/endpoints/{ep_id}/rotate-secret")
    assert r.status_code == 200
    new_secret = r.json()["secret"]
    assert new_secret != secret and r.json()["secret_rotated_at"]
    assert WebhookEndpoint.objects.get(pk=ep_id).secret == new_secret

    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(f"/webhooks/endpoints/{ep_id}/test")
    assert r.status_code == 202 and r.json()["event_type"] == TEST_EVENT
    # (here the send runs when the captured callbacks do, after the answer; see the transactional test below)
    sent = WebhookDelivery.objects.get(pk=r.json()["id"])
    assert sent.status == S.SUCCEEDED and sent.last_response_status == 200
    h = receiver.requests[-1]["headers"]
    assert h["X-Partnerhub-Event"] == TEST_EVENT
    assert signing.verify(secret=new_secret, timestamp=h["X-Partnerhub-Timestamp"], body=receiver.requests[-1]["body"],
                          header=h["X-Partnerhub-Signature"])  # fmt: skip
    test_delivery = r.json()["id"]

    with django_capture_on_commit_callbacks(execute=True):
        services.publish_event(event_type="deal.won", organisation_ids=[world.partner_a.pk], payload={"id": 1})
    log = client.get(f"/webhooks/endpoints/{ep_id}/deliveries").json()
    assert log["count"] == 2 and {i["event_type"] for i in log["items"]} == {TEST_EVENT, "deal.won"}
    only = client.get(f"/webhooks/endpoints/{ep_id}/deliveries?event_type=deal.won&status=succeeded").json()
    assert [i["event_type"] for i in only["items"]] == ["deal.won"]
    today = timezone.localdate().isoformat()
    assert client.get(f"/webhooks/endpoints/{ep_id}/deliveries?since={today}&until={today}").json()["count"] == 2
    assert client.get(f"/webhooks/endpoints/{ep_id}/deliveries?status=nonsense").status_code == 422
    won = only["items"][0]

    detail = client.get(f"/webhooks/deliveries/{won['id']}").json()
    assert detail["payload"]["data"] == {"id": 1} and detail["attempt_log"][0]["status"] == 200

    receiver.statuses = [500]
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(f"/webhooks/deliveries/{won['id']}/redeliver")
    assert r.status_code == 202
    again = r.json()
    assert again["event_id"] == won["event_id"] and again["delivery_id"] != won["delivery_id"]
    assert again["redelivery_of_id"] == won["id"] and again["manual"]
    again = client.get(f"/webhooks/deliveries/{again['id']}").json()
    assert again["status"] == "dead" and again["last_response_status"] == 500  # one attempt, no retries
    assert receiver.bodies()[-1] == receiver.bodies()[-2]  # the same body
    assert WebhookEndpoint.objects.get(pk=ep_id).consecutive_dead == 0  # manual sends do not count

    assert client.delete(f"/webhooks/endpoints/{ep_id}").status_code == 204
    assert client.get(f"/webhooks/endpoints/{ep_id}").status_code == 404
    assert client.get(f"/webhooks/deliveries/{test_delivery}").status_code == 404
    assert WebhookDelivery.objects.filter(endpoint_id=ep_id).count() == 3  # the log is kept
    actions = set(AuditEntry.objects.filter(object_type="webhooks.webhookendpoint").values_list("action", flat=True))
    assert actions >= {"webhook.endpoint_created", "webhook.endpoint_updated", "webhook.secret_rotated",
                       "webhook.test_sent", "webhook.redelivered", "webhook.endpoint_deleted"}  # fmt: skip


def test_api_field_errors_are_problem_details(world, api):
    client = api(world.a_admin)
    r = client.post("/webhooks/endpoints", {"url": "http://hooks.example.com/in", "event_types": ["deal.won", "nope"]})
    assert r.status_code == 422 and r["Content-Type"] == "application/problem+json"
    errors = {e["field"]: e for e in r.json()["errors"]}
    assert errors["url"]["code"] == "https_required"
    assert errors["event_types"]["code"] == "unknown_event_type" and "nope" in errors["event_types"]["message"]
    r = client.post("/webhooks/endpoints", {"url": "https://hooks.example.com/in", "event_types": []})
    assert {e["field"]: e["code"] for e in r.json()["errors"]} == {"event_types": "required"}
    r = client.post("/webhooks/endpoints", {"url": "https://x.example.com", "event_types": ["*"], "secret": "mine"})
    assert r.status_code == 422 and r.json()["errors"][0] == {
        "field": "secret", "message": "Unknown field.", "code": "extra_forbidden"
    }  # fmt: skip
    assert not WebhookEndpoint.objects.exists()
    ep, _ = endpoint(world)
    r = client.patch(f"/webhooks/endpoints/{ep.pk}", {"url": "https://10.0.0.1/", "event_types": ["deal.nope"]})
    assert r.status_code == 422 and {e["field"] for e in r.json()["errors"]} == {"url", "event_types"}
    ep.refresh_from_db()
    assert ep.url == "https://hooks.example.com/in"


def test_api_event_types(world, api):
    r = api(world.a_sales).get("/webhooks/event-types")
    assert r.status_code == 200
    assert [t["name"] for t in r.json()] == list(EVENT_TYPES)
    assert all(t["description"] for t in r.json())


def test_api_roles(world, api):
    a_ep, _ = endpoint(world, world.partner_a)
    b_ep, _ = endpoint(world, world.partner_b)
    vendor_ep, _ = endpoint(world, world.vendor)
    body = {"url": "https://hooks.example.com/x", "event_types": ["*"]}
    # lists hold one's own organisation's endpoints only
    assert [e["id"] for e in api(world.a_admin).get("/webhooks/endpoints").json()["items"]] == [a_ep.pk]
    assert api(world.a_admin).get(f"/webhooks/endpoints?organisation_id={world.partner_b.pk}").json()["count"] == 0
    # other partner roles, finance and customers: 403 in their own scope
    for user in (world.a_sales, world.finance, world.customer_admin):
        assert api(user).get("/webhooks/endpoints").status_code == 403
        assert api(user).post("/webhooks/endpoints", body).status_code == 403
    assert api(world.a_sales).get(f"/webhooks/endpoints/{a_ep.pk}").status_code == 403
    # another tenant's organisation: 404
    r = api(world.a_admin).post("/webhooks/endpoints", {**body, "organisation_id": world.partner_b.pk})
    assert r.status_code == 404
    assert api(world.a_admin).get(f"/webhooks/endpoints/{vendor_ep.pk}").status_code == 404
    # partner managers read their partners' endpoints, change nothing, and never read the vendor's
    bdm = api(world.bdm_a)
    assert [e["id"] for e in bdm.get("/webhooks/endpoints").json()["items"]] == [a_ep.pk]
    assert bdm.get(f"/webhooks/endpoints/{a_ep.pk}").status_code == 200
    assert bdm.patch(f"/webhooks/endpoints/{a_ep.pk}", {"description": "x"}).status_code == 403
    assert bdm.post(f"/webhooks/endpoints/{a_ep.pk}/rotate-secret").status_code == 403
    assert bdm.get(f"/webhooks/endpoints/{vendor_ep.pk}").status_code == 403
    assert api(world.bdm_b).get(f"/webhooks/endpoints/{a_ep.pk}").status_code == 404
    # vendor administrators see all, and create for the vendor by default
    admin = api(world.vendor_admin)
    assert {e["id"] for e in admin.get("/webhooks/endpoints").json()["items"]} == {a_ep.pk, b_ep.pk, vendor_ep.pk}
    assert admin.get(f"/webhooks/endpoints?organisation_id={world.vendor.pk}").json()["count"] == 1
    assert admin.post("/webhooks/endpoints", body).json()["organisation_id"] == world.vendor.pk
    r = admin.post("/webhooks/endpoints", {**body, "organisation_id": world.customer.pk})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "organisation_id"


def test_endpoint_limit_per_organisation(world, settings):
    from django.core.exceptions import ValidationError

    settings.WEBHOOKS_MAX_ENDPOINTS_PER_ORGANISATION = 1
    endpoint(world)
    with pytest.raises(ValidationError) as exc:
        endpoint(world)
    assert exc.value.error_dict["__all__"][0].code == "too_many"


# ------------------------------------------------------------------------------- pages


def test_navigation_shows_webhooks_to_admins_only(world, ui):
    assert b'href="/webhooks/"' in ui(world.a_admin).get("/").content
    assert b'href="/webhooks/"' in ui(world.vendor_admin).get("/").content
    assert b'href="/webhooks/"' not in ui(world.a_sales).get("/").content
    assert ui(world.a_sales).get("/webhooks/").status_code == 403


def test_pages_create_shows_the_secret_once_and_field_errors(world, ui):
    client = ui(world.a_admin)
    assert client.get("/webhooks/").status_code == 200
    assert client.get("/webhooks/new/").status_code == 200
    r = client.post("/webhooks/new/", {"url": "http://hooks.example.com/x", "event_types": ["deal.won"],
                                       "is_active": "on"})  # fmt: skip
    assert r.status_code == 200
    assert b'data-field="url"' in r.content and b"must use https" in r.content
    r = client.post("/webhooks/new/", {"url": "https://hooks.example.com/x", "is_active": "on"})
    assert b'data-field="event_types"' in r.content
    assert not WebhookEndpoint.objects.exists()
    form = {"url": "https://hooks.example.com/x", "event_types": ["deal.won", "lead.offered"], "description": "CRM",
            "is_active": "on"}  # fmt: skip
    r = client.post("/webhooks/new/", form)
    assert r.status_code == 200
    ep = WebhookEndpoint.objects.get()
    assert ep.organisation == world.partner_a and ep.event_types == ["deal.won", "lead.offered"]
    assert f'data-testid="webhook-secret">{ep.secret}<'.encode() in r.content
    page = client.get(f"/webhooks/{ep.pk}/")
    assert page.status_code == 200 and ep.secret.encode() not in page.content
    assert b"hooks.example.com" in client.get("/webhooks/").content


def test_pages_edit_rotate_test_redeliver_delete(world, ui, receiver, django_capture_on_commit_callbacks):
    ep, _ = endpoint(world, url=receiver.url())
    client = ui(world.a_admin)
    assert client.get(f"/webhooks/{ep.pk}/edit/").status_code == 200
    r = client.post(f"/webhooks/{ep.pk}/edit/", {"url": "https://10.0.0.1/", "event_types": ["*"]})
    assert r.status_code == 200 and b'data-field="url"' in r.content
    r = client.post(f"/webhooks/{ep.pk}/edit/", {"url": receiver.url("b"), "event_types": ["deal.won"],
                                                 "is_active": "on"})  # fmt: skip
    assert r.status_code == 302
    ep.refresh_from_db()
    assert ep.url.endswith("/b") and ep.event_types == ["deal.won"]

    old = ep.secret
    r = client.post(f"/webhooks/{ep.pk}/rotate-secret/")
    ep.refresh_from_db()
    assert ep.secret != old and ep.secret.encode() in r.content

    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(f"/webhooks/{ep.pk}/test/")
    test_delivery = WebhookDelivery.objects.get(event_type=TEST_EVENT)
    assert r.status_code == 302 and r["Location"] == f"/webhooks/deliveries/{test_delivery.pk}/"
    assert test_delivery.status == S.SUCCEEDED and len(receiver.requests) == 1

    log = client.get(f"/webhooks/{ep.pk}/?status=succeeded")
    assert log.status_code == 200 and b"<code>webhook.test</code>" in log.content
    assert b"<code>webhook.test</code>" not in client.get(f"/webhooks/{ep.pk}/?status=dead").content
    assert client.get(f"/webhooks/{ep.pk}/?since=2026-02-01&until=2026-01-01").status_code == 200

    page = client.get(f"/webhooks/deliveries/{test_delivery.pk}/")
    assert page.status_code == 200 and b"This is a test event" in page.content and b"Redeliver" in page.content
    receiver.statuses = [500]
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(f"/webhooks/deliveries/{test_delivery.pk}/redeliver/")
    again = WebhookDelivery.objects.get(redelivery_of=test_delivery)
    assert r["Location"] == f"/webhooks/deliveries/{again.pk}/" and len(receiver.requests) == 2
    page = client.get(r["Location"])
    assert again.status == S.DEAD and b"HTTP 500" in page.content

    assert client.get(f"/webhooks/{ep.pk}/delete/").status_code == 200
    assert client.post(f"/webhooks/{ep.pk}/delete/").status_code == 302
    assert client.get(f"/webhooks/{ep.pk}/").status_code == 404
    assert WebhookDelivery.objects.filter(endpoint=ep).count() == 2


def test_pages_read_only_for_partner_managers(world, ui):
    ep, _ = endpoint(world)
    [d] = services.publish_event(event_type="deal.won", organisation_ids=[world.partner_a.pk], payload={})
    client = ui(world.bdm_a)
    page = client.get(f"/webhooks/{ep.pk}/")
    assert page.status_code == 200 and b"Rotate secret" not in page.content
    assert client.get(f"/webhooks/deliveries/{d.pk}/").status_code == 200
    assert client.get(f"/webhooks/{ep.pk}/edit/").status_code == 403
    assert client.post(f"/webhooks/{ep.pk}/rotate-secret/").status_code == 403
    assert client.post(f"/webhooks/deliveries/{d.pk}/redeliver/").status_code == 403
    assert client.get("/webhooks/new/").status_code == 403  # acting for the vendor, which they do not manage
