"""The platform's client for a vendor's provisioning API, against the sample service on loopback.

Short timeouts (0.2 s) and no real waits between retries keep it fast; nothing here asserts on time
beyond "timed out"."""

from __future__ import annotations

import json
import socket
import threading
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
from django.utils import translation

from partnerhub.marketplace.provisioning.client import ProvisioningClient, ProvisioningError
from partnerhub.marketplace.provisioning.parsing import Invalid, parse_subscription, parse_usage
from partnerhub.marketplace.provisioning.sample_service import SampleService, parse_failures

TOKEN = "sample-token"
CONTRACT = Path(__file__).resolve().parent.parent / "docs" / "provisioning-api.yaml"


@pytest.fixture
def vendor():
    started = []

    def start(**options) -> SampleService:
        options.setdefault("hang_seconds", 1.0)
        service = SampleService(token=TOKEN, **options).start()
        started.append(service)
        return service

    yield start
    for service in started:
        service.stop()


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def client_for(sleeps):
    def make(service: SampleService, **options) -> ProvisioningClient:
        options = {"timeout": 0.2, "attempts": 3, "backoff": 0.01, "allow_private": True, **options}
        return ProvisioningClient(service.base_url, options.pop("token", TOKEN), sleep=sleeps.append, **options)

    return make


def _customer(client: ProvisioningClient) -> str:
    return client.create_customer(external_id="c-1", name="Acme").result["id"]


def test_a_customer_and_a_subscription_are_created_synchronously(vendor, client_for):
    client = client_for(vendor())

    customer = client.create_customer(external_id="c-1", name="Acme", email="it@acme.example")
    subscription = client.create_subscription(customer_id=customer.result["id"], plan="pro", quantities={"seats": 3})

    assert customer.done and customer.result["external_id"] == "c-1"
    assert subscription.done
    assert subscription.result["status"] == "active"
    assert subscription.result["quantities"] == {"seats": 3}


def test_a_vendor_answering_202_is_polled_at_its_status_url_until_done(vendor, client_for):
    client = client_for(vendor(completion="async"))

    pending = client.create_customer(external_id="c-1", name="Acme")
    assert not pending.done and pending.pending["status"] == "pending"
    done = client.wait(pending, within=2)

    assert done.done and done.result["external_id"] == "c-1"
    assert [call.operation for call in done.calls][-1] == "create_customer"
    assert any("/operations/" in call.url for call in done.calls)


def test_the_vendor_posts_the_finished_operation_to_the_callback_url(vendor, client_for):
    received = []
    arrived = threading.Event()

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()
            arrived.set()

        def log_message(self, *args):
            pass

    receiver = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    try:
        callback = f"http://127.0.0.1:{receiver.server_address[1]}/callbacks/abc"
        client = client_for(vendor(completion="async"), callback_url=callback)
        pending = client.create_customer(external_id="c-1", name="Acme")
        assert arrived.wait(5)
    finally:
        receiver.shutdown()
        receiver.server_close()
    assert received[0]["id"] == pending.pending["id"]
    assert received[0]["status"] == "succeeded"
    assert received[0]["result"]["external_id"] == "c-1"


def test_a_5xx_is_retried_with_the_same_idempotency_key_until_it_succeeds(vendor, client_for, sleeps):
    service = vendor(failures=["flaky"])
    client = client_for(service)

    result = client.create_customer(external_id="c-1", name="Acme", idempotency_key="req-42")

    assert result.done
    assert [(call.status, call.verdict) for call in result.calls] == [(500, "retried"), (200, "ok")]
    assert {call.idempotency_key for call in result.calls} == {"req-42"}
    assert [key for _, _, key in service.requests_seen()] == ["req-42", "req-42"]
    assert len(sleeps) == 1


def test_a_lost_answer_is_retried_and_the_vendor_keeps_one_subscription(vendor, client_for):
    service = vendor(failures=["lost_response@create_subscription"])
    client = client_for(service)
    customer_id = _customer(client)

    result = client.create_subscription(customer_id=customer_id, plan="pro", quantities={"seats": 1})

    assert [call.verdict for call in result.calls] == ["retried", "ok"]
    assert "No answer within" in str(result.calls[0].reason)
    assert len({call.idempotency_key for call in result.calls}) == 1
    assert [s["id"] for s in service.subscriptions_of(customer_id)] == [result.result["id"]]


