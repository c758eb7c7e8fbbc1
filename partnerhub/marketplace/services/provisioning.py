"""Provisioning requests: the worker that sends them to the vendor's API, and the vendor's manual tasks.

Through the API (``process_request``, wrapped as the Celery task ``marketplace.provision_request``
and picked up every minute by ``marketplace.provision_due``): a request is claimed in a short
transaction (``SELECT … FOR UPDATE SKIP LOCKED`` where the database has it) by counting the attempt
and moving its next attempt past a lease, so a second worker leaves it alone and a dead worker's
request is tried again once the lease ends. The call goes out outside any transaction, with the
request's idempotency key (the same on every attempt), its callback URL (``Callback-Url``, see
``services.callbacks``), one HTTP attempt per claimed attempt, and a timeout. A timeout, connection
error or 5xx schedules the next attempt after
``MARKETPLACE_PROVISIONING_RETRY_SECONDS × 2^(attempt−1)``; a refusal (4xx), an answer against the
contract or the last attempt spent moves it to ``failed`` — the dead letter, which an operator
retries. A 202 answer is polled at its status URL. Nothing is billed and no sale recorded until the
request is approved; then the vendor's sale (and the ordering partner's) is recorded.

By hand (``mode == "manual"``): the vendor is notified, takes the task, completes it with the
access parameters, fails it with a reason, or asks the customer for more information (``inquiring``);
the service-level target (``MARKETPLACE_MANUAL_SLA_HOURS``) escalates it as it ages.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partnerhub.core import audit
from partnerhub.core.jobs import enqueue
from partnerhub.core.notify import notify
from partnerhub.identity.models import User
from partnerhub.identity.roles import ORG_ADMIN_ROLES, OrgKind, Role
from partnerhub.rewards import services as rewards

from .. import billing
from ..choices import ProvisioningMode
from ..models import ProvisioningRequest, Subscription
from ..provisioning import callbacks
from ..provisioning.client import ProvisioningClient, ProvisioningError
from ..provisioning.parsing import Invalid, parse_subscription
from ..provisioning.reasons import Reason
from .access import require_buyer, require_vendor_side
from .states import move

logger = logging.getLogger(__name__)
R = ProvisioningRequest.Status
S = Subscription.Status
K = ProvisioningRequest.Kind
DUE = (R.PENDING, R.SCHEDULED)
MAX_LOGGED_CALLS = 20


def retry_delay(attempt: int) -> timedelta:
    """The wait after failed attempt ``attempt`` (1, 2, …): the base doubling each time."""
    return timedelta(seconds=settings.MARKETPLACE_PROVISIONING_RETRY_SECONDS * 2 ** max(attempt - 1, 0))


def _vendor_admins(org_id: int) -> list[User]:
    return list(User.objects.filter(memberships__organisation_id=org_id, memberships__role__in=ORG_ADMIN_ROLES,
                                    is_active=True).distinct())  # fmt: skip


def _operators() -> list[User]:
    return list(User.objects.filter(memberships__organisation__kind=OrgKind.VENDOR,
                                    memberships__role=Role.VENDOR_ADMIN, is_active=True).distinct())  # fmt: skip


def _link(req: ProvisioningRequest) -> str:
    return f"/marketplace/provisioning/{req.pk}/"


def request_create(
    *, subscription: Subscription, kind: str, actor: User | None, payload: dict | None = None,
    proration: Decimal | None = None,
) -> ProvisioningRequest:  # fmt: skip
    """A request for the vendor (inside the caller's transaction); API ones are sent after the commit."""
    now = timezone.now()
    mode = subscription.version.provisioning_mode
    sla = timedelta(hours=settings.MARKETPLACE_MANUAL_SLA_HOURS)
    req = ProvisioningRequest.objects.create(
        subscription=subscription, kind=kind, mode=mode, payload=payload or {}, proration=proration,
        idempotency_key=f"ph-{uuid.uuid4()}", requested_by=actor,
        max_attempts=settings.MARKETPLACE_PROVISIONING_MAX_ATTEMPTS,
        next_attempt_at=now if mode == ProvisioningMode.API else None,
        due_at=now + sla if mode == ProvisioningMode.MANUAL else None,
    )  # fmt: skip
    audit.record(actor=actor, action="provisioning.requested", obj=req, organisation=subscription.vendor,
                 after={"kind": kind, "mode": mode, "subscription": subscription.pk})  # fmt: skip
    if mode == ProvisioningMode.API:
        send_after_commit(req.pk)
    else:
        notify(users=_vendor_admins(subscription.vendor_id), organisation=subscription.vendor,
               kind="marketplace.manual_request",
               title=_("A provisioning request waits for you: %(kind)s, subscription %(sub)s")
               % {"kind": K(kind).label, "sub": subscription.pk}, url=_link(req))  # fmt: skip
    return req


def send_after_commit(pk: int) -> None:
    def send() -> None:
        try:
            enqueue("marketplace.provision_request", pk)
        except Exception:  # the request is stored; the every-minute job sends it
            logger.exception("provisioning request %s not sent now; the scheduled job will", pk)

    transaction.on_commit(send)


# ------------------------------------------------------------------------------ the worker


def process_due(*, now: datetime | None = None, limit: int = 200, allow_private: bool | None = None) -> dict:
    """Every API request whose (next) attempt is due. Idempotent; safe with several workers."""
    now = now or timezone.now()
    ids = list(
        ProvisioningRequest.objects.filter(mode=ProvisioningMode.API, status__in=DUE, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    counts: dict[str, int] = {}
    for pk in ids:
        outcome = process_request(pk, now=now, allow_private=allow_private) or "skipped"
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def _claim(pk: int, *, now: datetime) -> ProvisioningRequest | None:
    with transaction.atomic():
        qs = ProvisioningRequest.objects.filter(pk=pk, mode=ProvisioningMode.API, status__in=DUE,
                                                next_attempt_at__lte=now)  # fmt: skip
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True, of=("self",))
        req = qs.first()
        if req is None:
            return None
        if req.attempts >= req.max_attempts:  # a worker died during the last attempt
            reason = Reason(gettext_lazy("No answer was recorded for the last attempt."))
            _dead_letter(req, reason, now=now)
            return None
        req.attempts += 1
        req.next_attempt_at = now + timedelta(seconds=settings.MARKETPLACE_PROVISIONING_LEASE_SECONDS)
        req.save(update_fields=["attempts", "next_attempt_at", "updated_at"])
        return req


def _client(sub: Subscription, allow_private: bool | None, *, callback_url: str = "") -> ProvisioningClient:
    version = sub.version
    return ProvisioningClient(version.provisioning_url, version.provisioning_token, attempts=1,
                              allow_private=allow_private, callback_url=callback_url)  # fmt: skip


def _call(req: ProvisioningRequest, sub: Subscription, client: ProvisioningClient):
    """The vendor's call for the request: the result (a subscription), or ("pending", status URL)."""
    key = req.idempotency_key
    if req.operation_url:
        state = client.get_operation(req.operation_url, operation=f"{req.kind}_subscription")
        if state["status"] == "pending":
            return "pending", req.operation_url
        if state["status"] == "failed":
            raise ProvisioningError("operation_failed", req.kind, Reason(gettext_lazy(
                "The vendor reports that the operation failed.")), problem=state.get("problem"))  # fmt: skip
        try:
            return parse_subscription(state["result"])
        except Invalid as exc:
            raise ProvisioningError("invalid_response", req.kind, Reason(gettext_lazy(
                "The completed operation's result is not valid: %(error)s"), error=exc)) from exc  # fmt: skip
    if req.kind == K.CREATE:
        if not sub.vendor_customer_id:
            done = client.create_customer(external_id=f"org-{sub.customer_id}", name=sub.customer.name,
                                          email=sub.customer.email, idempotency_key=f"{key}-customer")  # fmt: skip
            if not done.done:  # accepted for later: the customer is needed now, so its operation is polled now
                done = client.wait(done, within=client.timeout)
            Subscription.objects.filter(pk=sub.pk).update(vendor_customer_id=done.result["id"])
            sub.vendor_customer_id = done.result["id"]
        quantities = req.payload.get("quantities") or {"subscription": 1}
        completion = client.create_subscription(customer_id=sub.vendor_customer_id, plan=req.payload["plan"],
                                                quantities=quantities, idempotency_key=key)  # fmt: skip
    elif req.kind == K.CHANGE:
        completion = client.change_subscription(sub.vendor_subscription_id, plan=req.payload["plan"],
                                                quantities=req.payload.get("quantities") or None,
                                                idempotency_key=key)  # fmt: skip
    else:
        action = {K.SUSPEND: client.suspend_subscription, K.RESUME: client.resume_subscription,
                  K.CANCEL: client.cancel_subscription}[req.kind]  # fmt: skip
        completion = action(sub.vendor_subscription_id, idempotency_key=key)
    client.calls = completion.calls or client.calls
    if not completion.done:
        return "pending", completion.pending["status_url"]
    return completion.result


def process_request(pk: int, *, now: datetime | None = None, allow_private: bool | None = None) -> str | None:
    """Claim and send one API request if it is due; the status it ends in, or None if not attempted."""
    now = now or timezone.now()
    req = _claim(pk, now=now)
    if req is None:
        return None
    sub = Subscription.objects.select_related("version", "customer", "partner", "plan").get(pk=req.subscription_id)
    client = _client(sub, allow_private, callback_url=callbacks.url(req.pk, req.idempotency_key))
    try:
        outcome, error = _call(req, sub, client), None
    except ProvisioningError as exc:
        outcome, error = None, exc
    return _record(req.pk, outcome, error, calls=client.calls, now=now)


@transaction.atomic
def _record(pk: int, outcome, error: ProvisioningError | None, *, calls, now: datetime) -> str:
    req = ProvisioningRequest.objects.select_for_update().get(pk=pk)
    req.call_log = [*req.call_log, *(c.as_dict() for c in calls)][-MAX_LOGGED_CALLS:]
    if req.status not in DUE:  # revoked meanwhile (a cancelled order)
        req.save(update_fields=["call_log", "updated_at"])
        if req.kind == K.CREATE and isinstance(outcome, dict) and outcome.get("id"):
            # The vendor created it all the same: nobody pays for it, so it is cancelled at the vendor too.
            sub = Subscription.objects.select_related("version", "vendor").get(pk=req.subscription_id)
            sub.vendor_subscription_id = outcome["id"]
            sub.save(update_fields=["vendor_subscription_id", "updated_at"])
            request_create(subscription=sub, kind=K.CANCEL, actor=None)
        return req.status
    if error is None and isinstance(outcome, tuple):  # accepted, completes later: poll its status URL
        req.operation_url = outcome[1]
        req.attempts = max(req.attempts - 1, 0)  # a poll is not a failed attempt
        req.status, req.next_attempt_at = R.SCHEDULED, now + timedelta(
            seconds=settings.MARKETPLACE_PROVISIONING_POLL_SECONDS)  # fmt: skip
        called_back = req.callback_at is not None and req.callback_at >= now  # during this attempt
        if called_back:  # the vendor says it finished meanwhile: confirm at once
            req.next_attempt_at = timezone.now()
        req.save()
        if called_back:
            send_after_commit(req.pk)
        return req.status
    if error is None:
        approve(req, result=outcome, actor=None, now=now)
        return req.status
    req.last_error = {**error.reason.as_dict(), "kind": error.kind, "operation": error.operation}
    if error.retryable and req.attempts < req.max_attempts:
        req.status, req.next_attempt_at = R.SCHEDULED, now + retry_delay(req.attempts)
        req.save()
        return req.status
    _dead_letter(req, error.reason, now=now)
    return req.status


def _dead_letter(req: ProvisioningRequest, reason: Reason, *, now: datetime) -> None:
    req.status, req.next_attempt_at = R.FAILED, None
    req.last_error = {**(req.last_error or {}), **reason.as_dict()}
    req.save()
    sub = req.subscription
    audit.record(actor=None, action="provisioning.failed", obj=req, organisation=sub.vendor,
                 after={"reason": str(reason), "attempts": req.attempts})  # fmt: skip
    notify(users=[*_vendor_admins(sub.vendor_id), *_operators()], organisation=sub.vendor,
           kind="marketplace.provisioning_failed",
           title=_("Provisioning failed: %(kind)s, subscription %(sub)s") % {"kind": K(req.kind).label, "sub": sub.pk},
           body=str(reason), url=_link(req))  # fmt: skip


# ------------------------------------------------------------------------------ approval


def approve(req: ProvisioningRequest, *, result: dict | None, actor: User | None, now: datetime | None = None,
            parameters: dict | None = None) -> None:  # fmt: skip
    """The vendor did it: the request approved and the subscription moved (inside the caller's transaction)."""
    now = now or timezone.now()
    sub = (
        Subscription.objects.select_for_update(of=("self",))
        .select_related("plan", "customer", "partner", "vendor")
        .get(pk=req.subscription_id)
    )
    before = audit.snapshot(sub)
    today = timezone.localdate(now)
    sale_amount = Decimal(0)
    if result:
        sub.vendor_subscription_id = result.get("id", sub.vendor_subscription_id) or sub.vendor_subscription_id
    if parameters:
        sub.parameters = {**sub.parameters, **parameters}
    if req.kind == K.CREATE:
        plan = sub.plan
        sub.period_start = today
        if plan.is_trial:
            move(sub, S.TRIAL)
            sub.trial_ends_on = sub.period_end = today + timedelta(days=plan.trial_days)
        else:
            move(sub, S.ACTIVE)
            sub.period_end = billing.add_period(today, plan.billing_period)
            sub.billable_since = now
            sale_amount = sub.recurring_amount + sub.setup_amount
    elif req.kind == K.CHANGE:
        plan = sub.version.plans.get(code=req.payload["plan"])
        sub.plan, sub.plan_code = plan, plan.code
        sub.quantities = req.payload.get("quantities") or {}
        sub.recurring_amount = Decimal(req.payload.get("recurring_amount") or 0)
        if sub.status == S.TRIAL:
            move(sub, S.ACTIVE)
            sub.period_start, sub.period_end = today, billing.add_period(today, plan.billing_period)
            sub.trial_ends_on, sub.billable_since = None, now
        sale_amount = max(req.proration or Decimal(0), Decimal(0))
    elif req.kind == K.SUSPEND:
        move(sub, S.SUSPENDED if req.payload.get("unpaid") else S.PAUSED)
    elif req.kind == K.RESUME:
        move(sub, S.ACTIVE)
    elif req.kind == K.CANCEL:
        move(sub, S.TERMINATED)
    sub.save()
    req.status, req.next_attempt_at, req.completed_at = R.APPROVED, None, now
    req.save()
    audit.record(actor=actor, action="provisioning.approved", obj=req, organisation=sub.vendor,
                 after={"kind": req.kind, "subscription": sub.pk})  # fmt: skip
    audit.record(actor=actor, action="subscription.changed", obj=sub, organisation=sub.customer, before=before,
                 after=audit.snapshot(sub))  # fmt: skip
    if sale_amount > 0:
        _record_sales(sub, req, amount=sale_amount, sold_on=today, actor=actor)


def _record_sales(sub: Subscription, req: ProvisioningRequest, *, amount: Decimal, sold_on, actor) -> None:
    """What the customer pays for a provisioned order or paid change, as sales for tiers and rewards.

    The listing's vendor sells through the marketplace (its marketplace vendor programme counts it);
    a partner that ordered for its customer sold it too. One sale per organisation and request
    (the reference is the request's), so running the approval again never doubles it, and a vendor
    ordering for its own customer as a partner gets one sale, not two.
    """
    for seller in dict.fromkeys(org for org in (sub.vendor, sub.partner) if org is not None):
        rewards.record_marketplace_sale(
            actor=actor, organisation=seller, customer_name=sub.customer.name, customer_inn=sub.customer.inn,
            product=f"{sub.listing_id}/{sub.plan_code}", amount=amount, currency=sub.currency, sold_on=sold_on,
            reference=f"sub{sub.pk}-req{req.pk}",
        )  # fmt: skip


# ------------------------------------------------------------------------------ operators and vendors


def _locked(req: ProvisioningRequest) -> ProvisioningRequest:
    return (
        ProvisioningRequest.objects.select_for_update(of=("self",))
        .select_related("subscription__vendor", "subscription__customer")
        .get(pk=req.pk)
    )


@transaction.atomic
def request_retry(*, actor: User, request: ProvisioningRequest) -> ProvisioningRequest:
    """An operator sends a failed (dead-letter) request again, with a fresh set of attempts."""
    req = _locked(request)
    require_vendor_side(actor, req.subscription, operator=True)
    if req.status != R.FAILED:
        raise ValidationError({"status": [_("Only a failed request can be retried.")]})
    now = timezone.now()
    req.status, req.attempts, req.operation_url = R.PENDING, 0, ""
    if req.mode == ProvisioningMode.API:
        req.next_attempt_at = now
    else:
        req.due_at, req.escalation_level, req.assigned_to = now + timedelta(
            hours=settings.MARKETPLACE_MANUAL_SLA_HOURS), 0, None  # fmt: skip
    req.save()
    audit.record(actor=actor, action="provisioning.retried", obj=req, organisation=req.subscription.vendor)
    if req.mode == ProvisioningMode.API:
        send_after_commit(req.pk)
    return req


def _manual(actor: User, request: ProvisioningRequest, *, states=(R.PENDING,)) -> ProvisioningRequest:
    req = _locked(request)
    require_vendor_side(actor, req.subscription)
    if req.mode != ProvisioningMode.MANUAL:
        raise ValidationError({"request": [_("This request is sent to the vendor's API, not handled by hand.")]})
    if req.status not in states:
        raise ValidationError({"status": [_("The request is “%(status)s”; this cannot be done now.")
                                          % {"status": R(req.status).label}]})  # fmt: skip
    return req


@transaction.atomic
def request_take(*, actor: User, request: ProvisioningRequest) -> ProvisioningRequest:
    req = _manual(actor, request)
    req.assigned_to = actor
    req.save(update_fields=["assigned_to", "updated_at"])
    audit.record(actor=actor, action="provisioning.taken", obj=req, organisation=req.subscription.vendor)
    return req


def clean_parameters(raw) -> dict[str, str]:
    """Access parameters given to the customer: up to 20 name → value pairs of text."""
    if not isinstance(raw, dict) or len(raw) > 20:
        raise ValidationError({"parameters": [_("Give up to 20 parameters, each a name and a value.")]})
    out = {}
    for name, value in raw.items():
        name, value = str(name).strip()[:80], str(value if value is not None else "").strip()[:500]
        if name:
            out[name] = value
    return out


@transaction.atomic
def request_complete(*, actor: User, request: ProvisioningRequest, parameters: dict | None = None,
                     note: str = "") -> ProvisioningRequest:  # fmt: skip
    """The vendor did it by hand: approved, with the access parameters the customer reads."""
    req = _manual(actor, request)
    params = clean_parameters(parameters or {})
    req.note = (note or "").strip()[:2000]
    req.assigned_to = req.assigned_to or actor
    req.save(update_fields=["note", "assigned_to", "updated_at"])
    approve(req, result=None, actor=actor, parameters=params)
    return req


@transaction.atomic
def request_fail(*, actor: User, request: ProvisioningRequest, reason: str) -> ProvisioningRequest:
    req = _manual(actor, request, states=(R.PENDING, R.INQUIRING))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [ValidationError(_("Say why it cannot be done."), code="required")]})
    req.status, req.note, req.completed_at = R.FAILED, reason[:2000], timezone.now()
    req.last_error = {"message": reason[:2000], "params": {}, "text": reason[:2000]}
    req.save()
    audit.record(actor=actor, action="provisioning.failed", obj=req, organisation=req.subscription.vendor,
                 after={"reason": reason[:200]})  # fmt: skip
    return req


