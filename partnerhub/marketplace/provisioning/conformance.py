"""The conformance suite: does a vendor's API follow the provisioning contract?

``run_conformance(base_url, token)`` plays a subscription's whole life against the vendor —
create a customer, create a subscription, change its quantity, suspend, resume, cancel, pull its
usage —, then retries a call with the same idempotency key and sends an invalid request and a
wrong token. The report lists the checks in that order, each with its verdict, a reason a
person can read (translated when shown) and the exact calls it made. A listing can be submitted
only when ``report.passed``.

A check whose prerequisite failed (no customer, no subscription) is *skipped*, which is not a
pass. The suite creates its own customer (external id ``conformance-…``) and cancels what it creates.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .client import CallRecord, Completion, ProvisioningClient, ProvisioningError
from .reasons import Reason

PASSED, FAILED, SKIPPED = "passed", "failed", "skipped"
VERDICT_LABELS = {
    PASSED: pgettext_lazy("conformance verdict", "passed"),
    FAILED: pgettext_lazy("conformance verdict", "failed"),
    SKIPPED: pgettext_lazy("conformance verdict", "skipped"),
}


@dataclass
class CheckResult:
    code: str
    title: object  # a lazy translated title
    verdict: str
    reason: Reason
    calls: list[CallRecord] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.verdict == PASSED

    @property
    def verdict_label(self) -> str:
        return str(VERDICT_LABELS[self.verdict])

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "title": str(self.title),
            "verdict": self.verdict,
            "reason": self.reason.as_dict(),
            "calls": [call.as_dict() for call in self.calls],
        }


@dataclass
class ConformanceReport:
    base_url: str
    started_at: datetime
    checks: list[CheckResult]

    @property
    def passed(self) -> bool:
        """Every check passed (a skipped check is not a pass)."""
        return bool(self.checks) and all(check.passed for check in self.checks)

    @property
    def failed(self) -> list[CheckResult]:
        return [check for check in self.checks if not check.passed]

    def check(self, code: str) -> CheckResult:
        return next(check for check in self.checks if check.code == code)

    def as_dict(self) -> dict:
        return {
            "base_url": self.base_url,
            "started_at": self.started_at.isoformat(),
            "passed": self.passed,
            "checks": [check.as_dict() for check in self.checks],
        }


class _CheckFailed(Exception):
    def __init__(self, reason: Reason) -> None:
        super().__init__(str(reason))
        self.reason = reason


@dataclass
class _Run:
    client: ProvisioningClient
    plan: str
    resource: str
    within: float
    customer_id: str = ""
    subscription_id: str = ""
    suspended: bool = False


def _finish(run: _Run, completion: Completion) -> dict:
    """The final state of a write, polling the vendor's status URL if it answered 202."""
    completion = run.client.wait(completion, within=run.within)
    assert completion.result is not None
    return completion.result


def _expect(condition: bool, message, **params) -> None:
    if not condition:
        raise _CheckFailed(Reason(message, **params))


def _check_create_customer(run: _Run) -> Reason:
    external_id = f"conformance-{uuid.uuid4().hex[:12]}"
    customer = _finish(
        run,
        run.client.create_customer(
            external_id=external_id, name="Partnerhub conformance check", email="conformance@example.com"
        ),
    )
    _expect(
        customer["external_id"] == external_id,
        _("The customer came back with external id %(got)s instead of %(sent)s."),
        got=customer["external_id"],
        sent=external_id,
    )
    run.customer_id = customer["id"]
    return Reason(_("Customer %(id)s created."), id=customer["id"])


def _expect_subscription(subscription: dict, *, status: str, run: _Run) -> None:
    _expect(
        subscription["id"] == run.subscription_id,
        _("The answer describes subscription %(got)s, not %(expected)s."),
        got=subscription["id"],
        expected=run.subscription_id,
    )
    _expect(
        subscription["status"] == status,
        _("The subscription is %(got)s; it should be %(expected)s."),
        got=subscription["status"],
        expected=status,
    )


