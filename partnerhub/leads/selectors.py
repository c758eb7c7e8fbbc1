"""Reads of the leads context, scoped to the acting user.

The vendor's staff read leads (``Lead.objects.visible_to``: everything for administrators; for a
partner manager the leads offered to their partners, the unassigned ones and their own); partners
read their own offers only — never a lead through the vendor's endpoints, never another partner's
offer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerhub.core.tenancy import actor_for
from partnerhub.identity.models import User

from . import routing
from .models import Lead, LeadOffer

OS = LeadOffer.Status


def _require_vendor(actor: User) -> None:
    if not actor_for(actor).is_vendor_staff:
        raise PermissionDenied(
            _("The lead list is for the vendor's staff; partners answer offers in their lead inbox.")
        )


def _with_current_offer(qs: QuerySet[Lead]) -> QuerySet[Lead]:
    current = LeadOffer.objects.filter(lead=OuterRef("pk"), status=OS.OFFERED)
    return qs.annotate(
        current_offer_id=Subquery(current.values("pk")[:1]),
        current_offered_at=Subquery(current.values("offered_at")[:1]),
        current_due_at=Subquery(current.values("due_at")[:1]),
        current_partner_id=Subquery(current.values("organisation_id")[:1]),
        current_partner=Subquery(current.values("organisation__name")[:1]),
        offer_count=Count("offers", distinct=True),
    )


def leads(
    *,
    actor: User,
    status: str = "",
    source: str = "",
    q: str = "",
    region: str = "",
    organisation_id: int | None = None,
) -> QuerySet[Lead]:
    _require_vendor(actor)
    qs = _with_current_offer(
        Lead.objects.visible_to(actor).select_related("product_family", "programme", "created_by", "claim")
    )
    if status:
        qs = qs.filter(status__in=status.split(","))
    if source:
        qs = qs.filter(source=source)
    if region:
        qs = qs.filter(region__iexact=region)
    if organisation_id:
        qs = qs.filter(offers__organisation_id=organisation_id).distinct()
    if q:
        qs = qs.filter(Q(customer_name__icontains=q) | Q(customer_inn=q) | Q(email__iexact=q))
    return qs.order_by("-created_at", "-id")


def lead(*, actor: User, pk: int) -> Lead:
    """One lead, for the vendor's staff in scope (404 for everyone else, partners included)."""
    if not actor_for(actor).is_vendor_staff:
        raise Http404
    return _with_current_offer(
        Lead.objects.select_related("product_family", "programme", "created_by", "claim")
    ).get_visible_or_404(actor, pk=pk)


def offer_history(*, actor: User, lead: Lead) -> QuerySet[LeadOffer]:
    return (
        LeadOffer.objects.visible_to(actor)
        .filter(lead=lead)
        .select_related("organisation", "offered_by", "responded_by", "programme")
    )


def offers(*, actor: User, status: str = "", organisation_id: int | None = None) -> QuerySet[LeadOffer]:
    """Offers in the actor's scope: a partner's own (its lead inbox); vendor staff: their partners'."""
    qs = LeadOffer.objects.visible_to(actor).select_related(
        "lead__product_family", "lead__claim", "organisation", "responded_by"
    )
    if status:
        qs = qs.filter(status__in=status.split(","))
    if organisation_id:
        qs = qs.filter(organisation_id=organisation_id)
    return qs.order_by(
        # open offers first, the closest deadline first; then the rest, newest first
        F("responded_at").desc(nulls_first=True),
        "due_at",
        "-offered_at",
        "-id",
    )


def offer(*, actor: User, pk: int) -> LeadOffer:
    return LeadOffer.objects.select_related(
        "lead__product_family", "lead__claim", "lead__programme", "organisation__partner_manager", "responded_by"
    ).get_visible_or_404(actor, pk=pk)


def sees_contact(*, actor: User, offer: LeadOffer) -> bool:
    """The customer's contact details: vendor staff always; the partner once it accepted."""
    return actor_for(actor).is_vendor_staff or offer.status == OS.ACCEPTED


