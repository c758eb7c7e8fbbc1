"""Who may do what with support requests, and a request's response-time targets (reads only)."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerhub.core.tenancy import actor_for
from partnerhub.core.workdays import add_working_hours
from partnerhub.identity.models import Organisation, User
from partnerhub.identity.roles import OrgKind, Role
from partnerhub.partners.models import Enrolment

from .models import SupportRequest, SupportTarget

PARTNER_ROLES = {Role.PARTNER_ADMIN, Role.SALES, Role.ENGINEER}
VENDOR_AGENTS = {Role.VENDOR_ADMIN, Role.PARTNER_MANAGER}
# Working hours (production calendar) per tier code when the vendor has set no target for the tier;
# "" is for a partner without a tier. Settings: SUPPORT_TARGET_HOURS = {"privileged": (4, 16), ...}.
DEFAULT_TARGETS = {
    "privileged": (4, 16),
    "platinum": (4, 16),
    "certified": (8, 24),
    "gold": (8, 24),
    "authorized": (16, 40),
    "silver": (16, 40),
    "": (24, 72),
}


def default_targets() -> dict[str, tuple[int, int]]:
    return {**DEFAULT_TARGETS, **getattr(settings, "SUPPORT_TARGET_HOURS", {})}


def is_agent(actor: User) -> bool:
    """Vendor staff who work support requests: administrators and partner managers (their partners)."""
    return bool(actor_for(actor).vendor_roles & VENDOR_AGENTS)


def require_agent(actor: User) -> None:
    if not is_agent(actor):
        raise PermissionDenied(_("Only the vendor's administrators and partner managers work support requests."))


def is_requester(actor: User, organisation_id: int) -> bool:
    return bool(actor_for(actor).roles_in(organisation_id) & PARTNER_ROLES)


def require_requester(actor: User, organisation: Organisation) -> None:
    """404 outside the actor's scope; 403 unless the actor works for the partner."""
    if not Organisation.objects.visible_to(actor).filter(pk=organisation.pk).exists():
        raise Http404
    if organisation.kind != OrgKind.PARTNER or not is_requester(actor, organisation.pk):
        raise PermissionDenied(_("Only a partner's staff open support requests."))


def is_party(actor: User, req: SupportRequest) -> bool:
    return is_agent(actor) or is_requester(actor, req.organisation_id)


def agents() -> QuerySet[User]:
    """Who a request may be assigned to: active vendor administrators and partner managers."""
    return (
        User.objects.filter(
            is_active=True, memberships__organisation__kind=OrgKind.VENDOR, memberships__role__in=VENDOR_AGENTS
        )
        .distinct()
        .order_by("email")
    )


def targets_for(organisation: Organisation) -> tuple[int | None, str, int, int]:
    """(programme id, tier code, first response hours, resolution hours): the best of the partner's active
    enrolments — the vendor's target for its tier, else the default for the tier code."""
    defaults = default_targets()
    rows = list(
        Enrolment.objects.filter(organisation=organisation, status=Enrolment.Status.ACTIVE).values_list(
            "programme_id", "tier_code", "override_tier_code"
        )
    )
    tiers = [(p, o or t or "") for p, t, o in rows]
    configured = {
        (t.programme_id, t.tier_code): (t.first_response_hours, t.resolution_hours)
        for t in SupportTarget.objects.filter(
            Q(programme_id__in=[p for p, _c in tiers]) & Q(tier_code__in=[c for _p, c in tiers])
        )
    }
    best = (None, "", *defaults[""])
    for programme_id, code in tiers:
        hours = configured.get((programme_id, code)) or defaults.get(code) or defaults[""]
        if best[0] is None or hours < best[2:]:
            best = (programme_id, code, *hours)
    return best


def due(start: datetime, hours: int) -> datetime:
    """``hours`` working hours after ``start`` (days off by the production calendar do not count)."""
    return add_working_hours(start, hours)


def breached_q(now=None) -> Q:
    """Requests whose clock is missed or overdue (for the queue's filter, in SQL)."""
    now = now or timezone.now()
    open_statuses = list(SupportRequest.OPEN_STATUSES)
    return (
        Q(response_breached_at__isnull=False)
        | Q(resolution_breached_at__isnull=False)
        | Q(first_response_at__isnull=True, first_response_due__lt=now, status__in=open_statuses)
        | Q(resolved_at__isnull=True, resolution_due__lt=now, status__in=open_statuses)
    )
