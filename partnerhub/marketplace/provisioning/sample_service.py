"""A sample vendor service: the provisioning contract (docs/provisioning-api.yaml) in memory.

A real HTTP server (``http.server``, one thread per request) for the demo and for tests on
loopback. It completes calls synchronously (200) or, with ``completion="async"``, answers 202 with a
status URL and completes at the first poll, posting the operation to the platform's
``Callback-Url`` if one was given.

Failure modes make it misbehave on purpose, for every call or for some operations only
(``"garbage@change_subscription"``), chosen at start (``failures=[...]``, ``--failure``) or per
request with the ``Sample-Failure`` header (same syntax):

``timeout``         answers only after ``hang_seconds`` (longer than the client waits)
``error500``        answers 500 with a problem body
``flaky``           answers 500 to the first attempt of each idempotency key, then works
``lost_response``   does the work, then hangs on the first attempt of each key (the answer is lost)
``garbage``         answers 200 with a body that is not the JSON the contract describes
``slow_callback``   answers 202; the operation completes (and the callback is sent) after ``slow_seconds``
``not_idempotent``  ignores the Idempotency-Key: a retry creates a second subscription
``sloppy_errors``   accepts invalid requests, and answers errors as plain text, not problem details
``stuck_state``     answers 200 to suspend/resume/cancel/change but changes nothing

Run it: ``python -m partnerhub.marketplace.provisioning.sample_service --port 8765 --token secret``.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import threading
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

FAILURE_KINDS = (
    "timeout",
    "error500",
    "flaky",
    "lost_response",
    "garbage",
    "slow_callback",
    "not_idempotent",
    "sloppy_errors",
    "stuck_state",
)
OPERATIONS = (
    "create_customer",
    "list_subscriptions",
    "create_subscription",
    "get_subscription",
    "change_subscription",
    "suspend_subscription",
    "resume_subscription",
    "cancel_subscription",
    "get_usage",
    "get_operation",
)
PROBLEM_BASE = "https://partnerhub.example/problems/provisioning/"
# Allowed state changes: action -> (states it starts from, state it leads to).
TRANSITIONS = {
    "suspend_subscription": ({"active"}, "suspended"),
    "resume_subscription": ({"suspended"}, "active"),
    "cancel_subscription": ({"active", "suspended"}, "cancelled"),
}


def parse_failures(specs) -> dict[str, set[str]]:
    """``["garbage@change_subscription", "flaky"]`` -> {kind: operations (empty: all)}; ValueError if unknown."""
    parsed: dict[str, set[str]] = {}
    for spec in specs or ():
        for item in str(spec).split(","):
            item = item.strip()
            if not item:
                continue
            kind, _, ops = item.partition("@")
            if kind not in FAILURE_KINDS:
                raise ValueError(f"unknown failure mode {kind!r} (known: {', '.join(FAILURE_KINDS)})")
            operations = {op for op in ops.split("+") if op}
            unknown = operations - set(OPERATIONS)
            if unknown:
                raise ValueError(f"unknown operation(s) {sorted(unknown)} in {item!r}")
            parsed.setdefault(kind, set()).update(operations)
    return parsed


class _Answer(Exception):
    """Ends a request early with a problem body."""

    def __init__(self, status: int, code: str, title: str, detail: str = "", errors=None) -> None:
        super().__init__(detail or title)
        self.status, self.code, self.title, self.detail, self.errors = status, code, title, detail, errors


@dataclass
class _State:
    customers: dict = field(default_factory=dict)
    subscriptions: dict = field(default_factory=dict)
    operations: dict = field(default_factory=dict)
    idempotent: dict = field(default_factory=dict)  # key -> (fingerprint, status, body, headers)
    attempts: dict = field(default_factory=dict)  # key -> how many requests carried it
    requests: list = field(default_factory=list)  # (method, path, idempotency key) of every request
    ids: itertools.count = field(default_factory=lambda: itertools.count(1))


class SampleService:
    """The server: ``with SampleService(failures=["flaky"]) as svc: ... svc.base_url``."""

    def __init__(
        self,
        *,
        token: str = "sample-token",  # noqa: S107 - the sample's well-known demo token
        host: str = "127.0.0.1",
        port: int = 0,
        completion: str = "sync",
        failures=(),
        hang_seconds: float = 2.0,
        slow_seconds: float = 1.0,
    ) -> None:
        if completion not in ("sync", "async"):
            raise ValueError("completion is 'sync' or 'async'")
        self.token = token
        self.completion = completion
        self.failures = parse_failures(failures)
        self.hang_seconds = hang_seconds
        self.slow_seconds = slow_seconds
        self.state = _State()
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.callbacks_sent: list[tuple[str, dict]] = []
        self._server = ThreadingHTTPServer((host, port), _Handler)
        self._server.daemon_threads = True
        self._server.service = self  # type: ignore[attr-defined]
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def start(self) -> SampleService:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="sample-vendor", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> SampleService:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def serve_forever(self) -> None:
        try:
            self._server.serve_forever()
        finally:
            self.stopping.set()
            self._server.server_close()

    # -- for tests and the demo: what the service holds
    def subscriptions_of(self, customer_id: str) -> list[dict]:
        with self.lock:
            return [dict(s) for s in self.state.subscriptions.values() if s["customer_id"] == customer_id]

    def requests_seen(self) -> list[tuple[str, str, str]]:
        with self.lock:
            return list(self.state.requests)

    def next_id(self, prefix: str) -> str:
        return f"{prefix}_{next(self.state.ids):06d}"


class _Handler(BaseHTTPRequestHandler):
    server_version = "SampleVendor/1.0"
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass  # quiet: tests and the demo read the platform's call records instead

    @property
    def svc(self) -> SampleService:
        return self.server.service  # type: ignore[attr-defined]

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_PATCH(self):
        self._dispatch("PATCH")

    # -- plumbing
    def _route(self, method: str, parts: list[str]) -> tuple[str, list[str]]:
        routes = {
            ("POST", ("customers",)): "create_customer",
            ("GET", ("customers", "*", "subscriptions")): "list_subscriptions",
            ("POST", ("subscriptions",)): "create_subscription",
            ("GET", ("subscriptions", "*")): "get_subscription",
            ("PATCH", ("subscriptions", "*")): "change_subscription",
            ("POST", ("subscriptions", "*", "suspend")): "suspend_subscription",
            ("POST", ("subscriptions", "*", "resume")): "resume_subscription",
            ("POST", ("subscriptions", "*", "cancel")): "cancel_subscription",
            ("GET", ("subscriptions", "*", "usage")): "get_usage",
            ("GET", ("operations", "*")): "get_operation",
        }
        for (verb, pattern), name in routes.items():
            matches = len(pattern) == len(parts) and all(p in ("*", q) for p, q in zip(pattern, parts, strict=True))
            if verb == method and matches:
                return name, [q for p, q in zip(pattern, parts, strict=True) if p == "*"]
        raise _Answer(404, "not-found", "No such resource", f"{method} {self.path} is not part of the contract.")

    def _failing(self, kind: str, operation: str) -> bool:
        header = self.headers.get("Sample-Failure", "")
        try:
            per_request = parse_failures([header]) if header else {}
        except ValueError:
            per_request = {}
        for failures in (self.svc.failures, per_request):
            if kind in failures and (not failures[kind] or operation in failures[kind]):
                return True
        return False

    def _send(self, status: int, body: bytes, content_type: str, extra: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _problem(self, answer: _Answer, operation: str) -> tuple[int, bytes, str]:
        if self._failing("sloppy_errors", operation):
            return answer.status, b"bad request", "text/plain"
        problem = {"type": PROBLEM_BASE + answer.code, "title": answer.title, "status": answer.status}
        if answer.detail:
            problem["detail"] = answer.detail
        if answer.errors:
            problem["errors"] = answer.errors
        return answer.status, json.dumps(problem).encode(), "application/problem+json"

    def _dispatch(self, method: str) -> None:
        svc = self.svc
        split = urlsplit(self.path)
        parts = [p for p in split.path.split("/") if p]
        if parts[:1] == ["v1"]:
            parts = parts[1:]
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        key = self.headers.get("Idempotency-Key", "")
        operation = "unknown"
        with svc.lock:
            svc.state.requests.append((method, split.path, key))
            attempt = svc.state.attempts[key] = svc.state.attempts.get(key, 0) + 1
        try:
            operation, args = self._route(method, parts)
            if self.headers.get("Authorization", "") != f"Bearer {svc.token}":
                raise _Answer(401, "unauthorized", "Missing or wrong bearer token")
            if not key:
                raise _Answer(400, "idempotency-key-missing", "The Idempotency-Key header is required")
            if self._failing("timeout", operation):
                svc.stopping.wait(svc.hang_seconds)
            if self._failing("error500", operation) or (self._failing("flaky", operation) and attempt == 1):
                raise _Answer(500, "internal", "Internal error", "The sample service failed on purpose.")
            if self._failing("garbage", operation):
                self._send(200, b"<html><body>Service temporarily unavailable</body></html>", "application/json")
                return
            status, body, extra = self._handle(method, operation, args, split.query, raw, key)
            if self._failing("lost_response", operation) and attempt == 1:
                svc.stopping.wait(svc.hang_seconds)
            self._send(status, body, "application/json", extra)
        except _Answer as answer:
            status, body, content_type = self._problem(answer, operation)
            extra = {"WWW-Authenticate": "Bearer"} if status == 401 else None
            self._send(status, body, content_type, extra)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (the timeout modes)

    def _handle(self, method, operation, args, query, raw, key) -> tuple[int, bytes, dict]:
        svc = self.svc
        if method == "GET":
            with svc.lock:
                result = getattr(self, "_" + operation)(*args, query=query)
            return 200, json.dumps(result).encode(), {}
        try:
            payload = json.loads(raw or b"{}")
        except ValueError:
            raise _Answer(400, "malformed", "The body is not JSON") from None
        if not isinstance(payload, dict):
            raise _Answer(400, "malformed", "The body must be a JSON object")
        fingerprint = hashlib.sha256(f"{method} {self.path} ".encode() + raw).hexdigest()
        idempotent = not self._failing("not_idempotent", operation)
        with svc.lock:
            if idempotent and key in svc.state.idempotent:
                stored_fingerprint, status, body, extra = svc.state.idempotent[key]
                if stored_fingerprint != fingerprint:
                    raise _Answer(
                        422, "idempotency-key-reused", "Idempotency key reused", "This key came with another request."
                    )
                return status, body, extra
            result = getattr(self, "_" + operation)(*args, payload=payload)
            status, body, extra = self._complete(operation, result)
            if idempotent:
                svc.state.idempotent[key] = (fingerprint, status, body, extra)
        return status, body, extra

    def _complete(self, operation: str, result: dict) -> tuple[int, bytes, dict]:
        svc = self.svc
        slow = self._failing("slow_callback", operation)
        if svc.completion == "sync" and not slow:
            return 200, json.dumps(result).encode(), {}
        op_id = svc.next_id("op")
        status_url = f"{svc.base_url}/operations/{op_id}"
        delay = svc.slow_seconds if slow else 0.0
        pending = {"id": op_id, "operation": operation, "status": "pending", "status_url": status_url}
        svc.state.operations[op_id] = {"public": pending, "result": result, "delay": delay, "done": False}
        callback = self.headers.get("Callback-Url", "")
        if not delay:
            _finish(svc, op_id)  # async: completed by the time anyone polls
        if callback or delay:
            threading.Thread(target=_finish_later, args=(svc, op_id, callback, delay), daemon=True).start()
        return 202, json.dumps(pending).encode(), {"Location": status_url}

    # -- the operations (called under the lock)
    def _subscription(self, sub_id: str) -> dict:
        subscription = self.svc.state.subscriptions.get(sub_id)
        if subscription is None:
            raise _Answer(404, "not-found", "No such subscription", f"There is no subscription {sub_id}.")
        return subscription

    def _lax(self, operation: str) -> bool:
        return self._failing("sloppy_errors", operation)

    def _create_customer(self, *, payload) -> dict:
        errors = [
            {"field": name, "message": "required"}
            for name in ("external_id", "name")
            if not isinstance(payload.get(name), str) or not payload.get(name).strip()
        ]
        if errors and not self._lax("create_customer"):
            raise _Answer(422, "validation", "Invalid customer", "Some fields are missing or wrong.", errors)
        customer_id = self.svc.next_id("cus")
        customer = {
            "id": customer_id,
            "external_id": str(payload.get("external_id", "")),
            "name": str(payload.get("name", "")),
            "email": str(payload.get("email", "")),
            "status": "active",
        }
        self.svc.state.customers[customer_id] = customer
        return dict(customer)

    @staticmethod
    def _quantity_errors(quantities) -> list[dict]:
        if not isinstance(quantities, dict) or not quantities:
            return [{"field": "quantities", "message": "a non-empty object of resource: count"}]
        return [
            {"field": f"quantities.{name}", "message": "a whole number, zero or more"}
            for name, count in quantities.items()
            if not isinstance(count, int) or isinstance(count, bool) or count < 0
        ]

    def _create_subscription(self, *, payload) -> dict:
        errors = []
        if payload.get("customer_id") not in self.svc.state.customers:
            errors.append({"field": "customer_id", "message": "no such customer"})
        if not isinstance(payload.get("plan"), str) or not payload.get("plan"):
            errors.append({"field": "plan", "message": "required"})
        errors += self._quantity_errors(payload.get("quantities"))
        if errors and not self._lax("create_subscription"):
            raise _Answer(422, "validation", "Invalid subscription", "Some fields are missing or wrong.", errors)
        sub_id = self.svc.next_id("sub")
        subscription = {
            "id": sub_id,
            "customer_id": str(payload.get("customer_id", "")),
            "plan": str(payload.get("plan", "")),
            "quantities": payload.get("quantities") if isinstance(payload.get("quantities"), dict) else {},
            "status": "active",
        }
        self.svc.state.subscriptions[sub_id] = subscription
        return dict(subscription)

    def _list_subscriptions(self, customer_id, *, query) -> dict:
        if customer_id not in self.svc.state.customers:
            raise _Answer(404, "not-found", "No such customer")
        return {"items": [dict(s) for s in self.svc.state.subscriptions.values() if s["customer_id"] == customer_id]}

    def _get_subscription(self, sub_id, *, query) -> dict:
        return dict(self._subscription(sub_id))

    def _change_subscription(self, sub_id, *, payload) -> dict:
        subscription = self._subscription(sub_id)
        errors = []
        if "plan" in payload and (not isinstance(payload["plan"], str) or not payload["plan"]):
            errors.append({"field": "plan", "message": "a plan code"})
        if "quantities" in payload:
            errors += self._quantity_errors(payload["quantities"])
        if not ({"plan", "quantities"} & payload.keys()):
            errors.append({"field": "plan", "message": "give a plan, quantities or both"})
        if errors and not self._lax("change_subscription"):
            raise _Answer(422, "validation", "Invalid change", "Some fields are missing or wrong.", errors)
        if subscription["status"] != "active":
            raise _Answer(409, "wrong-state", "Only an active subscription can be changed")
        if not self._failing("stuck_state", "change_subscription"):
            if "plan" in payload:
                subscription["plan"] = payload["plan"]
            if isinstance(payload.get("quantities"), dict):
                subscription["quantities"] = {**subscription["quantities"], **payload["quantities"]}
        return dict(subscription)

    def _transition(self, operation: str, sub_id: str) -> dict:
        subscription = self._subscription(sub_id)
        sources, target = TRANSITIONS[operation]
        if subscription["status"] not in sources:
            raise _Answer(
                409, "wrong-state", "Not allowed in this state", f"The subscription is {subscription['status']}."
            )
        if not self._failing("stuck_state", operation):
            subscription["status"] = target
        return dict(subscription)

    def _suspend_subscription(self, sub_id, *, payload) -> dict:
        return self._transition("suspend_subscription", sub_id)

    def _resume_subscription(self, sub_id, *, payload) -> dict:
        return self._transition("resume_subscription", sub_id)

    def _cancel_subscription(self, sub_id, *, payload) -> dict:
        return self._transition("cancel_subscription", sub_id)

    def _get_usage(self, sub_id, *, query) -> dict:
        subscription = self._subscription(sub_id)
        params = parse_qs(query)
        try:
            start = datetime.fromisoformat(params["period_start"][0])
            end = datetime.fromisoformat(params["period_end"][0])
        except (KeyError, IndexError, ValueError):
            raise _Answer(400, "validation", "period_start and period_end are ISO 8601 date-times") from None
        if end <= start:
            raise _Answer(400, "validation", "The period ends before it starts")
        hours = int((end - start).total_seconds() // 3600)
        seats = sum(subscription["quantities"].values())
        return {
            "subscription_id": sub_id,
            "period_start": params["period_start"][0],
            "period_end": params["period_end"][0],
            "records": [
                {"metric": "api_calls", "quantity": str(120 * seats), "unit": "call"},
                {"metric": "storage_gb_hours", "quantity": f"{hours * 2.5:.3f}", "unit": "GB·h"},
            ],
        }

    def _get_operation(self, op_id, *, query) -> dict:
        operation = self.svc.state.operations.get(op_id)
        if operation is None:
            raise _Answer(404, "not-found", "No such operation")
        return dict(operation["public"])


def _finish(svc: SampleService, op_id: str) -> dict:
    operation = svc.state.operations[op_id]
    operation["public"] = {**operation["public"], "status": "succeeded", "result": operation["result"]}
    operation["done"] = True
    return dict(operation["public"])


def _finish_later(svc: SampleService, op_id: str, callback: str, delay: float) -> None:
    if delay and svc.stopping.wait(delay):
        return
    with svc.lock:
        body = _finish(svc, op_id) if delay else dict(svc.state.operations[op_id]["public"])
    if not callback:
        return
    request = urllib.request.Request(  # noqa: S310 - the platform gave this URL; the sample runs on loopback
        callback, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=5):  # noqa: S310
            svc.callbacks_sent.append((callback, body))
    except OSError:
        svc.callbacks_sent.append((callback, {"error": "not delivered", **body}))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="A sample vendor service implementing the provisioning API.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--token", default="sample-token", help="the bearer token the platform must send")
    parser.add_argument("--completion", choices=("sync", "async"), default="sync")
    parser.add_argument(
        "--failure",
        action="append",
        default=[],
        help=f"a failure mode, optionally @operation: {', '.join(FAILURE_KINDS)}",
    )
    parser.add_argument("--hang-seconds", type=float, default=30.0)
    parser.add_argument("--slow-seconds", type=float, default=10.0)
    args = parser.parse_args(argv)
    try:
        service = SampleService(
            token=args.token,
            host=args.host,
            port=args.port,
            completion=args.completion,
            failures=args.failure,
            hang_seconds=args.hang_seconds,
            slow_seconds=args.slow_seconds,
        )
    except ValueError as exc:
        parser.error(str(exc))
    print(f"Sample vendor service at {service.base_url} (token {args.token!r}); Ctrl-C stops it.", flush=True)
    try:
        service.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
