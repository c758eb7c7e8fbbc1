"""What a partner's tier entitles it to and what it has used this year (reads only), and who may act."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.http import Http404
from django.utils.translation import gettext as _

from partnerhub.core.tenancy import actor_for
from partnerhub.identity.models import Organisation, User
from partnerhub.identity.roles import OrgKind, Role
from partnerhub.partners.models import Enrolment
from partnerhub.programmes.models import Benefit, Programme, Tier
from partnerhub.programmes.selectors import version_in_force

from .models import BenefitRequest, Kind

REQUESTERS = {Role.PARTNER_ADMIN, Role.SALES, Role.ENGINEER}
DECIDERS = {Role.VENDOR_ADMIN, Role.PARTNER_MANAGER}


@dataclass
class Entitlement:
    programme: Programme
    tier: Tier
    benefit: Benefit
    kind: str
    limit: int | None  # a year; None: no fixed number (each request decided by the vendor)
    used: int = 0

    @property
    def key(self) -> str:
        return f"{self.programme.pk}:{self.kind}"

    @property
    def remaining(self) -> int | None:
        return None if self.limit is None else max(self.limit - self.used, 0)

    @property
    def kind_label(self) -> str:
        return str(Kind(self.kind).label)

    @property
    def unit(self) -> str:
        return (
            _("users")
            if self.kind == Kind.INTERNAL_USE
            else (_("licences") if self.kind in (Kind.NFR_LICENCES, Kind.ADVANCE_KEYS) else _("requests"))
        )


def year_start(on: date) -> date:
    return date(on.year, 1, 1)


def limit_of(benefit: Benefit) -> int | None:
    if benefit.kind == Kind.INTERNAL_USE:
        return benefit.user_cap
    return None if benefit.on_request and benefit.count is None else benefit.count


def entitlements(*, organisation: Organisation, on: date, programme_id: int | None = None) -> list[Entitlement]:
    """The partner's entitlements in each active enrolment's tier (the version in force on ``on``), with the
    quantity counted this calendar year (pending, approved and fulfilled requests)."""
    enrolments = Enrolment.objects.filter(organisation=organisation, status=Enrolment.Status.ACTIVE).select_related(
        "programme"
    )
    if programme_id:
        enrolments = enrolments.filter(programme_id=programme_id)
    found: list[Entitlement] = []
    for e in enrolments.order_by("programme__code"):
        code = e.override_tier_code or e.tier_code
        version = version_in_force(programme=e.programme, on=on) if code else None
        if version is None:
            continue
        for b in Benefit.objects.filter(tier__version=version, tier__code=code, kind__in=Kind.values).select_related(
            "tier"
        ):
            found.append(Entitlement(programme=e.programme, tier=b.tier, benefit=b, kind=b.kind, limit=limit_of(b)))
    if found:
        used = {(p, k): n for p, k, n in _used_rows(organisation, on)}
        for ent in found:
            ent.used = used.get((ent.programme.pk, ent.kind), 0) or 0
    return found


def _used_rows(organisation: Organisation, on: date):
    return (
        BenefitRequest.objects.filter(
            organisation=organisation, period_start=year_start(on), status__in=BenefitRequest.COUNTED
        )
        .values("programme_id", "kind")
        .annotate(n=Sum("quantity"))
        .values_list("programme_id", "kind", "n")
        .order_by()
    )


def can_request(actor: User, organisation_id: int) -> bool:
    return bool(actor_for(actor).roles_in(organisation_id) & REQUESTERS)


def require_requester(actor: User, organisation: Organisation) -> None:
    if not Organisation.objects.visible_to(actor).filter(pk=organisation.pk).exists():
        raise Http404
    if organisation.kind != OrgKind.PARTNER or not can_request(actor, organisation.pk):
        raise PermissionDenied(_("Only a partner's staff request the benefits of its tier."))


def can_decide(actor: User) -> bool:
    return bool(actor_for(actor).vendor_roles & DECIDERS)


def require_decider(actor: User) -> None:
    if not can_decide(actor):
        raise PermissionDenied(_("Only the vendor's administrators and partner managers decide benefit requests."))
