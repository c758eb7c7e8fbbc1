"""What the incentive services share: who may do what, and whom to tell."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from partnerhub.core.money import quantize
from partnerhub.core.notify import notify
from partnerhub.core.tenancy import actor_for
from partnerhub.identity.models import Membership
from partnerhub.identity.roles import Role

MAX_MONEY = Decimal(10) ** 15


def require_incentive_manager(actor) -> None:
    """Vendor administrators define incentives."""
    if Role.VENDOR_ADMIN not in actor_for(actor).vendor_roles:
        raise PermissionDenied(_("Only the vendor's administrators define incentives."))


def money_value(value, *, field: str, errors: dict, required: bool = True) -> Decimal | None:
    """A positive amount with at most two decimal places, or a field error."""
    if value in (None, ""):
        if required:
            errors.setdefault(field, []).append(_("This field is required."))
        return None
    try:
        number = Decimal(str(value).replace(",", ".").replace(" ", ""))
        if not number.is_finite() or number != quantize(number) or abs(number) >= MAX_MONEY:
            raise ValueError
    except (InvalidOperation, ValueError, ArithmeticError):
        errors.setdefault(field, []).append(_("An amount with at most two decimal places."))
        return None
    if number <= 0:
        errors.setdefault(field, []).append(_("The amount must be greater than zero."))
        return None
    return number


def notify_partner(*, organisation, title: str, body: str, url: str) -> None:
    """The partner's administrators and sales people."""
    users = [m.user for m in Membership.objects.filter(organisation=organisation, role__in=[Role.PARTNER_ADMIN,
                                                                                             Role.SALES])
             .select_related("user")]  # fmt: skip
    notify(users=users, organisation=organisation, kind="incentive", title=title, body=body, url=url)