def test_backoff_doubles_between_attempts(vendor, client_for, sleeps):
    client = client_for(vendor(failures=["error500"]), attempts=4, backoff=1.0)

    with pytest.raises(ProvisioningError):
        client.create_customer(external_id="c-1", name="Acme")

    assert len(sleeps) == 3
    for wait, base in zip(sleeps, (1.0, 2.0, 4.0), strict=True):
        assert base <= wait <= base * 1.1  # exponential, with at most 10 % jitter


def test_a_timeout_is_retried_then_fails_naming_the_call(vendor, client_for):
    client = client_for(vendor(failures=["timeout"]), attempts=2)

    with pytest.raises(ProvisioningError) as caught:
        client.create_customer(external_id="c-1", name="Acme", idempotency_key="req-7")

    error = caught.value
    assert error.kind == "timeout" and error.retryable
    assert error.operation == "create_customer" and "create_customer" in str(error)
    assert [(call.status, call.verdict) for call in error.calls] == [(None, "retried"), (None, "failed")]
    assert all(call.idempotency_key == "req-7" for call in error.calls)
    assert "No answer within 0.2 seconds" in str(error.calls[-1].reason)


def test_a_4xx_is_not_retried_and_carries_the_problem(vendor, client_for, sleeps):
    service = vendor()
    client = client_for(service)

    with pytest.raises(ProvisioningError) as caught:
        client.create_subscription(customer_id="nobody", plan="", quantities={"seats": -1})

    error = caught.value
    assert error.kind == "rejected" and not error.retryable
    assert error.status == 422
    assert error.problem["title"] == "Invalid subscription"
    assert {e["field"] for e in error.problem["errors"]} >= {"customer_id", "plan", "quantities.seats"}
    assert len(error.calls) == 1 and error.calls[0].verdict == "refused"
    with translation.override("ru"):
        assert error.calls[0].verdict_label == "отклонён вендором"
        assert str(error.reason) == "Вендор отклонил вызов (422): Invalid subscription"
    assert sleeps == []
    assert len(service.requests_seen()) == 1


def test_a_wrong_token_is_a_rejection_and_the_token_is_never_recorded(vendor, client_for):
    client = client_for(vendor(), token="not-the-token")

    with pytest.raises(ProvisioningError) as caught:
        client.create_customer(external_id="c-1", name="Acme")

    assert caught.value.status == 401 and caught.value.problem is not None
    assert "not-the-token" not in json.dumps([call.as_dict() for call in client.calls])


def test_garbage_in_a_2xx_is_an_invalid_response_with_the_body_shown(vendor, client_for):
    client = client_for(vendor(failures=["garbage@create_customer"]))

    with pytest.raises(ProvisioningError) as caught:
        client.create_customer(external_id="c-1", name="Acme")

    error = caught.value
    assert error.kind == "invalid_response" and str(error).startswith("create_customer: ")
    assert "not valid JSON" in str(error.reason)
    assert len(error.calls) == 1  # a contract breach, not a transient fault: not retried
    assert error.calls[0].status == 200
    assert "Service temporarily unavailable" in error.calls[0].response_excerpt
    assert error.calls[0].method == "POST" and error.calls[0].url.endswith("/v1/customers")
    assert json.loads(error.calls[0].request_body)["external_id"] == "c-1"


def test_a_refused_connection_is_retried_then_fails(client_for, sleeps):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    url = f"http://127.0.0.1:{port}/v1"
    client = ProvisioningClient(
        url, TOKEN, timeout=0.2, attempts=2, backoff=0.01, allow_private=True, sleep=sleeps.append
    )

    with pytest.raises(ProvisioningError) as caught:
        client.get_subscription("sub_1")

    assert caught.value.kind == "connection"
    assert [call.verdict for call in caught.value.calls] == ["retried", "failed"]


def test_private_addresses_and_plain_http_are_refused_unless_allowed(vendor, settings):
    settings.PROVISIONING_ALLOW_PRIVATE_NETWORKS = False
    service = vendor()

    for url in (service.base_url, service.base_url.replace("http://", "https://")):
        with pytest.raises(ProvisioningError) as caught:
            ProvisioningClient(url, TOKEN, timeout=0.2, attempts=3).create_customer(external_id="c", name="n")
        assert caught.value.kind == "address_refused"
        assert len(caught.value.calls) == 1

    assert service.requests_seen() == []


