"""The vendor's callback (docs/provisioning-api.yaml, "by callback"): a hint the platform confirms at the status URL."""

from __future__ import annotations

import json
import time
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from partnerhub.core.models import AuditEntry
from partnerhub.marketplace.models import ProvisioningRequest, Storefront, Subscription
from partnerhub.marketplace.provisioning import callbacks
from partnerhub.marketplace.provisioning.sample_service import SampleService
from partnerhub.marketplace.services import orders, provisioning

from .order_builders import live_listing

R = ProvisioningRequest.Status
S = Subscription.Status


@pytest.fixture
def fast(settings):
    settings.PROVISIONING_ALLOW_PRIVATE_NETWORKS = True
    settings.PROVISIONING_TIMEOUT_SECONDS = 2
    settings.MARKETPLACE_PROVISIONING_POLL_SECONDS = 3600  # no poll comes before the callback's
    return settings


def _order(world, listing) -> Subscription:
    return orders.order_place(actor=world.customer_admin, storefront=Storefront.objects.get(code="ru"),
                              listing_id=listing.pk, plan_code="standard", customer=world.customer,
                              quantities={"seats": 1})  # fmt: skip


def _path(req: ProvisioningRequest, token: str | None = None) -> str:
    path = urlsplit(callbacks.url(req.pk, req.idempotency_key)).path
    return path if token is None else path.rsplit("/", 1)[0] + "/" + token


def _post(client, path: str, body) -> object:
    raw = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return client.post(path, data=raw, content_type="application/json")


def _received(req) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action="provisioning.callback_received", object_id=str(req.pk)))


def _scheduled(world, sample) -> tuple[Subscription, ProvisioningRequest]:
    """An order whose creation the vendor accepted (202) and has not finished: waiting for its poll."""
    listing = live_listing(world, api_url=sample.base_url)
    sub = _order(world, listing)
    assert provisioning.process_due(now=timezone.now()) == {"scheduled": 1}
    req = sub.requests.get()
    assert req.status == R.SCHEDULED and req.operation_url
    return sub, req


@pytest.mark.django_db(transaction=True)
def test_the_vendors_callback_completes_the_request_without_waiting_for_the_poll(world, fast, live_server):
    fast.SITE_URL = live_server.url
    with SampleService(failures=["slow_callback@create_subscription"], slow_seconds=0.5) as sample:
        listing = live_listing(world, api_url=sample.base_url)
        sub = _order(world, listing)  # committed: the worker sends it at once; the vendor answers 202
        req = sub.requests.get()
        for _ in range(400):  # wait for the vendor's callback to have been answered
            if sample.callbacks_sent:
                break
            time.sleep(0.05)
        [(url, body)] = sample.callbacks_sent
        assert url == callbacks.url(req.pk, req.idempotency_key)  # the worker gave the request's own URL
        assert "error" not in body and body["status"] == "succeeded"
    req.refresh_from_db()
    sub.refresh_from_db()
    # Polling would have waited an hour: the callback made the worker confirm at the status URL now.
    assert req.status == R.APPROVED and req.callback_at is not None
    assert sub.status == S.ACTIVE and sub.vendor_subscription_id == body["result"]["id"]
    assert any(c["method"] == "GET" and c["url"] == req.operation_url for c in req.call_log)  # confirmed there
    assert len(_received(req)) == 1


def test_a_wrong_token_or_an_unknown_request_is_a_404_that_reveals_nothing(world, fast, client):
    with SampleService(failures=["slow_callback@create_subscription"], slow_seconds=60) as sample:
        _sub, req = _scheduled(world, sample)
    before = ProvisioningRequest.objects.filter(pk=req.pk).values().get()
    wrong = _post(client, _path(req, "0" * 64), {"status": "succeeded"})
    other = ProvisioningRequest.objects.order_by("-pk").first().pk + 1
    unknown = _post(client, _path(req).replace(f"/{req.pk}/", f"/{other}/"), {"status": "succeeded"})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong["Content-Type"] == "application/problem+json"
    strip = lambda r: {k: v for k, v in r.json().items() if k != "instance"}  # noqa: E731
    assert strip(wrong) == strip(unknown)
    assert client.get(_path(req)).status_code == 405  # POST only
    assert ProvisioningRequest.objects.filter(pk=req.pk).values().get() == before
    assert _received(req) == []


