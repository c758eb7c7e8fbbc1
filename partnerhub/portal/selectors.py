"""The figures of each role's home page, read through the tenancy layer with a fixed number of queries.

Every function takes the acting user and reads only what that user may see (``visible_to``), so a
partner manager's dashboard is the vendor's dashboard narrowed to the partners they manage. Each
returns plain data; ``portal.dashboards`` turns it into KPIs and charts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Count, Min, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from partnerhub.core.i18n import localized, pick
from partnerhub.core.tenancy import actor_for
from partnerhub.deals.models import Claim
from partnerhub.identity.models import Organisation, User
from partnerhub.leads.models import LeadOffer
from partnerhub.onboarding.selectors import applications_in_scope
from partnerhub.partners.models import Application, Enrolment, TierChange
from partnerhub.programmes.models import Tier
from partnerhub.referrals.models import Conversion, ReferralAttribution, ReferralClick
from partnerhub.rewards.models import Sale

OPEN = (Claim.Status.PENDING, Claim.Status.HELD)


def last_months(today: date, n: int = 12) -> list[date]:
    """The first days of the last ``n`` months, oldest first, the current month last."""
    y, m = today.year, today.month
    out = []
    for _ in range(n):
        out.append(date(y, m, 1))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


def _month(value) -> date:
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return date(value.year, value.month, 1)
    return date(value.year, value.month, 1)


@dataclass
class Monthly:
    """Values per month (first day) for the last twelve months, per currency where money."""

    months: list[date]
    values: dict[str, dict[date, Decimal | int]] = field(default_factory=dict)

    def series(self, key: str = "") -> list[tuple[date, Decimal | int]]:
        row = self.values.get(key, {})
        return [(m, row.get(m, 0)) for m in self.months]

    @property
    def keys(self) -> list[str]:
        return sorted(self.values, key=lambda k: (-sum(self.values[k].values()), k))


def sales_by_month(*, actor: User, organisation_id: int | None = None, today: date | None = None) -> Monthly:
    """Sales per month and currency over the last twelve months (one query)."""
    months = last_months(today or timezone.localdate())
    qs = Sale.objects.visible_to(actor).filter(sold_on__gte=months[0])
    if organisation_id:
        qs = qs.filter(organisation_id=organisation_id)
    out = Monthly(months)
    rows = qs.annotate(month=TruncMonth("sold_on")).values("month", "currency").annotate(total=Sum("amount"))
    for r in rows.order_by():
        out.values.setdefault(r["currency"], {})[_month(r["month"])] = r["total"] or Decimal(0)
    return out


def deals_registered_by_month(*, actor: User, organisation_id: int | None = None, today: date | None = None) -> Monthly:
    """Deals registered per month over the last twelve months (one query)."""
    months = last_months(today or timezone.localdate())
    since = timezone.make_aware(datetime.combine(months[0], datetime.min.time()))
    qs = Claim.objects.visible_to(actor).filter(kind=Claim.Kind.DEAL, registered_at__gte=since)
    if organisation_id:
        qs = qs.filter(organisation_id=organisation_id)
    out = Monthly(months, {"": {}})
    for r in qs.values_list("registered_at", flat=True).order_by():
        key = _month(r)
        out.values[""][key] = out.values[""].get(key, 0) + 1
    return out


def pipeline_by_stage(*, actor: User, organisation_id: int | None = None) -> list[dict]:
    """Open deals (awaiting approval, under review, protected) per stage: count and amounts (one query)."""
    qs = Claim.objects.visible_to(actor).filter(kind=Claim.Kind.DEAL, status__in=Claim.ACTIVE)
    if organisation_id:
        qs = qs.filter(organisation_id=organisation_id)
    per: dict[str, dict] = {s: {"stage": s, "n": 0, "totals": {}} for s in Claim.OPEN_STAGES}
    for r in qs.values("stage", "currency").annotate(n=Count("id"), total=Sum("amount")).order_by():
        row = per.setdefault(r["stage"], {"stage": r["stage"], "n": 0, "totals": {}})
        row["n"] += r["n"]
        row["totals"][r["currency"]] = r["total"] or Decimal(0)
    for row in per.values():
        row["label"] = Claim.Stage(row["stage"]).label
    return list(per.values())


def deal_counts(*, actor: User, organisation_id: int | None = None, today: date | None = None) -> dict[str, int]:
    """Deals awaiting a decision, overdue, escalated, stale, protected and won this year (one query)."""
    now = timezone.now()
    year = timezone.make_aware(datetime((today or timezone.localdate()).year, 1, 1))
    qs = Claim.objects.visible_to(actor).exclude(kind=Claim.Kind.DIRECT)
    if organisation_id:
        qs = qs.filter(organisation_id=organisation_id)
    return qs.aggregate(
        awaiting=Count("id", filter=Q(status__in=OPEN)),
        overdue=Count("id", filter=Q(status__in=OPEN, approval_due_at__lt=now)),
        escalated=Count("id", filter=Q(status__in=OPEN, escalated_at__isnull=False)),
        stale=Count("id", filter=Q(status=Claim.Status.PROTECTED, stale_flagged_at__isnull=False)),
        protected=Count("id", filter=Q(status=Claim.Status.PROTECTED)),
        won=Count("id", filter=Q(status=Claim.Status.WON, decided_at__gte=year) | Q(status=Claim.Status.WON,
                                                                                   closed_on__gte=year.date())),
    )  # fmt: skip


def lead_offer_counts(*, actor: User) -> dict[str, int]:
    """Lead offers waiting for a partner's answer, and those past their clock (one query)."""
    return LeadOffer.objects.visible_to(actor).aggregate(
        waiting=Count("id", filter=Q(status=LeadOffer.Status.OFFERED)),
        overdue=Count("id", filter=Q(status=LeadOffer.Status.OFFERED, due_at__lt=timezone.now())),
    )


