"""The platform's HTTP client for a vendor's provisioning API (docs/provisioning-api.yaml).

Standard library only. Every call:

- carries ``Authorization: Bearer <token>`` and an ``Idempotency-Key`` (the caller's, or a new
  one) that stays the same on every retry of that call;
- is retried with exponential backoff on a timeout, a connection error or a 5xx answer — never
  on a 4xx, which is the vendor's considered "no";
- is parsed strictly: a 2xx body that is not the JSON object the contract describes is an
  ``invalid_response`` error naming the call, not a half-read result;
- is recorded, attempt by attempt, as a ``CallRecord`` (method, URL, request body, status,
  response excerpt, duration, verdict and a reason) in ``client.calls``; the token never is.

Vendor URLs are https and must resolve to public addresses (no SSRF into our network); plain http
and private addresses are allowed only with ``PROVISIONING_ALLOW_PRIVATE_NETWORKS`` (development,
on-premises vendors, the sample service on loopback). The connection goes to the address that was
checked, so a DNS answer that changes in between cannot redirect it. Redirects are not followed.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import random
import socket
import ssl
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import quote, urlencode, urlsplit

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .parsing import Invalid, parse_customer, parse_list, parse_operation, parse_subscription, parse_usage
from .reasons import Reason

EXCERPT_CHARS = 2000
MAX_BODY_BYTES = 1_000_000
MAX_POLL_INTERVAL = 5.0
RETRYABLE = frozenset({"timeout", "connection", "server"})
CALL_VERDICT_LABELS = {
    "ok": pgettext_lazy("provisioning call", "answered"),
    "retried": pgettext_lazy("provisioning call", "failed, tried again"),
    "refused": pgettext_lazy("provisioning call", "refused by the vendor"),
    "failed": pgettext_lazy("provisioning call", "failed"),
}


@dataclass
class CallRecord:
    """One HTTP exchange with the vendor, as shown to the vendor and to operators."""

    operation: str
    method: str
    url: str
    request_body: str
    idempotency_key: str
    attempt: int
    status: int | None = None
    response_excerpt: str = ""
    duration_ms: int = 0
    verdict: str = "ok"  # ok | retried (failed, tried again) | refused (a 4xx answer) | failed
    reason: Reason | None = None

    @property
    def verdict_label(self) -> str:
        return str(CALL_VERDICT_LABELS[self.verdict])

    def as_dict(self) -> dict:
        return {
            "operation": self.operation,
            "method": self.method,
            "url": self.url,
            "request_body": self.request_body,
            "idempotency_key": self.idempotency_key,
            "attempt": self.attempt,
            "status": self.status,
            "response_excerpt": self.response_excerpt,
            "duration_ms": self.duration_ms,
            "verdict": self.verdict,
            "reason": self.reason.as_dict() if self.reason else None,
        }


class ProvisioningError(Exception):
    """A call that did not succeed. ``kind``: timeout, connection, server, rejected (4xx),
    invalid_response, address_refused, operation_failed or not_completed."""

    def __init__(self, kind: str, operation: str, reason: Reason, *, status=None, problem=None, calls=()) -> None:
        super().__init__(f"{operation}: {reason}")
        self.kind = kind
        self.operation = operation
        self.reason = reason
        self.status = status
        self.problem = problem  # the RFC 9457 body of a rejection, when there was a valid one
        self.calls = list(calls)

    @property
    def retryable(self) -> bool:
        """Whether trying again later may help (the worker's dead-letter decision)."""
        return self.kind in RETRYABLE or self.kind == "not_completed"


@dataclass
class Completion:
    """The outcome of a write: ``done`` with the final ``result``, or ``pending`` with the ``operation``
    (its id and ``status_url``) the vendor completes later (poll it with ``client.wait``)."""

    operation: str
    idempotency_key: str
    done: bool
    result: dict | None = None
    pending: dict | None = None
    calls: list[CallRecord] = field(default_factory=list)


class _Failure(Exception):
    def __init__(self, kind: str, reason: Reason, status=None, excerpt: str = "", problem=None) -> None:
        super().__init__(str(reason))
        self.kind, self.reason, self.status, self.excerpt, self.problem = kind, reason, status, excerpt, problem


def _excerpt(raw: bytes) -> str:
    return raw[:EXCERPT_CHARS].decode("utf-8", "replace").replace("\x00", "\ufffd")


def _is_json(content_type: str, *, problem: bool = False) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    if problem:
        return media == "application/problem+json"
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


def _problem(content_type: str, raw: bytes, status: int) -> dict | None:
    """The RFC 9457 problem in an error answer, or None if the body is not one."""
    if not _is_json(content_type, problem=True):
        return None
    try:
        body = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(body, dict) or not isinstance(body.get("title"), str) or body.get("status") != status:
        return None
    if "type" in body and not isinstance(body["type"], str):
        return None
    return body


class ProvisioningClient:
    """``ProvisioningClient(base_url, token).create_customer(external_id=..., name=...)``."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float | None = None,
        attempts: int | None = None,
        backoff: float | None = None,
        allow_private: bool | None = None,
        callback_url: str = "",
        sleep=time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = float(timeout if timeout is not None else settings.PROVISIONING_TIMEOUT_SECONDS)
        self.attempts = max(1, int(attempts if attempts is not None else settings.PROVISIONING_ATTEMPTS))
        self.backoff = float(backoff if backoff is not None else settings.PROVISIONING_BACKOFF_SECONDS)
        self.allow_private = bool(
            allow_private if allow_private is not None else settings.PROVISIONING_ALLOW_PRIVATE_NETWORKS
        )
        self.callback_url = callback_url
        self.sleep = sleep
        self.calls: list[CallRecord] = []

    # -- the contract
    def create_customer(self, *, external_id: str, name: str, email: str = "", idempotency_key: str = "") -> Completion:
        body = {"external_id": external_id, "name": name, "email": email}
        return self._write("create_customer", "POST", "/customers", body, idempotency_key, parse_customer)

    def create_subscription(
        self, *, customer_id: str, plan: str, quantities: dict[str, int], idempotency_key: str = ""
    ) -> Completion:
        body = {"customer_id": customer_id, "plan": plan, "quantities": quantities}
        return self._write("create_subscription", "POST", "/subscriptions", body, idempotency_key, parse_subscription)

    def change_subscription(
        self, subscription_id: str, *, plan: str = "", quantities: dict[str, int] | None = None, idempotency_key=""
    ) -> Completion:
        body: dict = {}
        if plan:
            body["plan"] = plan
        if quantities is not None:
            body["quantities"] = quantities
        path = f"/subscriptions/{_segment(subscription_id)}"
        return self._write("change_subscription", "PATCH", path, body, idempotency_key, parse_subscription)

    def suspend_subscription(self, subscription_id: str, *, idempotency_key: str = "") -> Completion:
        return self._action("suspend", subscription_id, idempotency_key)

    def resume_subscription(self, subscription_id: str, *, idempotency_key: str = "") -> Completion:
        return self._action("resume", subscription_id, idempotency_key)

    def cancel_subscription(self, subscription_id: str, *, idempotency_key: str = "") -> Completion:
        return self._action("cancel", subscription_id, idempotency_key)

    def get_subscription(self, subscription_id: str, *, idempotency_key: str = "") -> dict:
        path = f"/subscriptions/{_segment(subscription_id)}"
        return self._read("get_subscription", path, idempotency_key, parse_subscription)

    def list_subscriptions(self, customer_id: str, *, idempotency_key: str = "") -> list[dict]:
        path = f"/customers/{_segment(customer_id)}/subscriptions"
        return self._read("list_subscriptions", path, idempotency_key, parse_list)

    def get_usage(
        self, subscription_id: str, *, period_start: datetime, period_end: datetime, idempotency_key=""
    ) -> dict:
        """The usage the vendor measured in the period (pulled by the platform, quantities as Decimal)."""
        query = urlencode({"period_start": period_start.isoformat(), "period_end": period_end.isoformat()})
        path = f"/subscriptions/{_segment(subscription_id)}/usage?{query}"
        return self._read("get_usage", path, idempotency_key, parse_usage)

    def get_operation(self, status_url: str, *, operation: str = "get_operation", idempotency_key: str = "") -> dict:
        if not self._same_origin(status_url):
            reason = Reason(_("The status URL %(url)s is not on the vendor's API address."), url=status_url)
            raise ProvisioningError("invalid_response", operation, reason)
        key = idempotency_key or str(uuid.uuid4())
        return self._call(operation, "GET", status_url, None, key, parse_operation)[1]

    def wait(self, completion: Completion, *, within: float, interval: float = 0.05) -> Completion:
        """Poll a pending completion's status URL (waits doubling from ``interval``) until it is done, failed
        or ``within`` seconds pass. A callback from the vendor is only a hint to call this early."""
        if completion.done:
            return completion
        assert completion.pending is not None
        status_url = completion.pending["status_url"]
        deadline = time.monotonic() + within
        parser = _PARSERS[completion.operation]
        while True:
            first = len(self.calls)
            state = self.get_operation(status_url, operation=completion.operation)
            completion.calls.extend(self.calls[first:])
            if state["status"] == "succeeded":
                try:
                    result = parser(state["result"])
                except Invalid as exc:
                    reason = Reason(_("The completed operation's result is not valid: %(error)s"), error=exc)
                    raise ProvisioningError(
                        "invalid_response", completion.operation, reason, calls=completion.calls
                    ) from exc
                completion.done, completion.result = True, result
                return completion
            if state["status"] == "failed":
                reason = Reason(_("The vendor reports that the operation failed."))
                raise ProvisioningError(
                    "operation_failed",
                    completion.operation,
                    reason,
                    problem=state.get("problem"),
                    calls=completion.calls,
                )
            if time.monotonic() >= deadline:
                reason = Reason(_("The operation did not complete within %(seconds)s seconds."), seconds=within)
                raise ProvisioningError("not_completed", completion.operation, reason, calls=completion.calls)
            self.sleep(interval)
            interval = min(interval * 2, MAX_POLL_INTERVAL)

    # -- plumbing
    def _action(self, action: str, subscription_id: str, idempotency_key: str) -> Completion:
        path = f"/subscriptions/{_segment(subscription_id)}/{action}"
        return self._write(f"{action}_subscription", "POST", path, {}, idempotency_key, parse_subscription)

    def _read(self, operation: str, path: str, idempotency_key: str, parser):
        key = idempotency_key or str(uuid.uuid4())
        return self._call(operation, "GET", self.base_url + path, None, key, parser)[1]

    def _write(self, operation, method, path, body, idempotency_key, parser) -> Completion:
        key = idempotency_key or str(uuid.uuid4())
        first = len(self.calls)
        status, data = self._call(operation, method, self.base_url + path, body, key, parser, accept_pending=True)
        calls = self.calls[first:]
        if status == 202:
            return Completion(operation, key, done=False, pending=data, calls=calls)
        return Completion(operation, key, done=True, result=data, calls=calls)

    def _same_origin(self, url: str) -> bool:
        a, b = urlsplit(url), urlsplit(self.base_url)
        return (a.scheme, a.hostname, a.port) == (b.scheme, b.hostname, b.port)

    def _call(self, operation, method, url, body, key, parser, *, accept_pending: bool = False):
        payload = json.dumps(body).encode() if body is not None else None
        headers = {
            "Authorization": f"Bearer {self.token}",
            "Idempotency-Key": key,
            "Accept": "application/json, application/problem+json",
        }
        if payload is not None:
            headers["Content-Type"] = "application/json"
            if self.callback_url:
                headers["Callback-Url"] = self.callback_url
        request_text = payload.decode() if payload is not None else ""
        first = len(self.calls)
        for attempt in range(1, self.attempts + 1):
            record = CallRecord(operation, method, url, request_text, key, attempt)
            self.calls.append(record)
            started = time.monotonic()
            try:
                status, content_type, raw = self._exchange(method, url, payload, headers)
                record.status, record.response_excerpt = status, _excerpt(raw)
                result = self._interpret(status, content_type, raw, parser, accept_pending)
            except _Failure as failure:
                record.duration_ms = int((time.monotonic() - started) * 1000)
                record.status = record.status or failure.status
                record.response_excerpt = record.response_excerpt or failure.excerpt
                record.reason = failure.reason
                if failure.kind in RETRYABLE and attempt < self.attempts:
                    record.verdict = "retried"
                    self.sleep(self.backoff * 2 ** (attempt - 1) * (1 + random.random() / 10))  # noqa: S311
                    continue
                record.verdict = "refused" if failure.kind == "rejected" else "failed"
                raise ProvisioningError(
                    failure.kind,
                    operation,
                    failure.reason,
                    status=failure.status,
                    problem=failure.problem,
                    calls=self.calls[first:],
                ) from None
            record.duration_ms = int((time.monotonic() - started) * 1000)
            return result
        raise AssertionError("unreachable")  # pragma: no cover

    def _interpret(self, status, content_type, raw, parser, accept_pending):
        if status >= 500:
            raise _Failure(
                "server", Reason(_("The vendor's API failed with status %(status)s."), status=status), status
            )
        if 400 <= status < 500:
            problem = _problem(content_type, raw, status)
            if problem is None:
                reason = Reason(
                    _("The vendor refused the call with status %(status)s, without a problem-details body."),
                    status=status,
                )
            else:
                reason = Reason(
                    _("The vendor refused the call (%(status)s): %(title)s"), status=status, title=problem["title"]
                )
            raise _Failure("rejected", reason, status, problem=problem)
        if status not in (200, 202) or (status == 202 and not accept_pending):
            reason = Reason(
                _("The vendor answered with status %(status)s, which the contract does not allow here."), status=status
            )
            raise _Failure("invalid_response", reason, status)
        if not _is_json(content_type):
            reason = Reason(_("The answer is not JSON (Content-Type %(type)s)."), type=content_type or "—")
            raise _Failure("invalid_response", reason, status)
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise _Failure("invalid_response", Reason(_("The answer is not valid JSON.")), status) from None
        try:
            if status == 202:
                pending = parse_operation(data)
                if pending["status"] != "pending" or not self._same_origin(pending["status_url"]):
                    raise Invalid(
                        str(_("a 202 answer must be a pending operation with a status URL on the API's address"))
                    )
                return status, pending
            return status, parser(data)
        except Invalid as exc:
            reason = Reason(_("The answer does not follow the contract: %(error)s"), error=exc)
            raise _Failure("invalid_response", reason, status) from None

    # -- the wire
    def _exchange(self, method: str, url: str, payload: bytes | None, headers: dict) -> tuple[int, str, bytes]:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if parts.scheme not in ("http", "https") or not host or parts.username or parts.password:
            raise _Failure("address_refused", Reason(_("The API address must be an http(s) URL without credentials.")))
        if parts.scheme == "http" and not self.allow_private:
            raise _Failure("address_refused", Reason(_("The API address must use https.")))
        port = parts.port or (443 if parts.scheme == "https" else 80)
        address = self._checked_address(host, port)
        if parts.scheme == "https":
            connection = http.client.HTTPSConnection(
                host, port, timeout=self.timeout, context=ssl.create_default_context()
            )
        else:
            connection = http.client.HTTPConnection(host, port, timeout=self.timeout)
        connection._create_connection = lambda _addr, timeout, source: socket.create_connection(  # type: ignore[attr-defined]
            (address, port), timeout, source
        )
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        try:
            connection.request(method, target or "/", body=payload, headers=headers)
            response = connection.getresponse()
            raw = response.read(MAX_BODY_BYTES)
            return response.status, response.getheader("Content-Type", ""), raw
        except TimeoutError:
            reason = Reason(_("No answer within %(seconds)s seconds."), seconds=self.timeout)
            raise _Failure("timeout", reason) from None
        except ConnectionRefusedError:
            raise _Failure("connection", Reason(_("The vendor's API refused the connection."))) from None
        except ssl.SSLError:
            raise _Failure("connection", Reason(_("The TLS connection to the vendor's API failed."))) from None
        except (OSError, http.client.HTTPException):
            raise _Failure("connection", Reason(_("The connection to the vendor's API failed."))) from None
        finally:
            connection.close()

    def _checked_address(self, host: str, port: int) -> str:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError:
            raise _Failure(
                "connection", Reason(_("The host name %(host)s could not be resolved."), host=host)
            ) from None
        addresses = [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos]
        for address in addresses:
            mapped = getattr(address, "ipv4_mapped", None) or address
            if mapped.is_link_local or mapped.is_multicast or mapped.is_unspecified or mapped.is_reserved:
                raise _Failure("address_refused", Reason(_("The API address resolves to a reserved address.")))
            if not mapped.is_global and not self.allow_private:
                raise _Failure("address_refused", Reason(_("The API address resolves to a private address.")))
        if not addresses:
            raise _Failure("connection", Reason(_("The host name %(host)s could not be resolved."), host=host))
        return str(addresses[0])


def _segment(value: str) -> str:
    """An id as one path segment (a vendor's id must not walk the path)."""
    return quote(str(value), safe="")


_PARSERS = {
    "create_customer": parse_customer,
    "create_subscription": parse_subscription,
    "change_subscription": parse_subscription,
    "suspend_subscription": parse_subscription,
    "resume_subscription": parse_subscription,
    "cancel_subscription": parse_subscription,
}