def _check_create_subscription(run: _Run) -> Reason:
    subscription = _finish(
        run,
        run.client.create_subscription(customer_id=run.customer_id, plan=run.plan, quantities={run.resource: 2}),
    )
    _expect(
        subscription["customer_id"] == run.customer_id,
        _("The subscription belongs to customer %(got)s, not %(expected)s."),
        got=subscription["customer_id"],
        expected=run.customer_id,
    )
    run.subscription_id = subscription["id"]
    _expect_subscription(subscription, status="active", run=run)
    _expect(
        subscription["quantities"].get(run.resource) == 2,
        _("The subscription holds %(got)s of %(resource)s; 2 were ordered."),
        got=subscription["quantities"].get(run.resource),
        resource=run.resource,
    )
    return Reason(_("Subscription %(id)s created and active."), id=subscription["id"])


def _check_change_quantity(run: _Run) -> Reason:
    changed = _finish(run, run.client.change_subscription(run.subscription_id, quantities={run.resource: 5}))
    _expect_subscription(changed, status="active", run=run)
    again = run.client.get_subscription(run.subscription_id)
    for subscription in (changed, again):
        _expect(
            subscription["quantities"].get(run.resource) == 5,
            _("After the change to 5 the subscription still holds %(got)s of %(resource)s."),
            got=subscription["quantities"].get(run.resource),
            resource=run.resource,
        )
    return Reason(_("The quantity of %(resource)s changed from 2 to 5."), resource=run.resource)


def _state_check(action: str, status: str, done_message) -> Callable[[_Run], Reason]:
    def check(run: _Run) -> Reason:
        method = getattr(run.client, f"{action}_subscription")
        _expect_subscription(_finish(run, method(run.subscription_id)), status=status, run=run)
        _expect_subscription(run.client.get_subscription(run.subscription_id), status=status, run=run)
        run.suspended = status == "suspended"
        return Reason(done_message)

    return check


def _check_usage(run: _Run) -> Reason:
    end = datetime.now(UTC).replace(microsecond=0)
    usage = run.client.get_usage(run.subscription_id, period_start=end - timedelta(days=1), period_end=end)
    _expect(
        usage["subscription_id"] == run.subscription_id,
        _("The usage describes subscription %(got)s, not %(expected)s."),
        got=usage["subscription_id"],
        expected=run.subscription_id,
    )
    return Reason(_("Usage reported: %(count)s record(s) for the last 24 hours."), count=len(usage["records"]))


def _check_idempotent_retry(run: _Run) -> Reason:
    before = len(run.client.list_subscriptions(run.customer_id))
    key = f"conformance-{uuid.uuid4()}"
    order = {"customer_id": run.customer_id, "plan": run.plan, "quantities": {run.resource: 1}}
    first = _finish(run, run.client.create_subscription(**order, idempotency_key=key))
    second = _finish(run, run.client.create_subscription(**order, idempotency_key=key))
    after = run.client.list_subscriptions(run.customer_id)
    created = {first["id"], second["id"]}
    for subscription_id in created:  # leave nothing running (best effort: the verdict is about the retry)
        if any(s["id"] == subscription_id and s["status"] != "cancelled" for s in after):
            try:
                _finish(run, run.client.cancel_subscription(subscription_id))
            except ProvisioningError:
                pass
    _expect(
        first["id"] == second["id"],
        _("Sending the same request twice with one Idempotency-Key created two subscriptions (%(first)s, %(second)s)."),
        first=first["id"],
        second=second["id"],
    )
    _expect(
        len(after) == before + 1,
        _("The customer had %(before)s subscription(s) and has %(after)s after one order sent twice."),
        before=before,
        after=len(after),
    )
    return Reason(_("The repeated request returned subscription %(id)s again; no second one."), id=first["id"])


def _expect_problem(error: ProvisioningError | None, status_range: range, what) -> ProvisioningError:
    _expect(error is not None, _("The vendor accepted %(what)s; it should refuse it with a 4xx answer."), what=what)
    assert error is not None
    _expect(
        error.kind == "rejected" and error.status in status_range,
        _("The vendor answered %(what)s with %(outcome)s instead of a 4xx answer."),
        what=what,
        outcome=error.status or error.reason,
    )
    _expect(
        error.problem is not None,
        _("The vendor refused %(what)s with status %(status)s but without a problem-details body (RFC 9457)."),
        what=what,
        status=error.status,
    )
    return error


