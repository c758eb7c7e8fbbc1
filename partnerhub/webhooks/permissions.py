"""Who may see and manage webhooks (the rules themselves live in identity/roles.py).

* ``webhooks.manage`` — partner administrators on their own organisation, vendor
  administrators everywhere: create, edit, delete, rotate, send tests, redeliver;
* ``webhooks.view`` — the same people, and partner managers (BDMs) for the partners assigned
  to them, read the endpoints and the delivery log;
* the vendor's own endpoints receive every organisation's events, so reading them takes
  ``webhooks.manage`` (only vendor administrators), not ``webhooks.view``.

Other partner roles (sales, engineers), finance, moderators and customers get 403.
"""

from __future__ import annotations

from django.db.models import Q

from partnerhub.core.tenancy import Actor, actor_for
from partnerhub.identity.roles import OrgKind, Perm, role_allows
from partnerhub.identity.services import require_perm


def view_perm(kind: str) -> str:
    return Perm.WEBHOOKS_MANAGE if kind == OrgKind.VENDOR else Perm.WEBHOOKS_VIEW


def require_view(*, actor, organisation) -> None:
    """404 outside the actor's scope, 403 if the role may not read this organisation's webhooks."""
    require_perm(actor=actor, perm=view_perm(organisation.kind), organisation=organisation)


def require_manage(*, actor, organisation) -> None:
    require_perm(actor=actor, perm=Perm.WEBHOOKS_MANAGE, organisation=organisation)


def _vendor_grants(who: Actor, perm: str) -> bool:
    return any(role_allows(r, perm, on_own_org=False, vendor_scope=True) for r in who.vendor_roles)


def _own_grants(who: Actor, organisation_id: int, perm: str) -> bool:
    return any(role_allows(r, perm, on_own_org=True, vendor_scope=False) for r in who.roles_in(organisation_id))


def may(who: Actor, *, organisation_id: int, kind: str, perm: str) -> bool:
    """The role part of ``require_perm``, for an organisation already known to be visible."""
    if perm == Perm.WEBHOOKS_VIEW:
        perm = view_perm(kind)
    return _own_grants(who, organisation_id, perm) or _vendor_grants(who, perm)


def viewable_endpoints_q(actor) -> Q:
    """Restricts (already visible) endpoints to those the actor may read."""
    who = actor_for(actor)
    if _vendor_grants(who, Perm.WEBHOOKS_MANAGE):
        return Q()
    q = Q(pk__in=[])
    if _vendor_grants(who, Perm.WEBHOOKS_VIEW):
        q |= ~Q(organisation__kind=OrgKind.VENDOR)
    own = [
        m.organisation_id
        for m in who.memberships
        if may(who, organisation_id=m.organisation_id, kind=m.organisation.kind, perm=Perm.WEBHOOKS_VIEW)
    ]
    if own:
        q |= Q(organisation_id__in=own)
    return q


def may_use_webhooks(actor) -> bool:
    """Whether the actor may read the webhooks of at least one organisation."""
    who = actor_for(actor)
    if not who.is_authenticated:
        return False
    return _vendor_grants(who, Perm.WEBHOOKS_VIEW) or any(
        may(who, organisation_id=m.organisation_id, kind=m.organisation.kind, perm=Perm.WEBHOOKS_VIEW)
        for m in who.memberships
    )


def may_manage(actor, organisation) -> bool:
    who = actor_for(actor)
    return who.is_authenticated and may(
        who, organisation_id=organisation.pk, kind=organisation.kind, perm=Perm.WEBHOOKS_MANAGE
    )