def test_a_status_url_on_another_host_is_not_followed(vendor, client_for):
    client = client_for(vendor())

    with pytest.raises(ProvisioningError) as caught:
        client.get_operation("http://169.254.169.254/latest/meta-data")

    assert caught.value.kind == "invalid_response"
    assert client.calls == []


def test_usage_is_pulled_for_a_period_with_decimal_quantities(vendor, client_for):
    client = client_for(vendor())
    customer_id = _customer(client)
    subscription = client.create_subscription(customer_id=customer_id, plan="payg", quantities={"seats": 2})
    end = datetime(2026, 12, 1, tzinfo=UTC)

    usage = client.get_usage(subscription.result["id"], period_start=end - timedelta(days=1), period_end=end)

    assert usage["period_end"] == end
    assert {r["metric"]: r["quantity"] for r in usage["records"]} == {
        "api_calls": Decimal("240"),
        "storage_gb_hours": Decimal("60.000"),
    }


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"id": "s", "customer_id": "c", "plan": "p", "quantities": {"seats": 1}, "status": "running"}, "status"),
        ({"id": "s", "customer_id": "c", "plan": "p", "quantities": {"seats": 1.5}, "status": "active"}, "seats"),
        ({"id": "", "customer_id": "c", "plan": "p", "quantities": {}, "status": "active"}, "subscription.id"),
        (["not", "an", "object"], "JSON object"),
    ],
)
def test_a_subscription_off_the_contract_is_refused_with_the_field_named(body, message):
    with pytest.raises(Invalid, match=message):
        parse_subscription(body)


def test_usage_quantities_must_be_decimal_strings_not_floats():
    usage = {
        "subscription_id": "s",
        "period_start": "2026-12-01T00:00:00+00:00",
        "period_end": "2026-12-02T00:00:00+00:00",
        "records": [{"metric": "api_calls", "quantity": 0.1, "unit": "call"}],
    }
    with pytest.raises(Invalid, match=r"records\[0\]\.quantity"):
        parse_usage(usage)


def test_unknown_failure_modes_are_refused():
    assert parse_failures(["garbage@change_subscription+get_usage", "flaky"]) == {
        "garbage": {"change_subscription", "get_usage"},
        "flaky": set(),
    }
    with pytest.raises(ValueError, match="unknown failure mode"):
        parse_failures(["explode"])


def test_the_contract_document_resolves_and_covers_every_route_of_the_sample():
    document = yaml.safe_load(CONTRACT.read_text(encoding="utf-8"))
    assert document["openapi"].startswith("3.1")

    def refs(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref":
                    yield value
                else:
                    yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    for ref in refs(document):
        target = document
        for part in ref.removeprefix("#/").split("/"):
            target = target[part]  # a KeyError names the dangling reference

    paths = document["paths"]
    for path, methods in {
        "/customers": {"post"},
        "/customers/{customer_id}/subscriptions": {"get"},
        "/subscriptions": {"post"},
        "/subscriptions/{subscription_id}": {"get", "patch"},
        "/subscriptions/{subscription_id}/usage": {"get"},
        "/operations/{operation_id}": {"get"},
    }.items():
        assert methods <= set(paths[path]), path
    for action in ("suspend", "resume", "cancel"):
        assert paths[f"/subscriptions/{{subscription_id}}/{action}"] == {"$ref": "#/components/pathItems/Transition"}
    assert document["components"]["parameters"]["IdempotencyKey"]["required"] is True
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_a_failure_mode_can_be_chosen_per_request_with_a_header(vendor):
    service = vendor()

    def post(extra: dict) -> tuple[int, str]:
        request = urllib.request.Request(  # noqa: S310 - loopback
            f"{service.base_url}/customers",
            data=json.dumps({"external_id": "x", "name": "X"}).encode(),
            headers={"Authorization": f"Bearer {TOKEN}", "Idempotency-Key": str(len(extra)), **extra},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
                return response.status, response.headers["Content-Type"]
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers["Content-Type"]

    assert post({"Sample-Failure": "error500@create_customer"}) == (500, "application/problem+json")
    assert post({}) == (200, "application/json")