@transaction.atomic
def request_ask(*, actor: User, request: ProvisioningRequest, question: str) -> ProvisioningRequest:
    """The vendor needs more information from the customer: the request waits for the answer."""
    req = _manual(actor, request)
    question = (question or "").strip()
    if not question:
        raise ValidationError({"question": [ValidationError(_("Write the question."), code="required")]})
    req.status, req.question, req.answer = R.INQUIRING, question[:2000], ""
    req.save()
    sub = req.subscription
    audit.record(actor=actor, action="provisioning.inquiring", obj=req, organisation=sub.vendor)
    customers = User.objects.filter(memberships__organisation_id__in=[sub.customer_id, sub.partner_id or 0],
                                    memberships__role__in=ORG_ADMIN_ROLES).distinct()  # fmt: skip
    notify(users=list(customers), organisation=sub.customer, kind="marketplace.inquiry",
           title=_("The vendor asks about subscription %(sub)s") % {"sub": sub.pk}, body=req.question,
           url=f"/subscriptions/{sub.pk}/")  # fmt: skip
    return req


@transaction.atomic
def request_answer(*, actor: User, request: ProvisioningRequest, answer: str) -> ProvisioningRequest:
    """The customer answers the vendor's question: the request is the vendor's again."""
    req = _locked(request)
    require_buyer(actor, req.subscription)
    if req.status != R.INQUIRING:
        raise ValidationError({"status": [_("The vendor asked nothing.")]})
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": [ValidationError(_("Write the answer."), code="required")]})
    req.status, req.answer = R.PENDING, answer[:2000]
    req.save()
    audit.record(actor=actor, action="provisioning.answered", obj=req, organisation=req.subscription.customer)
    notify(users=_vendor_admins(req.subscription.vendor_id), organisation=req.subscription.vendor,
           kind="marketplace.manual_request", title=_("The customer answered on request %(req)s") % {"req": req.pk},
           body=req.answer, url=_link(req))  # fmt: skip
    return req


