"""Budgets: granted by hand or from tier allowances, and closed when their period ends."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerhub.core import audit
from partnerhub.core.money import CURRENCIES, quantize
from partnerhub.identity.models import User
from partnerhub.partners.models import Enrolment
from partnerhub.programmes.models import Programme, Tier
from partnerhub.programmes.selectors import version_in_force

from ..models import ActivityRequest, Budget, Claim, FundAllowance, FundKind, PeriodKind
from ..rules import parse_amount, partner, period_bounds, remaining, require_decider

SNAPSHOT = (
    "organisation_id",
    "kind",
    "currency",
    "period_kind",
    "period_start",
    "period_end",
    "amount",
    "source",
    "tier_code",
    "status",
)


def _snapshot(budget: Budget) -> dict:
    return audit.snapshot(budget, SNAPSHOT)


def _choice(value, choices, *, field: str, errors: dict, message: str):
    if value not in choices.values:
        errors[field] = [ValidationError(message, code="invalid_choice")]
    return value


def _currency(value, *, errors: dict) -> str:
    code = (value or "").upper()
    if code not in CURRENCIES:
        errors["currency"] = [
            ValidationError(_("Unknown currency %(code)s.") % {"code": code or "—"}, code="unknown_currency")
        ]
    return code


@transaction.atomic
def grant_by_hand(
    *,
    actor: User,
    organisation_id: int,
    kind: str,
    currency: str,
    period_kind: str = "",
    period_start: date | None = None,
    period_end: date | None = None,
    amount,
    note: str = "",
) -> Budget:
    """The vendor grants a partner a budget for a quarter, a year or any dates it names."""
    require_decider(actor)
    errors: dict = {}
    org = partner(organisation_id, field="organisation_id", errors=errors)
    _choice(kind, FundKind, field="kind", errors=errors, message=_("Choose MDF or BDF."))
    currency = _currency(currency, errors=errors)
    value = parse_amount(amount, field="amount", errors=errors)
    if period_kind:
        _choice(period_kind, PeriodKind, field="period_kind", errors=errors, message=_("Choose a quarter or a year."))
        if period_start is None:
            errors["period_start"] = [ValidationError(_("Give a day of the period."), code="required")]
        elif "period_kind" not in errors:
            period_start, period_end = period_bounds(period_kind, period_start)
    else:
        period_kind = PeriodKind.QUARTER
        if period_start is None:
            errors["period_start"] = [ValidationError(_("Give the first day of the period."), code="required")]
        if period_end is None:
            errors["period_end"] = [ValidationError(_("Give the last day of the period."), code="required")]
    if period_start and period_end and period_end < period_start:
        errors["period_end"] = [ValidationError(_("The period cannot end before it starts."), code="date_order")]
    elif period_end and period_end < timezone.localdate():
        errors["period_end"] = [ValidationError(_("This period has already ended."), code="past")]
    if errors:
        raise ValidationError(errors)
    budget = Budget.objects.create(
        organisation=org,
        kind=kind,
        currency=currency,
        period_kind=period_kind,
        period_start=period_start,
        period_end=period_end,
        amount=value,
        source=Budget.Source.HAND,
        note=(note or "").strip(),
        granted_by=actor,
    )
    audit.record(
        actor=actor,
        action="funds.budget_granted",
        obj=budget,
        organisation=org,
        after=_snapshot(budget),
        reason=budget.note,
    )
    return budget


@transaction.atomic
def set_allowance(
    *, actor: User, programme_code: str, tier_code: str, kind: str, period_kind: str, currency: str, amount
) -> FundAllowance:
    """The amount a tier receives each period (the tier must have the market development funds benefit to get it)."""
    require_decider(actor)
    errors: dict = {}
    programme = Programme.objects.filter(code=programme_code).first()
    if programme is None:
        errors["programme_code"] = [ValidationError(_("No such programme."), code="invalid")]
    elif not Tier.objects.filter(version__programme=programme, code=tier_code).exists():
        errors["tier_code"] = [ValidationError(_("The programme has no such tier."), code="invalid")]
    _choice(kind, FundKind, field="kind", errors=errors, message=_("Choose MDF or BDF."))
    _choice(period_kind, PeriodKind, field="period_kind", errors=errors, message=_("Choose a quarter or a year."))
    currency = _currency(currency, errors=errors)
    value = parse_amount(amount, field="amount", errors=errors)
    if errors:
        raise ValidationError(errors)
    row = FundAllowance.objects.filter(
        programme=programme, tier_code=tier_code, kind=kind, period_kind=period_kind, currency=currency
    ).first()
    before = {"amount": row.amount} if row else None
    if row is None:
        row = FundAllowance.objects.create(
            programme=programme,
            tier_code=tier_code,
            kind=kind,
            period_kind=period_kind,
            currency=currency,
            amount=value,
        )
    else:
        row.amount = value
        row.save(update_fields=["amount", "updated_at"])
    audit.record(
        actor=actor,
        action="funds.allowance_set",
        obj=row,
        before=before,
        after={
            "programme": programme.code,
            "tier_code": tier_code,
            "kind": kind,
            "period_kind": period_kind,
            "currency": currency,
            "amount": value,
        },
    )
    return row


@transaction.atomic
def grant_from_tiers(
    *, actor: User | None = None, period_kind: str = PeriodKind.QUARTER, on: date | None = None
) -> list[Budget]:
    """Grant each active partner whose tier (in the version in force on ``on``) has the market development
    funds benefit the allowance of its tier for the period containing ``on``. Idempotent: a partner holds one
    tier grant per fund, currency and period."""
    if actor is not None:
        require_decider(actor)
    if period_kind not in PeriodKind.values:
        raise ValidationError({"period_kind": [_("Choose a quarter or a year.")]})
    on = on or timezone.localdate()
    start, end = period_bounds(period_kind, on)
    allowances: dict[int, list[FundAllowance]] = {}
    for a in FundAllowance.objects.filter(period_kind=period_kind):
        allowances.setdefault(a.programme_id, []).append(a)
    existing = set(
        Budget.objects.filter(source=Budget.Source.TIER, period_start=start).values_list(
            "organisation_id", "kind", "currency"
        )
    )
    created: list[Budget] = []
    for programme in Programme.objects.filter(pk__in=allowances).order_by("pk"):
        version = version_in_force(programme=programme, on=on)
        if version is None:
            continue
        funded = set(Tier.objects.filter(version=version, benefits__kind="mdf").values_list("code", flat=True))
        enrolments = Enrolment.objects.filter(programme=programme, status=Enrolment.Status.ACTIVE).order_by("pk")
        for e in enrolments.only("organisation_id", "tier_code", "override_tier_code"):
            tier = e.override_tier_code or e.tier_code
            if tier not in funded:
                continue
            for a in allowances[programme.pk]:
                key = (e.organisation_id, a.kind, a.currency)
                if a.tier_code != tier or key in existing:
                    continue
                existing.add(key)
                created.append(
                    Budget(
                        organisation_id=e.organisation_id,
                        kind=a.kind,
                        currency=a.currency,
                        period_kind=period_kind,
                        period_start=start,
                        period_end=end,
                        amount=a.amount,
                        source=Budget.Source.TIER,
                        tier_code=tier,
                        granted_by=actor if getattr(actor, "is_authenticated", False) else None,
                    )
                )
    for budget in created:
        budget.save()
        audit.record(
            actor=actor,
            action="funds.budget_granted",
            obj=budget,
            organisation=budget.organisation,
            after=_snapshot(budget),
        )
    return created


def close_expired(*, on: date | None = None) -> list[Budget]:
    """Close every open budget whose period ended before ``on``: reservations of approved requests not yet
    claimed are released and what is left unused is recorded as expired. Idempotent: a closed budget is
    never closed again (a guarded update), each budget in its own transaction."""
    on = on or timezone.localdate()
    closed = []
    for pk in (
        Budget.objects.filter(status=Budget.Status.OPEN, period_end__lt=on).order_by("pk").values_list("pk", flat=True)
    ):
        budget = _close_one(pk)
        if budget is not None:
            closed.append(budget)
    return closed


@transaction.atomic
def _close_one(pk: int) -> Budget | None:
    budget = Budget.objects.select_for_update().filter(pk=pk, status=Budget.Status.OPEN).first()
    if budget is None:
        return None
    S = ActivityRequest.Status
    pending_claims = Claim.objects.filter(status=Claim.Status.PENDING).values("request_id")
    unclaimed = ActivityRequest.objects.filter(budget=budget, status=S.APPROVED).exclude(pk__in=pending_claims)
    released = quantize(unclaimed.aggregate(t=Sum("approved_amount"))["t"] or Decimal(0))
    ids = list(unclaimed.values_list("pk", flat=True))
    ActivityRequest.objects.filter(pk__in=ids, status=S.APPROVED).update(status=S.EXPIRED)
    expired = remaining(budget)
    now = timezone.now()
    Budget.objects.filter(pk=pk, status=Budget.Status.OPEN).update(
        status=Budget.Status.CLOSED, closed_at=now, expired_amount=expired, released_amount=released
    )
    before = _snapshot(budget)
    budget.refresh_from_db()
    audit.record(
        actor=None,
        action="funds.budget_closed",
        obj=budget,
        organisation=budget.organisation,
        before=before,
        after=_snapshot(budget) | {"expired": expired, "released": released, "released_requests": ids},
    )
    return budget
