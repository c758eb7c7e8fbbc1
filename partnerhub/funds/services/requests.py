"""Activity requests: the partner asks for part of a budget; the vendor approves (reserving it) or rejects."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerhub.core import audit
from partnerhub.core.formatting import money
from partnerhub.identity.models import User

from ..models import ActivityRequest, Budget
from ..rules import parse_amount, remaining, require_decider, require_requester
from .notices import tell_partner

SNAPSHOT = ("status", "approved_amount", "decision_reason")


def _over_budget(budget: Budget, amount, field: str) -> ValidationError:
    left = remaining(budget)
    return ValidationError(
        {
            field: [
                ValidationError(
                    _("Only %(remaining)s remains in this budget.") % {"remaining": money(left, budget.currency)},
                    code="over_budget",
                )
            ]
        }
    )


@transaction.atomic
def submit_request(
    *,
    actor: User,
    budget: Budget,
    kind: str,
    title: str,
    description: str = "",
    starts_on: date | None,
    ends_on: date | None,
    planned_cost,
) -> ActivityRequest:
    """The partner requests an activity against its open budget; more than remains is refused."""
    require_requester(actor, budget.organisation)
    budget = Budget.objects.select_for_update().get(pk=budget.pk)
    errors: dict = {}
    if kind not in ActivityRequest.Kind.values:
        errors["kind"] = [ValidationError(_("Choose the kind of activity."), code="invalid_choice")]
    if not (title or "").strip():
        errors["title"] = [ValidationError(_("Name the activity."), code="required")]
    if starts_on is None:
        errors["starts_on"] = [ValidationError(_("Give the first day of the activity."), code="required")]
    if ends_on is None:
        errors["ends_on"] = [ValidationError(_("Give the last day of the activity."), code="required")]
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = [ValidationError(_("The activity cannot end before it starts."), code="date_order")]
    elif starts_on and not (budget.period_start <= starts_on <= budget.period_end):
        errors["starts_on"] = [
            ValidationError(
                _("The activity must start within the budget's period (%(start)s – %(end)s).")
                % {"start": budget.period_start, "end": budget.period_end},
                code="outside_period",
            )
        ]
    cost = parse_amount(planned_cost, field="planned_cost", errors=errors)
    if budget.status != Budget.Status.OPEN or budget.period_end < timezone.localdate():
        errors["budget"] = [ValidationError(_("This budget's period has ended."), code="closed")]
    if errors:
        raise ValidationError(errors)
    if cost > remaining(budget):
        raise _over_budget(budget, cost, "planned_cost")
    req = ActivityRequest.objects.create(
        organisation_id=budget.organisation_id,
        budget=budget,
        kind=kind,
        title=title.strip(),
        description=(description or "").strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        planned_cost=cost,
        requested_by=actor,
    )
    audit.record(
        actor=actor,
        action="funds.request_submitted",
        obj=req,
        organisation=budget.organisation,
        after={
            "budget": budget.pk,
            "kind": kind,
            "planned_cost": cost,
            "currency": budget.currency,
            "starts_on": starts_on,
            "ends_on": ends_on,
        },
    )
    return req


def _lock(req: ActivityRequest) -> tuple[ActivityRequest, Budget]:
    """Lock the budget, then the request (every writer locks in this order)."""
    budget = Budget.objects.select_for_update().get(pk=req.budget_id)
    return ActivityRequest.objects.select_for_update().get(pk=req.pk), budget


@transaction.atomic
def approve_request(*, actor: User, request: ActivityRequest, reason: str = "") -> ActivityRequest:
    """Approve a pending request, reserving its planned cost from the budget (refused when less remains)."""
    require_decider(actor)
    req, budget = _lock(request)
    if req.status != ActivityRequest.Status.PENDING:
        raise ValidationError(
            {"status": [ValidationError(_("This request has already been decided."), code="decided")]}
        )
    if budget.status != Budget.Status.OPEN:
        raise ValidationError({"budget": [ValidationError(_("This budget's period has ended."), code="closed")]})
    if req.planned_cost > remaining(budget):
        raise _over_budget(budget, req.planned_cost, "planned_cost")
    before = audit.snapshot(req, SNAPSHOT)
    req.status, req.approved_amount = ActivityRequest.Status.APPROVED, req.planned_cost
    req.decision_reason, req.decided_by, req.decided_at = (reason or "").strip(), actor, timezone.now()
    req.save(update_fields=["status", "approved_amount", "decision_reason", "decided_by", "decided_at"])
    audit.record(
        actor=actor,
        action="funds.request_approved",
        obj=req,
        organisation=budget.organisation,
        before=before,
        after=audit.snapshot(req, SNAPSHOT),
        reason=req.decision_reason,
    )
    tell_partner(
        organisation=budget.organisation,
        kind="funds.request_approved",
        title=_("Activity approved: %(title)s") % {"title": req.title},
        body=_("%(amount)s is reserved for it. Claim it with proof of performance after the activity.")
        % {"amount": money(req.approved_amount, budget.currency)},
    )
    return req


@transaction.atomic
def reject_request(*, actor: User, request: ActivityRequest, reason: str) -> ActivityRequest:
    require_decider(actor)
    if not (reason or "").strip():
        raise ValidationError({"reason": [ValidationError(_("Give the reason."), code="required")]})
    req, budget = _lock(request)
    if req.status != ActivityRequest.Status.PENDING:
        raise ValidationError(
            {"status": [ValidationError(_("This request has already been decided."), code="decided")]}
        )
    before = audit.snapshot(req, SNAPSHOT)
    req.status, req.decision_reason = ActivityRequest.Status.REJECTED, reason.strip()
    req.decided_by, req.decided_at = actor, timezone.now()
    req.save(update_fields=["status", "decision_reason", "decided_by", "decided_at"])
    audit.record(
        actor=actor,
        action="funds.request_rejected",
        obj=req,
        organisation=budget.organisation,
        before=before,
        after=audit.snapshot(req, SNAPSHOT),
        reason=req.decision_reason,
    )
    tell_partner(
        organisation=budget.organisation,
        kind="funds.request_rejected",
        title=_("Activity rejected: %(title)s") % {"title": req.title},
        body=req.decision_reason,
    )
    return req