def open_lead_offers(*, actor: User, organisation_id: int, limit: int = 5) -> list[LeadOffer]:
    """The partner's open lead offers, the nearest clock first (one query)."""
    qs = LeadOffer.objects.visible_to(actor).filter(organisation_id=organisation_id, status=LeadOffer.Status.OFFERED)
    return list(qs.select_related("lead").order_by("due_at")[:limit])


def applications_awaiting(*, actor: User, limit: int = 5) -> tuple[int, list[Application]]:
    """Applications awaiting review: how many, and the oldest few (two queries)."""
    qs = applications_in_scope(actor=actor).filter(status=Application.Status.SUBMITTED)
    return qs.count(), list(qs.select_related("programme").order_by("created_at")[:limit])


def decisions_due(*, actor: User, limit: int = 5) -> list[Claim]:
    """Deals awaiting a decision (the nearest clock first), then stale protected deals (one query)."""
    qs = Claim.objects.visible_to(actor).exclude(kind=Claim.Kind.DIRECT)
    qs = qs.filter(Q(status__in=OPEN) | Q(status=Claim.Status.PROTECTED, stale_flagged_at__isnull=False))
    return list(qs.select_related("organisation").order_by("approval_due_at", "registered_at")[:limit])


def _tiers(programme_ids: set[int]) -> dict[tuple[int, str], tuple[str, int]]:
    """(programme, tier code) -> (name, rank), the latest version's wording winning (one query)."""
    out: dict[tuple[int, str], tuple[str, int]] = {}
    rows = Tier.objects.filter(version__programme_id__in=programme_ids).order_by("version__number")
    for programme_id, code, name, rank in rows.values_list("version__programme_id", "code", "name", "rank"):
        out[(programme_id, code)] = (name, rank)
    return out


def partners_by_tier(*, actor: User, today: date | None = None) -> dict:
    """Active partners per programme and tier, and tier movements this quarter (three queries)."""
    today = today or timezone.localdate()
    quarter = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    rows = list(
        Enrolment.objects.visible_to(actor).filter(status=Enrolment.Status.ACTIVE)
        .values("programme_id", "programme__name", "programme__name_en", "tier_code").annotate(n=Count("id")).order_by()
    )  # fmt: skip
    changes = list(
        TierChange.objects.visible_to(actor).filter(effective_on__gte=quarter)
        .values_list("enrolment__programme_id", "from_tier_code", "to_tier_code")
    )  # fmt: skip
    tiers = _tiers({r["programme_id"] for r in rows} | {c[0] for c in changes})
    per_tier = []
    for r in rows:
        name, rank = tiers.get((r["programme_id"], r["tier_code"] or ""), (None, 0))
        per_tier.append({"programme": pick(r["programme__name"], r["programme__name_en"]), "tier": name, "rank": rank,
                         "n": r["n"]})  # fmt: skip
    per_tier.sort(key=lambda r: (r["programme"], r["rank"]))
    moves = {"up": 0, "down": 0, "new": 0}
    for programme_id, before, after in changes:
        if not before:
            moves["new"] += 1
            continue
        a, b = tiers.get((programme_id, before), ("", 0))[1], tiers.get((programme_id, after or ""), ("", 0))[1]
        if b > a:
            moves["up"] += 1
        elif b < a:
            moves["down"] += 1
    return {"per_tier": per_tier, "moves": moves, "quarter_start": quarter}


