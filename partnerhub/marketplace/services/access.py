"""Who may do what in the marketplace: the identity context's permissions, applied here once."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _

from partnerhub.core.tenancy import actor_for
from partnerhub.identity.models import Organisation, User
from partnerhub.identity.roles import OrgKind, Perm, Role
from partnerhub.identity.services import has_perm, require_perm, vendor_organisation


def require_vendor_perm(*, actor: User, perm: str) -> Organisation:
    """The platform vendor's organisation, once ``actor`` holds ``perm`` there (404 outside it, 403 inside)."""
    vendor = vendor_organisation()
    if vendor is None:
        raise Http404
    require_perm(actor=actor, perm=perm, organisation=vendor)
    return vendor


def require_seller(*, actor: User, organisation: Organisation) -> None:
    """``actor`` may act for the software vendor ``organisation`` (its administrator, or the vendor's admin)."""
    require_perm(actor=actor, perm=Perm.MARKETPLACE_SELL, organisation=organisation)
    if organisation.kind != OrgKind.PARTNER:
        raise ValidationError({"organisation": [_("Only partner organisations sell on the marketplace.")]})


# ------------------------------------------------------------------------------ subscriptions


def buyer_roles(actor: User, org_id: int | None) -> set[str]:
    return actor_for(actor).roles_in(org_id) if org_id else set()


def is_buyer(actor: User, subscription) -> bool:
    """The customer's administrator, or the ordering partner's administrator or sales."""
    return bool(Role.CUSTOMER_ADMIN in buyer_roles(actor, subscription.customer_id)
                or {Role.PARTNER_ADMIN, Role.SALES} & buyer_roles(actor, subscription.partner_id))  # fmt: skip


def require_buyer(actor: User, subscription) -> None:
    if not is_buyer(actor, subscription):
        raise PermissionDenied(_("Only the customer's administrator or the partner that ordered it may do this."))


def is_vendor_side(actor: User, subscription) -> bool:
    """The software vendor's administrator, or the platform's administrator."""
    return has_perm(actor=actor, perm=Perm.MARKETPLACE_SELL, organisation=subscription.vendor)


def is_operator(actor: User) -> bool:
    """The platform's staff who see every organisation (administrators, finance, moderators)."""
    return actor_for(actor).sees_everything


def require_vendor_side(actor: User, subscription, *, operator: bool = False) -> None:
    if is_vendor_side(actor, subscription) or (operator and is_operator(actor)):
        return
    raise PermissionDenied(_("Only the vendor of this listing or the platform's staff may do this."))
