"""Who gets a lead: eligibility, the widening area search and the score (reads only; no writes).

1. **Eligible**: an active partner organisation with an active enrolment (in the lead's programme,
   when it names one) whose current tier — ``override_tier_code`` or ``tier_code`` — has a
   ``vendor_leads`` benefit in the programme version in force. Partners that declined the lead or
   let it expire are out for good; so is the one holding it now.
2. **Match** (automatic routing): the competence the lead names must be among the partner's
   competences (case-insensitive); the product family it names must be declared in the partner's
   profile (``PartnerProfile.product_families``) *or* the partner must have sold that family in the
   last :data:`SALES_HISTORY_DAYS` days (``rewards.Sale``) — declared or proven.
3. **Area**: same city, same region (where the partner sits or a region it serves), same federal
   district (:mod:`partnerhub.core.geo`), whole country — the first level with candidates wins.
4. **Score** (0–100) within that level: tier rank (40), won deals in the last 180 days (20, capped at
   10 deals), leads accepted in the last 180 days (10, capped at 10) and the acceptance rate of its
   offers in that window (30; 0.5 when it had none). Ties go to the partner with fewer open offers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone

from partnerhub.core import geo
from partnerhub.identity.models import Organisation
from partnerhub.identity.roles import OrgKind

from .models import Lead, LeadOffer

PERFORMANCE_DAYS = 180
SALES_HISTORY_DAYS = 365
DEFAULT_ACCEPT_HOURS = 48
WEIGHT_TIER, WEIGHT_WON, WEIGHT_ACCEPTED, WEIGHT_RATE = 40, 20, 10, 30
CAP = 10

AREA_ORDER = [LeadOffer.Area.CITY, LeadOffer.Area.REGION, LeadOffer.Area.MACRO_REGION, LeadOffer.Area.COUNTRY]


@dataclass
class Candidate:
    organisation: Organisation
    programme_id: int
    version: object | None
    tier_code: str
    tier_name: str
    tier_rank: int
    max_rank: int
    area_level: str = LeadOffer.Area.COUNTRY
    matches: bool = True  # competence and product family (manual routing may pick one that does not)
    won_deals: int = 0
    accepted_leads: int = 0
    answered_offers: int = 0
    open_offers: int = 0
    score: Decimal = Decimal(0)

    @property
    def acceptance_rate(self) -> Decimal | None:
        if not self.answered_offers:
            return None
        return (Decimal(self.accepted_leads) / Decimal(self.answered_offers)).quantize(Decimal("0.01"))

    @property
    def accept_hours(self) -> int:
        return getattr(self.version, "lead_accept_hours", None) or DEFAULT_ACCEPT_HOURS


# ---------------------------------------------------------------------------- eligibility


def _leads_tiers(programme_ids: set[int], on) -> dict[int, tuple[object, dict[str, tuple[str, int]], set[str]]]:
    """Per programme: the version in force, its tiers (code -> (name, rank)) and the tiers with vendor leads."""
    from partnerhub.programmes.models import Benefit, Programme, Tier
    from partnerhub.programmes.selectors import version_in_force

    out = {}
    for programme in Programme.objects.filter(pk__in=programme_ids):
        version = version_in_force(programme=programme, on=on)
        if version is None:
            continue
        tiers = {t.code: (str(t), t.rank) for t in Tier.objects.filter(version=version)}
        with_leads = set(
            Benefit.objects.filter(tier__version=version, kind=Benefit.Kind.VENDOR_LEADS).values_list(
                "tier__code", flat=True
            )
        )
        out[programme.pk] = (version, tiers, with_leads)
    return out


def passed_organisation_ids(lead: Lead) -> set[int]:
    """Partners that declined the lead or let their offer expire: never offered it again."""
    if lead.pk is None:
        return set()
    return set(lead.offers.filter(status__in=LeadOffer.PASSED).values_list("organisation_id", flat=True))


def tier_eligible(*, lead: Lead, now: datetime | None = None, organisation_ids=None) -> list[Candidate]:
    """Partners whose current tier receives vendor leads (one candidate each: its best eligible enrolment)."""
    from partnerhub.partners.models import Enrolment

    now = now or timezone.now()
    qs = Enrolment.objects.filter(
        status=Enrolment.Status.ACTIVE, organisation__is_active=True, organisation__kind=OrgKind.PARTNER
    ).select_related("organisation")
    if lead.programme_id:
        qs = qs.filter(programme_id=lead.programme_id)
    if organisation_ids is not None:
        qs = qs.filter(organisation_id__in=list(organisation_ids))
    enrolments = list(qs)
    rules = _leads_tiers({e.programme_id for e in enrolments}, timezone.localdate(now))
    best: dict[int, Candidate] = {}
    for e in enrolments:
        if e.programme_id not in rules:
            continue
        version, tiers, with_leads = rules[e.programme_id]
        tier = e.override_tier_code or e.tier_code or ""
        if not tier or tier not in with_leads:
            continue
        name, rank = tiers.get(tier, (tier, 1))
        cand = Candidate(
            organisation=e.organisation, programme_id=e.programme_id, version=version, tier_code=tier,
            tier_name=name, tier_rank=rank, max_rank=max((r for _n, r in tiers.values()), default=1),
        )  # fmt: skip
        held = best.get(e.organisation_id)
        if held is None or cand.tier_rank / cand.max_rank > held.tier_rank / held.max_rank:
            best[e.organisation_id] = cand
    return list(best.values())


# ---------------------------------------------------------------------------- matching and area


def _profiles(org_ids) -> dict[int, object]:
    from partnerhub.partners.models import PartnerProfile

    return {p.organisation_id: p for p in PartnerProfile.objects.filter(organisation_id__in=list(org_ids))}


def _sold_family(org_ids, family_id: int, now: datetime) -> set[int]:
    from partnerhub.rewards.models import Sale

    since = timezone.localdate(now) - timedelta(days=SALES_HISTORY_DAYS)
    return set(
        Sale.objects.filter(organisation_id__in=list(org_ids), product_family_id=family_id, sold_on__gte=since)
        .values_list("organisation_id", flat=True)
        .distinct()
    )


def area_level(lead: Lead, organisation: Organisation, profile=None) -> str:
    """The nearest level at which the partner covers the lead's place (country when the lead names none)."""
    served = list(getattr(profile, "regions", None) or [])
    if lead.city and organisation.city and geo.normalise_city(lead.city) == geo.normalise_city(organisation.city):
        return LeadOffer.Area.CITY
    lead_region, lead_district = geo.locate(region=lead.region, city=lead.city)
    regions = {geo.locate(region=organisation.region, city=organisation.city)[0]}
    regions |= {geo.canonical_region(r) or geo.region_of_city(r) for r in served}
    regions.discard(None)
    if lead_region and lead_region in regions:
        return LeadOffer.Area.REGION
    districts = {geo.REGIONS[r][0] for r in regions} | {geo.district_from_label(r) for r in served}
    districts.discard(None)
    if lead_district and lead_district in districts:
        return LeadOffer.Area.MACRO_REGION
    return LeadOffer.Area.COUNTRY