def escalate_manual(*, now: datetime | None = None) -> int:
    """Manual requests past their target escalate one level per target elapsed (the vendor, then operators)."""
    now = now or timezone.now()
    sla = timedelta(hours=settings.MARKETPLACE_MANUAL_SLA_HOURS)
    overdue = ProvisioningRequest.objects.filter(mode=ProvisioningMode.MANUAL, status=R.PENDING, due_at__lte=now)
    escalated = 0
    for pk in overdue.values_list("pk", flat=True)[:500]:
        with transaction.atomic():
            req = ProvisioningRequest.objects.select_for_update().select_related("subscription__vendor").get(pk=pk)
            level = 1 + int((now - req.due_at) / sla) if req.due_at else 0
            if req.status != R.PENDING or level <= req.escalation_level:
                continue
            req.escalation_level = level
            req.save(update_fields=["escalation_level", "updated_at"])
            sub = req.subscription
            users = _vendor_admins(sub.vendor_id) + (_operators() if level >= 2 else [])
            notify(users=users, organisation=sub.vendor, kind="marketplace.request_overdue",
                   title=_("Overdue provisioning request %(req)s (level %(level)s)") % {"req": req.pk, "level": level},
                   url=_link(req))  # fmt: skip
            audit.record(actor=None, action="provisioning.escalated", obj=req, organisation=sub.vendor,
                         after={"level": level})  # fmt: skip
            escalated += 1
    return escalated