def test_a_callback_for_a_finished_request_is_accepted_and_changes_nothing(world, fast, client):
    with SampleService() as sample:
        listing = live_listing(world, api_url=sample.base_url)
        sub = _order(world, listing)
        assert provisioning.process_due(now=timezone.now()) == {"approved": 1}
    req = sub.requests.get()
    before = ProvisioningRequest.objects.filter(pk=req.pk).values().get()
    assert _post(client, _path(req), {"status": "failed"}).status_code == 204
    assert ProvisioningRequest.objects.filter(pk=req.pk).values().get() == before
    assert _received(req) == []


def test_the_body_is_never_trusted_and_repeated_callbacks_are_harmless(
    world, fast, client, django_capture_on_commit_callbacks
):
    with SampleService(failures=["slow_callback@create_subscription"], slow_seconds=60) as sample:
        sub, req = _scheduled(world, sample)
        [operation] = sample.state.operations.values()
        problem = {"type": "about:blank", "title": "Quota exceeded", "status": 409}
        operation["public"] = {**operation["public"], "status": "failed", "problem": problem}  # the status URL's
        claim = {**operation["public"], "status": "succeeded", "result": operation["result"]}  # what the body says
        with django_capture_on_commit_callbacks(execute=True) as sent:
            assert _post(client, _path(req), claim).status_code == 204
        assert sent  # the worker was sent the request at once (it confirms at the status URL)
        req.refresh_from_db()
        sub.refresh_from_db()
        assert req.status == R.FAILED and req.last_error["kind"] == "operation_failed"
        assert sub.status == S.PENDING and not sub.billable and not sub.vendor_subscription_id
        with django_capture_on_commit_callbacks(execute=True) as again:
            assert _post(client, _path(req), claim).status_code == 204
        assert again == []
    req.refresh_from_db()
    assert req.status == R.FAILED and len(_received(req)) == 1


def test_repeated_callbacks_while_waiting_wake_the_request_once(
    world, fast, client, django_capture_on_commit_callbacks
):
    with SampleService(failures=["slow_callback@create_subscription"], slow_seconds=60) as sample:
        _sub, req = _scheduled(world, sample)
        with django_capture_on_commit_callbacks(execute=False) as first:
            assert _post(client, _path(req), {"status": "succeeded"}).status_code == 204
        with django_capture_on_commit_callbacks(execute=False) as second:
            assert _post(client, _path(req), {"status": "succeeded"}).status_code == 204
    assert (len(first), len(second)) == (1, 0)  # woken once; the second finds it due already
    req.refresh_from_db()
    assert req.status == R.SCHEDULED and req.next_attempt_at <= timezone.now() and req.callback_at
    assert len(_received(req)) == 1


def test_what_is_not_an_operation_is_refused_with_a_problem(world, fast, client):
    with SampleService(failures=["slow_callback@create_subscription"], slow_seconds=60) as sample:
        _sub, req = _scheduled(world, sample)
    path = _path(req)
    cases = {
        "not json": (b"\xff<html>", 400),
        "[1, 2]": ("[1, 2]", 422),
        "nul": ({"status": "succeeded\u0000"}, 422),
        "too large": ({"status": "succeeded", "pad": "x" * 20_000}, 413),
    }
    for name, (body, status) in cases.items():
        r = _post(client, path, body)
        assert r.status_code == status, name
        assert r["Content-Type"] == "application/problem+json", name
    big = json.dumps({"pad": "x" * 20_000})
    ru = client.post(path, data=big, content_type="application/json", HTTP_ACCEPT_LANGUAGE="ru").json()
    assert ru["title"] == "Тело запроса слишком велико" and "16384" in ru["detail"]
    req.refresh_from_db()
    assert req.callback_at is None and req.status == R.SCHEDULED