def _performance(cands: list[Candidate], now: datetime) -> None:
    from partnerhub.deals.selectors import won_deal_counts

    ids = [c.organisation.pk for c in cands]
    since = now - timedelta(days=PERFORMANCE_DAYS)
    won = won_deal_counts(organisation_ids=ids, since=timezone.localdate(since))
    offers = {
        row["organisation_id"]: row
        for row in LeadOffer.objects.filter(organisation_id__in=ids)
        .values("organisation_id")
        .annotate(
            accepted=Count("id", filter=Q(status=LeadOffer.Status.ACCEPTED, offered_at__gte=since)),
            answered=Count("id", filter=Q(status__in=[LeadOffer.Status.ACCEPTED, *LeadOffer.PASSED],
                                          offered_at__gte=since)),
            open=Count("id", filter=Q(status=LeadOffer.Status.OFFERED)),
        )
        .order_by()
    }  # fmt: skip
    for c in cands:
        row = offers.get(c.organisation.pk, {})
        c.won_deals = won.get(c.organisation.pk, 0)
        c.accepted_leads, c.answered_offers, c.open_offers = (
            row.get("accepted", 0), row.get("answered", 0), row.get("open", 0)
        )  # fmt: skip
        rate = c.acceptance_rate if c.acceptance_rate is not None else Decimal("0.5")
        score = (
            Decimal(WEIGHT_TIER) * Decimal(c.tier_rank) / Decimal(max(c.max_rank, 1))
            + Decimal(WEIGHT_WON) * Decimal(min(c.won_deals, CAP)) / CAP
            + Decimal(WEIGHT_ACCEPTED) * Decimal(min(c.accepted_leads, CAP)) / CAP
            + Decimal(WEIGHT_RATE) * rate
        )
        c.score = score.quantize(Decimal("0.01"))


def _sort_key(c: Candidate):
    return (AREA_ORDER.index(c.area_level), -c.score, c.open_offers, c.organisation.name.casefold(), c.organisation.pk)


def rank(lead: Lead, *, now: datetime | None = None, strict: bool = True, organisation_ids=None) -> list[Candidate]:
    """Eligible partners for ``lead``, nearest level first and best score first within it.

    ``strict``: drop partners that do not match the competence or product family (automatic routing);
    otherwise keep them with ``matches=False`` (the vendor's manual choice).
    """
    now = now or timezone.now()
    passed = passed_organisation_ids(lead)
    holding = set(lead.offers.filter(status=LeadOffer.Status.OFFERED).values_list("organisation_id", flat=True)) if (
        lead.pk) else set()  # fmt: skip
    out = passed | holding
    cands = [c for c in tier_eligible(lead=lead, now=now, organisation_ids=organisation_ids)
             if c.organisation.pk not in out]  # fmt: skip
    if not cands:
        return []
    ids = {c.organisation.pk for c in cands}
    profiles = _profiles(ids)
    sold = _sold_family(ids, lead.product_family_id, now) if lead.product_family_id else set()
    family_code = lead.product_family.code if lead.product_family_id else ""
    competence = (lead.competence or "").strip().casefold()
    kept = []
    for c in cands:
        profile = profiles.get(c.organisation.pk)
        ok = True
        if competence:
            ok = competence in {str(x).casefold() for x in getattr(profile, "competences", None) or []}
        if ok and family_code:
            declared = {str(x) for x in getattr(profile, "product_families", None) or []}
            ok = family_code in declared or c.organisation.pk in sold
        if strict and not ok:
            continue
        c.matches = ok
        c.area_level = area_level(lead, c.organisation, profile)
        kept.append(c)
    _performance(kept, now)
    return sorted(kept, key=_sort_key)


def best(lead: Lead, *, now: datetime | None = None) -> Candidate | None:
    """The partner automatic routing offers the lead to: the first level with candidates, best score there."""
    found = rank(lead, now=now)
    return found[0] if found else None
