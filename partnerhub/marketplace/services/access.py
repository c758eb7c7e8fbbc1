"""Who may do what in the marketplace: the identity context's permissions, applied here once."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _

from partnerhub.identity.models import Organisation, User
from partnerhub.identity.roles import OrgKind, Perm
from partnerhub.identity.services import require_perm, vendor_organisation


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
