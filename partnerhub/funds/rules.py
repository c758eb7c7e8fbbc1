"""Who may do what with development funds, periods, amounts and a budget's figures (reads only)."""

from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext as _

from partnerhub.core.money import quantize
from partnerhub.core.tenancy import actor_for
from partnerhub.identity.models import Organisation, User
from partnerhub.identity.roles import OrgKind, Role

from .models import ActivityRequest, Budget, PeriodKind

VENDOR_DECIDERS = {Role.VENDOR_ADMIN, Role.FINANCE}
PARTNER_REQUESTERS = {Role.PARTNER_ADMIN, Role.SALES}
MAX_AMOUNT = Decimal(10) ** 15
ZERO = Decimal("0.00")


def can_decide(actor: User) -> bool:
    return bool(actor_for(actor).vendor_roles & VENDOR_DECIDERS)


def require_decider(actor: User) -> None:
    if not can_decide(actor):
        raise PermissionDenied(_("Only the vendor's administrators and finance manage development funds."))


def can_request(actor: User, organisation_id: int) -> bool:
    return bool(actor_for(actor).roles_in(organisation_id) & PARTNER_REQUESTERS)


def require_requester(actor: User, organisation: Organisation) -> None:
    """404 outside the actor's scope; 403 unless the actor is the partner's administrator or sales person."""
    if not Organisation.objects.visible_to(actor).filter(pk=organisation.pk).exists():
        raise Http404
    if not can_request(actor, organisation.pk):
        raise PermissionDenied(_("Only the partner's administrators and sales people request development funds."))


def parse_amount(value, *, field: str, errors: dict) -> Decimal | None:
    """A positive amount of at most two decimal places, or a field error in ``errors``."""
    try:
        amount = Decimal(str(value).replace(",", ".").replace(" ", ""))
        if not amount.is_finite() or amount != quantize(amount) or amount <= 0 or amount >= MAX_AMOUNT:
            raise ValueError
    except (ArithmeticError, InvalidOperation, ValueError, TypeError):
        errors[field] = [
            ValidationError(
                _("Enter an amount greater than zero with at most two decimal places."), code="invalid_amount"
            )
        ]
        return None
    return amount


def period_bounds(period_kind: str, on: date) -> tuple[date, date]:
    """The quarter or year containing ``on``."""
    if period_kind == PeriodKind.YEAR:
        return date(on.year, 1, 1), date(on.year, 12, 31)
    first = 3 * ((on.month - 1) // 3) + 1
    last = first + 2
    return date(on.year, first, 1), date(on.year, last, calendar.monthrange(on.year, last)[1])


def partner(organisation_id, *, field: str, errors: dict) -> Organisation | None:
    org = Organisation.objects.filter(pk=organisation_id, kind=OrgKind.PARTNER).first() if organisation_id else None
    if org is None:
        errors[field] = [ValidationError(_("Choose a partner organisation."), code="invalid")]
    return org


def _sum(status_filter: Q, field: str):
    return Coalesce(
        Sum(f"requests__{field}", filter=status_filter),
        Value(ZERO),
        output_field=DecimalField(max_digits=20, decimal_places=2),
    )


def with_figures(qs):
    """Budgets annotated with ``reserved`` (approved, not yet paid or released) and ``used`` (paid)."""
    S = ActivityRequest.Status
    return qs.annotate(
        reserved=_sum(Q(requests__status=S.APPROVED), "approved_amount"),
        used=_sum(Q(requests__status=S.PAID), "paid_amount"),
    )


def remaining(budget: Budget) -> Decimal:
    """What is left of the budget to reserve: granted less reserved less used."""
    figures = with_figures(Budget.objects.filter(pk=budget.pk)).values("amount", "reserved", "used").get()
    return quantize(figures["amount"] - figures["reserved"] - figures["used"])
