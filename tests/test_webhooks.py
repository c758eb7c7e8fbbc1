"""Outgoing webhooks: signing, sending to a real local server, retries, tenancy, API and pages."""

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.conf import settings as django_settings
from django.db import connection, connections, transaction
from django.utils import timezone

from partnerhub.core.models import AppendOnlyError, AuditEntry, Notification
from partnerhub.webhooks import sending, services, signing
from partnerhub.webhooks.events import EVENT_TYPES, TEST_EVENT
from partnerhub.webhooks.models import WebhookDelivery, WebhookEndpoint
from partnerhub.webhooks.tasks import deliver_due

pytestmark = pytest.mark.django_db

S = WebhookDelivery.Status


class Receiver:
    """A real HTTP server on 127.0.0.1 that records every POST and answers with queued statuses."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.statuses: list[int] = []  # answered in order; 200 once empty
        self.always: int | None = None
        self.delay = 0.0  # seconds to wait before answering
        self.base = ""

    def url(self, path: str = "hook") -> str:
        return f"{self.base}/{path}"

    def bodies(self) -> list[dict]:
        return [json.loads(r["body"]) for r in self.requests]


@pytest.fixture
def receiver(settings):
    settings.WEBHOOKS_ALLOW_HTTP = True
    rec = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            rec.requests.append({"path": self.path, "headers": self.headers, "body": body})
            if rec.delay:
                time.sleep(rec.delay)
            status = rec.always or (rec.statuses.pop(0) if rec.statuses else 200)
            answer = json.dumps({"received": True, "status": status}).encode()
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", f"{rec.base}/elsewhere")
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    rec.base = f"http://127.0.0.1:{server.server_port}"
    yield rec
    server.shutdown()
    server.server_close()
    thread.join(5)


def endpoint(world, org=None, *, url="https://hooks.example.com/in", events=("*",), actor=None, **kw):
    org = org or world.partner_a
    actor = actor or {world.partner_a: world.a_admin, world.partner_b: world.b_admin}.get(org, world.vendor_admin)
    ep, secret = services.endpoint_create(actor=actor, organisation=org, url=url, event_types=list(events), **kw)
    return ep, secret


def publish(capture, *, org_ids, event_type="deal.registered", payload=None, send=True):
    payload = payload if payload is not None else {"deal": {"id": 7, "customer": "ООО Ромашка"}}
    if not send:
        return services.publish_event(event_type=event_type, organisation_ids=org_ids, payload=payload)
    with capture(execute=True):
        return services.publish_event(event_type=event_type, organisation_ids=org_ids, payload=payload)


# --------------------------------------------------------------------------- signing


def test_signature_is_verifiable_by_a_receiver_with_the_secret():
    secret = signing.new_secret()
    body = '{"id":"1","type":"deal.won"}'
    ts = str(int(timezone.now().timestamp()))
    header = signing.signature(secret=secret, timestamp=ts, body=body)
    assert header.startswith("sha256=") and len(header) == len("sha256=") + 64
    # what a receiver does, with nothing but the standard library and the secret
    import hashlib
    import hmac

    expected = "sha256=" + hmac.new(secret.encode(), f"{ts}.{body}".encode(), hashlib.sha256).hexdigest()
    assert hmac.compare_digest(expected, header)
    assert signing.verify(secret=secret, timestamp=ts, body=body, header=header)
    assert not signing.verify(secret=signing.new_secret(), timestamp=ts, body=body, header=header)
    assert not signing.verify(secret=secret, timestamp=ts, body=body + " ", header=header)
    assert not signing.verify(secret=secret, timestamp=str(int(ts) - 3600), body=body, header=header)


def test_event_registry_lists_the_agreed_names():
    assert set(EVENT_TYPES) == {
        "deal.registered", "deal.conflict_detected", "deal.approved", "deal.rejected", "deal.stage_changed",
        "deal.protection_expiring", "deal.protection_lapsed", "deal.won", "deal.lost", "lead.offered",
        "lead.accepted", "lead.declined", "lead.expired", "referral.conversion",
    }  # fmt: skip
    assert all(str(e.description) for e in EVENT_TYPES.values())


# ------------------------------------------------------------------- sending for real


def test_local_server_receives_a_signed_post_with_the_headers(world, receiver, django_capture_on_commit_callbacks):
    _ep, secret = endpoint(world, url=receiver.url("a"))
    [delivery] = publish(django_capture_on_commit_callbacks, org_ids=[world.partner_a.pk])
    assert len(receiver.requests) == 1
    req = receiver.requests[0]
    h = req["headers"]
    assert req["path"] == "/a"
    assert h["X-Partnerhub-Event"] == "deal.registered"
    assert h["X-Partnerhub-Delivery"] == str(delivery.delivery_id)
    assert h["Content-Type"].startswith("application/json")
    assert signing.verify(secret=secret, timestamp=h["X-Partnerhub-Timestamp"], body=req["body"],
                          header=h["X-Partnerhub-Signature"])  # fmt: skip
    body = json.loads(req["body"])
    assert body["type"] == "deal.registered" and body["id"] == str(delivery.event_id)
    assert body["organisation_ids"] == [world.partner_a.pk]
    assert body["data"] == {"deal": {"id": 7, "customer": "ООО Ромашка"}}
    delivery.refresh_from_db()
    assert delivery.status == S.SUCCEEDED and delivery.attempts == 1 and delivery.next_attempt_at is None
    assert delivery.last_response_status == 200 and '"received": true' in delivery.last_response_body
    assert delivery.last_duration_ms is not None and delivery.completed_at is not None


def test_failure_schedules_a_retry_with_backoff_then_succeeds(world, receiver, django_capture_on_commit_callbacks):
    endpoint(world, url=receiver.url())
    receiver.statuses = [500]
    before = timezone.now()
    [d] = publish(django_capture_on_commit_callbacks, org_ids=[world.partner_a.pk])
    d.refresh_from_db()
    assert d.status == S.FAILED and d.attempts == 1 and d.last_response_status == 500
    assert "HTTP 500" in d.last_error
    assert before + timedelta(seconds=59) <= d.next_attempt_at <= timezone.now() + timedelta(seconds=61)
    assert services.deliver_due_webhooks()["succeeded"] == 0  # not due yet
    assert len(receiver.requests) == 1
    result = services.deliver_due_webhooks(now=d.next_attempt_at)
    assert result["succeeded"] == 1
    d.refresh_from_db()
    assert d.status == S.SUCCEEDED and d.attempts == 2 and d.last_error == "" and d.last_response_status == 200
    assert [a["status"] for a in d.attempt_log] == [500, 200]
    first, second = receiver.requests
    assert first["headers"]["X-Partnerhub-Delivery"] == second["headers"]["X-Partnerhub-Delivery"]
    assert first["body"] == second["body"]


def test_dead_after_the_last_attempt(world, receiver, django_capture_on_commit_callbacks):
    ep, _ = endpoint(world, url=receiver.url())
    receiver.always = 503
    [d] = publish(django_capture_on_commit_callbacks, org_ids=[world.partner_a.pk])
    waits = []
    for _ in range(10):
        d.refresh_from_db()
        if d.status == S.DEAD:
            break
        waits.append(d.next_attempt_at - d.last_attempt_at)
        services.deliver_due_webhooks(now=d.next_attempt_at)
    assert waits == [timedelta(seconds=s) for s in (60, 300, 1800, 7200, 43200)]
    assert d.status == S.DEAD and d.attempts == d.max_attempts == 6 and d.next_attempt_at is None
    assert len(receiver.requests) == 6
    ep.refresh_from_db()
    assert ep.consecutive_dead == 1 and ep.is_active
    assert services.deliver_due_webhooks(now=timezone.now() + timedelta(days=30))["dead"] == 0


def test_endpoint_disabled_after_consecutive_dead_deliveries(
    world, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_RETRY_DELAYS = []
    settings.WEBHOOKS_DISABLE_AFTER_DEAD = 2
    ep, _ = endpoint(world, url=receiver.url())
    receiver.always = 500
    publish(django_capture_on_commit_callbacks, org_ids=[world.partner_a.pk])
    ep.refresh_from_db()
    assert ep.is_active and ep.consecutive_dead == 1
    publish(django_capture_on_commit_callbacks, org_ids=[world.partner_a.pk])
    ep.refresh_from_db()
    assert not ep.is_active and ep.consecutive_dead == 2 and "2" in ep.disabled_reason
    notified = set(Notification.objects.filter(kind="webhook.endpoint_disabled").values_list("user__email", flat=True))
    assert notified == {"admin@a.test"}  # the partner's administrators only
    assert AuditEntry.objects.filter(action="webhook.endpoint_disabled", object_id=str(ep.pk)).exists()
    assert publish(django_capture_on_commit_callbacks, org_ids=[world.partner_a.pk]) == []
    # re-activating starts the count afresh
    services.endpoint_update(actor=world.a_admin, endpoint=ep, is_active=True)
    ep.refresh_from_db()
    assert ep.is_active and ep.consecutive_dead == 0 and ep.disabled_reason == ""


def test_a_success_resets_the_dead_count(world, receiver, settings, django_capture_on_commit_callbacks):
    settings.WEBHOOKS_RETRY_DELAYS = []
    ep, _ = endpoint(world, url=receiver.url())
    receiver.statuses = [500]
    publish(django_capture_on_commit_callbacks, org_ids=[world.partner_a.pk])
    publish(django_capture_on_commit_callbacks, org_ids=[world.partner_a.pk])
    ep.refresh_from_db()
    assert ep.consecutive_dead == 0


def test_redirects_are_not_followed(world, receiver, django_capture_on_commit_callbacks):
    endpoint(world, url=receiver.url())
    receiver.statuses = [302]
    [d] = publish(django_capture_on_commit_callbacks, org_ids=[world.partner_a.pk])
    d.refresh_from_db()
    assert d.status == S.FAILED and d.last_response_status == 302
    assert [r["path"] for r in receiver.requests] == ["/hook"]


def test_network_error_is_a_failed_attempt(world, settings, django_capture_on_commit_callbacks):
    settings.WEBHOOKS_ALLOW_HTTP = True
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    endpoint(world, url=f"http://127.0.0.1:{port}/hook")
    [d] = publish(django_capture_on_commit_callbacks, org_ids=[world.partner_a.pk])
    d.refresh_from_db()
    assert d.status == S.FAILED and d.last_response_status is None and d.last_error
    assert d.next_attempt_at > timezone.now()


def test_nothing_is_sent_when_the_publishing_transaction_rolls_back(
    world, receiver, django_capture_on_commit_callbacks
):
    endpoint(world, url=receiver.url())

    class Boom(Exception):
        pass

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(Boom), transaction.atomic():
        services.publish_event(event_type="deal.won", organisation_ids=[world.partner_a.pk], payload={"x": 1})
        raise Boom
    assert callbacks == []
    assert receiver.requests == []
    assert not WebhookDelivery.objects.exists()
    services.deliver_due_webhooks()
    assert receiver.requests == []


@pytest.mark.django_db(transaction=True)
def test_sent_only_after_a_real_commit(world, receiver):
    endpoint(world, url=receiver.url())
    with transaction.atomic():
        services.publish_event(event_type="deal.won", organisation_ids=[world.partner_a.pk], payload={"x": 1})
        assert receiver.requests == []  # not while the transaction is open
    assert len(receiver.requests) == 1
    with pytest.raises(RuntimeError), transaction.atomic():
        services.publish_event(event_type="deal.lost", organisation_ids=[world.partner_a.pk], payload={"x": 2})
        raise RuntimeError
    assert len(receiver.requests) == 1
    assert list(WebhookDelivery.objects.values_list("event_type", flat=True)) == ["deal.won"]


@pytest.mark.django_db(transaction=True)
def test_send_test_answers_with_the_outcome(world, api, ui, receiver):
    """Outside a test transaction the send runs on commit, inside the request (eager Celery)."""
    ep, _ = endpoint(world, url=receiver.url())
    r = api(world.a_admin).post(f"/webhooks/endpoints/{ep.pk}/test")
    assert r.status_code == 202 and r.json()["status"] == "succeeded" and r.json()["last_response_status"] == 200
    receiver.statuses = [404]
    r = ui(world.a_admin).post(f"/webhooks/{ep.pk}/test/", follow=True)
    assert b"Not delivered: HTTP 404" in r.content
    r = ui(world.a_admin).post(f"/webhooks/{ep.pk}/test/", follow=True)
    assert b"Delivered: the receiver answered 200" in r.content


# ------------------------------------------------------------------------------ tenancy


def test_partner_b_never_gets_partner_a_events_and_the_vendor_gets_everyone(world, django_capture_on_commit_callbacks):
    a, _ = endpoint(world, world.partner_a)
    b, _ = endpoint(world, world.partner_b)
    vendor, _ = endpoint(world, world.vendor)
    only_won, _ = endpoint(world, world.partner_b, events=["deal.won"])
    publish(django_capture_on_commit_callbacks, org_ids=[world.partner_a.pk], send=False)
    by_endpoint = {d.endpoint_id: d for d in WebhookDelivery.objects.all()}
    assert set(by_endpoint) == {a.pk, vendor.pk}
    assert by_endpoint[a.pk].payload["organisation_ids"] == [world.partner_a.pk]
    assert by_endpoint[vendor.pk].payload["organisation_ids"] == [world.partner_a.pk]
    assert by_endpoint[a.pk].event_id == by_endpoint[vendor.pk].event_id

    both = services.publish_event(event_type="deal.won", organisation_ids=[world.partner_a.pk, world.partner_b.pk],
                                  payload={"n": 1})  # fmt: skip
    got = {d.endpoint_id: d.payload["organisation_ids"] for d in both}
    assert got == {
        a.pk: [world.partner_a.pk],
        b.pk: [world.partner_b.pk],  # B never learns A is involved
        only_won.pk: [world.partner_b.pk],
        vendor.pk: sorted([world.partner_a.pk, world.partner_b.pk]),
    }
    # the customer's or another organisation's events never reach a partner
    assert {d.endpoint_id for d in publish(None, org_ids=[world.customer.pk], send=False)} == {vendor.pk}


def test_inactive_and_deleted_endpoints_receive_nothing(world):
    endpoint(world, is_active=False)
    gone, _ = endpoint(world)
    services.endpoint_delete(actor=world.a_admin, endpoint=gone)
    assert services.publish_event(event_type="lead.offered", organisation_ids=[world.partner_a.pk], payload={}) == []


def test_retries_stop_when_the_endpoint_is_disabled(world, receiver, django_capture_on_commit_callbacks):
    ep, _ = endpoint(world, url=receiver.url())
    receiver.statuses = [500]
    [d] = publish(django_capture_on_commit_callbacks, org_ids=[world.partner_a.pk])
    services.endpoint_update(actor=world.a_admin, endpoint=ep, is_active=False)
    services.deliver_due_webhooks(now=timezone.now() + timedelta(hours=1))
    d.refresh_from_db()
    assert d.status == S.DEAD and "disabled" in d.last_error
    assert len(receiver.requests) == 1


def test_unknown_event_type_is_a_programming_error(world):
    with pytest.raises(ValueError, match=r"events\.py"):
        services.publish_event(event_type="deal.exploded", organisation_ids=[world.partner_a.pk], payload={})


# --------------------------------------------------------------------------- the job


def test_job_is_idempotent_and_never_double_sends(world, receiver, monkeypatch):
    endpoint(world, url=receiver.url())
    [d] = services.publish_event(event_type="deal.approved", organisation_ids=[world.partner_a.pk], payload={})
    # (the on-commit send did not run: the job finds the delivery due)
    real_post = sending.post
    races = []

    def post_while_another_worker_runs(*args, **kwargs):
        races.append(services.deliver_due_webhooks())  # a second worker, while the first is sending
        races.append(services.send_deliveries(delivery_ids=[d.pk]))
        return real_post(*args, **kwargs)

    monkeypatch.setattr(sending, "post", post_while_another_worker_runs)
    first = deliver_due.delay().get()  # the Celery task, eager as in the embedded default
    assert first["succeeded"] == 1
    assert races[0]["succeeded"] == 0 and races[0]["skipped"] == 0  # it is not even due for the other worker
    assert races[1]["skipped"] == 1
    monkeypatch.setattr(sending, "post", real_post)
    assert services.deliver_due_webhooks()["succeeded"] == 0
    assert services.send_deliveries(delivery_ids=[d.pk])["skipped"] == 1
    assert len(receiver.requests) == 1
    d.refresh_from_db()
    assert d.attempts == 1 and d.status == S.SUCCEEDED


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent PostgreSQL transactions")
@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_send_each_delivery_once(world, receiver, monkeypatch):
    for org in (world.partner_a, world.partner_b, world.vendor):
        endpoint(world, org, url=receiver.url(f"o{org.pk}"))
    monkeypatch.setattr(services, "_send_after_commit", lambda ids: None)  # leave them all to the job
    for n in range(8):
        services.publish_event(event_type="deal.won", organisation_ids=[world.partner_a.pk, world.partner_b.pk],
                               payload={"n": n})  # fmt: skip
    receiver.delay = 0.02
    barrier = threading.Barrier(3)
    results = []

    def worker():
        try:
            barrier.wait(timeout=10)
            results.append(services.deliver_due_webhooks())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    sent = [r["headers"]["X-Partnerhub-Delivery"] for r in receiver.requests]
    assert len(sent) == len(set(sent)) == WebhookDelivery.objects.count() == 24
    assert sum(r["succeeded"] for r in results) == 24
    assert set(WebhookDelivery.objects.values_list("attempts", flat=True)) == {1}
    assert sum(1 for r in results if r["succeeded"]) >= 2  # the workers really shared the work


def test_a_delivery_left_by_a_dead_worker_is_retried_after_the_lease(world, receiver):
    endpoint(world, url=receiver.url())
    [d] = services.publish_event(event_type="deal.approved", organisation_ids=[world.partner_a.pk], payload={})
    claimed = services._claim(d.pk, due_by=timezone.now(), at=timezone.now())  # ... and the worker dies
    assert claimed is not None
    assert services.deliver_due_webhooks()["succeeded"] == 0
    assert services.deliver_due_webhooks(now=timezone.now() + services.LEASE)["succeeded"] == 1
    d.refresh_from_db()
    assert d.attempts == 2 and len(receiver.requests) == 1


def test_the_job_is_on_the_beat_schedule():
    entry = django_settings.CELERY_BEAT_SCHEDULE["deliver-webhooks"]
    assert entry["task"] == "webhooks.deliver_due"
    assert entry["schedule"].minute == set(range(60))  # every minute
    from celery import current_app

    assert "webhooks.deliver_due" in current_app.tasks and "webhooks.send_deliveries" in current_app.tasks


def test_deliveries_are_never_deleted(world):
    endpoint(world)
    [d] = services.publish_event(event_type="deal.won", organisation_ids=[world.partner_a.pk], payload={})
    with pytest.raises(AppendOnlyError):
        d.delete()


# ------------------------------------------------------------------------------ URLs


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("http://hooks.example.com/x", "https_required"),
        ("not a url", "invalid"),
        ("ftp://hooks.example.com/x", "invalid"),
        ("https://user:pw@hooks.example.com/x", "credentials"),
        ("https://10.0.0.7/x", "address_not_allowed"),
        ("https://169.254.169.254/latest/meta-data", "address_not_allowed"),
        ("https://127.0.0.1/x", "address_not_allowed"),
        ("https://localhost/x", "address_not_allowed"),
        ("http://127.0.0.1:8000/x", "https_required"),
    ],
)
def test_urls_refused(world, url, code):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        endpoint(world, url=url)
    assert exc.value.error_dict["url"][0].code == code


def test_http_allowed_for_the_loopback_host_only_in_development(world, settings):
    settings.WEBHOOKS_ALLOW_HTTP = True
    for url in ("http://127.0.0.1:9000/hook", "http://localhost/hook", "http://[::1]:9000/hook"):
        endpoint(world, url=url)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        endpoint(world, url="http://hooks.example.com/hook")
    settings.WEBHOOKS_ALLOW_HTTP = False
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True
    endpoint(world, url="https://10.1.2.3/hook")
    with pytest.raises(ValidationError):
        endpoint(world, url="https://169.254.169.254/hook")  # link-local: never


def test_private_addresses_are_refused_when_sending(world, settings):
    import ipaddress

    assert sending.address_allowed(ipaddress.ip_address("93.184.216.34"))
    assert not sending.address_allowed(ipaddress.ip_address("192.168.1.1"))
    assert not sending.address_allowed(ipaddress.ip_address("::ffff:127.0.0.1"))
    result = sending.post("https://127.0.0.1:1/x", b"{}", {}, timeout=1)
    assert result.status is None and "not sent to" in result.error


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