def _check_error_handling(run: _Run) -> Reason:
    invalid, unauthorised = None, None
    try:
        run.client.create_subscription(customer_id=run.customer_id or "missing", plan="", quantities={run.resource: -1})
    except ProvisioningError as exc:
        invalid = exc
    _expect_problem(invalid, range(400, 500), _("an order with no plan and a negative quantity"))
    stranger = ProvisioningClient(
        run.client.base_url,
        f"wrong-{uuid.uuid4().hex}",
        timeout=run.client.timeout,
        attempts=1,
        allow_private=run.client.allow_private,
        sleep=run.client.sleep,
    )
    stranger.calls = run.client.calls  # one record of every call, in order
    try:
        stranger.get_subscription(run.subscription_id or "missing")
    except ProvisioningError as exc:
        unauthorised = exc
    _expect_problem(unauthorised, range(401, 404), _("a call with a wrong bearer token"))
    return Reason(
        _("Invalid input was refused with %(invalid)s and a wrong token with %(token)s, both as problem details."),
        invalid=invalid.status,
        token=unauthorised.status,
    )


# (code, title, what it needs, the check) in the order they run.
CHECKS: list[tuple[str, object, str, Callable[[_Run], Reason]]] = [
    ("create_customer", _("Create a customer"), "", _check_create_customer),
    ("create_subscription", _("Create a subscription"), "customer", _check_create_subscription),
    ("change_quantity", _("Change the quantity"), "subscription", _check_change_quantity),
    (
        "suspend",
        _("Suspend the subscription"),
        "subscription",
        _state_check("suspend", "suspended", _("The subscription is suspended.")),
    ),
    (
        "resume",
        _("Resume the subscription"),
        "suspended",
        _state_check("resume", "active", _("The subscription is active again.")),
    ),
    (
        "cancel",
        _("Cancel the subscription"),
        "subscription",
        _state_check("cancel", "cancelled", _("The subscription is cancelled.")),
    ),
    ("report_usage", _("Report usage"), "subscription", _check_usage),
    ("idempotent_retry", _("Idempotent retry"), "customer", _check_idempotent_retry),
    ("error_handling", _("Error handling"), "", _check_error_handling),
]

_MISSING = {
    "customer": _("Skipped: the customer the check “Create a customer” should have made is missing."),
    "subscription": _("Skipped: the subscription the check “Create a subscription” should have made is missing."),
    "suspended": _("Skipped: the subscription could not be suspended, so there is nothing to resume."),
}


def _named(error: ProvisioningError) -> str:
    """The failed call as a developer finds it in the contract: ``PATCH /v1/subscriptions/sub_1``."""
    if not error.calls:
        return error.operation
    last = error.calls[-1]
    return f"{last.method} {urlsplit(last.url).path}"


def _ready(run: _Run, need: str) -> bool:
    return {"": True, "customer": bool(run.customer_id), "subscription": bool(run.subscription_id)}.get(
        need, run.suspended
    )


def run_conformance(
    base_url: str,
    token: str,
    *,
    plan: str = "conformance",
    resource: str = "seats",
    completion_within: float = 30.0,
    timeout: float | None = None,
    attempts: int | None = None,
    backoff: float | None = None,
    allow_private: bool | None = None,
    sleep=None,
) -> ConformanceReport:
    """Run every check against the vendor's API at ``base_url``; never raises for the vendor's faults."""
    options = {"timeout": timeout, "attempts": attempts, "backoff": backoff, "allow_private": allow_private}
    if sleep is not None:
        options["sleep"] = sleep
    client = ProvisioningClient(base_url, token, **options)
    run = _Run(client=client, plan=plan, resource=resource, within=completion_within)
    report = ConformanceReport(base_url=client.base_url, started_at=datetime.now(UTC), checks=[])
    for code, title, need, check in CHECKS:
        if not _ready(run, need):
            report.checks.append(CheckResult(code, title, SKIPPED, Reason(_MISSING[need])))
            continue
        first = len(client.calls)
        try:
            verdict, reason = PASSED, check(run)
        except _CheckFailed as failure:
            verdict, reason = FAILED, failure.reason
        except ProvisioningError as error:
            verdict = FAILED
            reason = Reason(_("The call %(call)s failed: %(reason)s"), call=_named(error), reason=error.reason)
        report.checks.append(CheckResult(code, title, verdict, reason, calls=client.calls[first:]))
    return report