def routing_choices(*, actor: User, lead: Lead) -> list[routing.Candidate]:
    """Partners the actor may route the lead to by hand: eligible by tier, not passed, in the actor's scope."""
    from partnerhub.identity.models import Organisation

    if not lead.is_open:
        return []
    visible = set(Organisation.objects.visible_to(actor).values_list("pk", flat=True))
    return [c for c in routing.rank(lead, strict=False) if c.organisation.pk in visible]


# ---------------------------------------------------------------------------- ageing and acceptance


@dataclass
class Acceptance:
    organisation_id: int | None
    organisation_name: str
    offered: int = 0
    accepted: int = 0
    declined: int = 0
    expired: int = 0
    withdrawn: int = 0
    open: int = 0
    average_response_hours: float | None = None

    @property
    def answered(self) -> int:
        return self.accepted + self.declined + self.expired

    @property
    def acceptance_rate(self) -> float | None:
        """Accepted out of the offers the partner had to answer (accepted, declined or expired)."""
        return round(self.accepted / self.answered, 3) if self.answered else None


@dataclass
class Ageing:
    open_leads: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    oldest_open_hours: float | None = None
    average_open_age_hours: float | None = None
    average_time_in_offer_hours: float | None = None
    overdue_offers: int = 0


@dataclass
class LeadStats:
    days: int
    overall: Acceptance
    partners: list[Acceptance]
    ageing: Ageing


def _hours(delta: timedelta) -> float:
    return round(delta.total_seconds() / 3600, 1)


def stats(*, actor: User, days: int = 180, now: datetime | None = None) -> LeadStats:
    """Acceptance per partner and overall over the offers of the last ``days`` days; the ageing of open leads."""
    _require_vendor(actor)
    now = now or timezone.now()
    since = now - timedelta(days=days)
    window = LeadOffer.objects.visible_to(actor).filter(offered_at__gte=since)
    per: dict[int, Acceptance] = {}
    overall = Acceptance(None, _("All partners"))
    response_sum: dict[int | None, list[float]] = {}
    for org_id, name, status, offered_at, responded_at in window.values_list(
        "organisation_id", "organisation__name", "status", "offered_at", "responded_at"
    ):
        row = per.setdefault(org_id, Acceptance(org_id, name))
        key = "open" if status == OS.OFFERED else status
        for target in (row, overall):
            target.offered += 1
            setattr(target, key, getattr(target, key) + 1)
        if status in (OS.ACCEPTED, OS.DECLINED) and responded_at:
            hours = _hours(responded_at - offered_at)
            response_sum.setdefault(org_id, []).append(hours)
            response_sum.setdefault(None, []).append(hours)
    for key, row in [*per.items(), (None, overall)]:
        values = response_sum.get(key)
        row.average_response_hours = round(sum(values) / len(values), 1) if values else None
    partners = sorted(per.values(), key=lambda r: (-(r.acceptance_rate or 0), -r.offered, r.organisation_name))

    open_leads = list(
        _with_current_offer(Lead.objects.visible_to(actor).filter(status__in=Lead.OPEN)).values_list(
            "status", "created_at", "current_offered_at", "current_due_at"
        )
    )
    by_status = dict(Lead.objects.visible_to(actor).values_list("status").annotate(n=Count("id")).order_by())
    ages = [now - created for _s, created, _o, _d in open_leads]
    in_offer = [now - offered for _s, _c, offered, _d in open_leads if offered]
    ageing = Ageing(
        open_leads=len(open_leads), by_status=by_status,
        oldest_open_hours=_hours(max(ages)) if ages else None,
        average_open_age_hours=_hours(sum(ages, timedelta()) / len(ages)) if ages else None,
        average_time_in_offer_hours=_hours(sum(in_offer, timedelta()) / len(in_offer)) if in_offer else None,
        overdue_offers=sum(1 for *_x, due in open_leads if due and due <= now),
    )  # fmt: skip
    return LeadStats(days=days, overall=overall, partners=partners, ageing=ageing)