def tier_progress(*, actor: User, organisation_id: int) -> list[dict]:
    """Per active enrolment: the current tier, the next one and how far each requirement of it is met (one query).

    Read from the latest evaluation's explanation, the same figures the tier page shows.
    """
    out = []
    qs = Enrolment.objects.visible_to(actor).filter(organisation_id=organisation_id, status=Enrolment.Status.ACTIVE)
    for e in qs.select_related("programme").order_by("programme__name"):
        tiers = (e.explanation or {}).get("tiers", [])
        code = e.override_tier_code or e.tier_code
        current = next((t for t in tiers if t["code"] == code), None)
        rank = current["rank"] if current else 0
        nxt = next((t for t in sorted(tiers, key=lambda t: t["rank"]) if t["rank"] > rank), None)
        reqs = []
        for r in (nxt or {}).get("requirements", []):
            if not r.get("applies", True):
                continue
            percent = 100 if r["met"] else 0
            if r["kind"] == "metric" and r.get("need") not in (None, "", "0", 0):
                need, have = Decimal(str(r["need"])), Decimal(str(r["have"] or 0))
                percent = min(100, int(have * 100 / need)) if need else 100
            reqs.append({"label": localized(r, "label") or r["code"], "met": r["met"], "percent": percent,
                         "optional": r.get("optional", False), "kind": r["kind"], "have": r.get("have"),
                         "need": r.get("need"), "unit": r.get("unit", "")})  # fmt: skip
        required = [r for r in reqs if not r["optional"]]
        overall = int(sum(r["percent"] for r in required) / len(required)) if required else 100
        out.append({"enrolment": e, "programme": str(e.programme), "tier": localized(current) if current else None,
                    "next": localized(nxt) if nxt else None, "requirements": reqs, "percent": overall})  # fmt: skip
    return out


def referral_activity(*, actor: User, organisation_id: int, today: date | None = None) -> dict[str, Monthly]:
    """Counted referral clicks, sign-ups and purchases per month over the last twelve months (two queries)."""
    months = last_months(today or timezone.localdate())
    since = timezone.make_aware(datetime.combine(months[0], datetime.min.time()))
    clicks = Monthly(months, {"": {}})
    qs = ReferralClick.objects.visible_to(actor).filter(link__organisation_id=organisation_id, at__gte=since,
                                                         is_bot=False, is_duplicate=False)  # fmt: skip
    for at in qs.values_list("at", flat=True).order_by():
        clicks.values[""][_month(at)] = clicks.values[""].get(_month(at), 0) + 1
    conversions = Monthly(months, {Conversion.Kind.SIGNUP: {}, Conversion.Kind.PURCHASE: {}})
    cq = Conversion.objects.visible_to(actor).filter(organisation_id=organisation_id, occurred_on__gte=months[0],
                                                     status=Conversion.Status.ATTRIBUTED)  # fmt: skip
    for kind, day in cq.values_list("kind", "occurred_on").order_by():
        row = conversions.values.setdefault(kind, {})
        row[_month(day)] = row.get(_month(day), 0) + 1
    return {"clicks": clicks, "conversions": conversions}


def customer_overview(*, actor: User, customer: Organisation, today: date | None = None) -> dict:
    """A customer's partners and what it bought (five queries).

    Scoped by the customer's own identity: its referral attributions, the deals registered on it
    that the vendor protected or won, and the sales recorded under its INN. Only partner names,
    products, dates and amounts are read, never a partner's reward or pipeline.
    """
    if customer.pk not in {m.organisation_id for m in actor_for(actor).memberships}:
        return {"partners": [], "purchases": [], "by_month": Monthly(last_months(today or timezone.localdate()))}
    partners: dict[int, dict] = {}
    attributions = ReferralAttribution.objects.filter(customer=customer, status__in=ReferralAttribution.CURRENT)
    for org_id, name, since in attributions.values_list("organisation_id", "organisation__name", "attributed_at"):
        partners.setdefault(org_id, {"name": name, "since": since.date(), "how": "referral"})
    on_customer = Q(customer_organisation=customer) | (Q(customer_inn=customer.inn) if customer.inn else Q(pk=None))
    claims = Claim.objects.filter(
        on_customer, status__in=[Claim.Status.PROTECTED, Claim.Status.WON], kind=Claim.Kind.DEAL
    )
    for org_id, name, since in claims.values_list("organisation_id", "organisation__name", "registered_at"):
        partners.setdefault(org_id, {"name": name, "since": since.date(), "how": "deal"})
    sales = Sale.objects.filter(customer_inn=customer.inn) if customer.inn else Sale.objects.none()
    sold = sales.values("organisation_id", "organisation__name").annotate(first=Min("sold_on")).order_by()
    for r in sold:
        partners.setdefault(r["organisation_id"], {"name": r["organisation__name"], "since": r["first"], "how": "sale"})
    purchases = list(sales.select_related("organisation", "product_family").order_by("-sold_on", "-id")[:10])
    months = last_months(today or timezone.localdate())
    by_month = Monthly(months)
    rows = sales.filter(sold_on__gte=months[0]).annotate(month=TruncMonth("sold_on"))
    for r in rows.values("month", "currency").annotate(total=Sum("amount")).order_by():
        by_month.values.setdefault(r["currency"], {})[_month(r["month"])] = r["total"]
    return {"partners": sorted(partners.values(), key=lambda p: p["name"]), "purchases": purchases,
            "by_month": by_month}  # fmt: skip
