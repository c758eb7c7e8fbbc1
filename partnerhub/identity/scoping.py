"""Identity's side of the one scoping layer: how a user's memberships are loaded and which
roles see what. ``core.tenancy`` applies it; it is installed when the app starts."""

from __future__ import annotations

from partnerhub.core.tenancy import ScopePolicy

from .models import Membership
from .roles import ORG_ADMIN_ROLES, ROLES_SEEING_ALL, OrgKind, Role


def _memberships(user) -> list[Membership]:
    return list(Membership.objects.filter(user=user, organisation__is_active=True).select_related("organisation"))


def policy() -> ScopePolicy:
    return ScopePolicy(
        load_memberships=_memberships,
        roles_seeing_all=frozenset(ROLES_SEEING_ALL),
        partner_manager_role=Role.PARTNER_MANAGER,
        vendor_admin_role=Role.VENDOR_ADMIN,
        org_admin_roles=frozenset(ORG_ADMIN_ROLES),
        vendor_kind=OrgKind.VENDOR,
    )
