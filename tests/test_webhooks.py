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
from partnerhub.webhooks.events import EVENT_TYPES
from partnerhub.webhooks.models import WebhookDelivery
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
        "lead.accepted", "lead.declined", "lead.expired", "referral.conversion", "statement.ready", "payout.paid",
        "certification.issued", "certification.revoked", "certification.expired",
        "support.opened", "support.replied", "support.status_changed", "support.breached", "benefit.decided",
        "benefit.fulfilled",
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
