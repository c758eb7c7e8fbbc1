"""Reads of the partners context, scoped to the acting user."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, QuerySet

from partnerhub.identity.models import User
from partnerhub.programmes.models import Benefit, Programme, RewardRate, Tier
from partnerhub.programmes.selectors import version_in_force

from .models import Enrolment, ObligationRecord, TierChange


def enrolments(
    *, actor: User, programme_id: int | None = None, tier_code: str = "", status: str = "", search: str = ""
) -> QuerySet[Enrolment]:
    qs = Enrolment.objects.visible_to(actor).select_related("organisation", "programme", "evaluated_version")
    if programme_id:
        qs = qs.filter(programme_id=programme_id)
    if tier_code:
        qs = qs.filter(tier_code=tier_code)
    if status:
        qs = qs.filter(status=status)
    if search:
        qs = qs.filter(organisation__name__icontains=search)
    return qs


def enrolled_programme_ids(*, actor: User) -> set[int]:
    """The programmes of the enrolments the actor may read: one probe per programme, not a pass over
    every enrolment."""
    visible = Enrolment.objects.visible_to(actor).filter(programme_id=OuterRef("pk"))
    return set(Programme.objects.filter(Exists(visible)).values_list("pk", flat=True))


def enrolment(*, actor: User, pk: int) -> Enrolment:
    return Enrolment.objects.select_related(
        "organisation", "programme", "distributor", "recruited_by"
    ).get_visible_or_404(actor, pk=pk)


def what_if(*, enrolment: Enrolment, on: date, sales=0, product_family: str = "", certified: int = 0,
            registered_deals: int = 0, won_deals: int = 0):  # fmt: skip
    """The partner's evaluation with additional figures (the what-if calculator): never saved.

    ``enrolment`` comes from :func:`enrolment` (visible to the actor). An unknown product
    family is a field error.
    """
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from partnerhub.programmes.models import ProductFamily

    from .evaluation import Additions, evaluate_enrolment

    family_id = None
    if product_family:
        family_id = ProductFamily.objects.filter(code=product_family).values_list("pk", flat=True).first()
        if family_id is None:
            raise ValidationError({"product_family": [_("There is no such product family.")]})
    extra = Additions(sales=Decimal(sales or 0), sales_family_id=family_id, certified=certified or 0,
                      registered_deals=registered_deals or 0, won_deals=won_deals or 0)  # fmt: skip
    return evaluate_enrolment(enrolment, on, extra)


def what_would_i_need(*, enrolment: Enrolment, on: date):
    """The smallest additions reaching the next tier (``evaluation.Needs``), or None without tiers."""
    from .evaluation import what_would_i_need as needs

    return needs(enrolment, on)


def tier_history(*, actor: User, enrolment: Enrolment) -> QuerySet[TierChange]:
    return TierChange.objects.visible_to(actor).filter(enrolment=enrolment).select_related("version", "actor")


def tier_benefits(*, enrolment: Enrolment, on: date, tier_code: str | None = None) -> dict:
    """The benefits and reward rates of the partner's tier in the version in force."""
    version = version_in_force(programme=enrolment.programme, on=on)
    code = tier_code if tier_code is not None else enrolment.tier_code
    tier = Tier.objects.filter(version=version, code=code).first() if version and code else None
    if tier is None:
        return {"version": version, "tier": None, "benefits": [], "rates": []}
    return {
        "version": version,
        "tier": tier,
        "benefits": list(Benefit.objects.filter(tier=tier)),
        "rates": list(RewardRate.objects.filter(tier=tier).select_related("product_family")),
    }


def distribution(*, actor: User, programme_id: int | None = None) -> list[dict]:
    """Partners per programme and tier, within the actor's scope."""
    qs = enrolments(actor=actor, programme_id=programme_id, status=Enrolment.Status.ACTIVE)
    return list(
        qs.values("programme_id", "programme__name", "programme__name_en", "tier_code")
        .annotate(n=Count("id"))
        .order_by("programme_id", "tier_code")
    )


def movers(*, actor: User, programme_id: int | None = None, limit: int = 50) -> dict[str, list[Enrolment]]:
    """Who is close to moving: down (a downgrade is scheduled) and up (next tier nearly met).

    "Nearly met" means at most one unmet requirement for the next tier, and every unmet
    metric at 80% or more of its threshold, according to the latest evaluation.
    """
    base = enrolments(actor=actor, programme_id=programme_id, status=Enrolment.Status.ACTIVE)
    down = list(base.filter(downgrade_due_on__isnull=False).order_by("downgrade_due_on")[:limit])
    up: list[Enrolment] = []
    for e in base.exclude(explanation={}).order_by("organisation__name").iterator(chunk_size=2000):
        missing = next_tier_missing(e)
        if missing is not None and len(missing) == 1 and all(_close(r) for r in missing):
            up.append(e)
            if len(up) >= limit:
                break
    return {"up": up, "down": down}


def next_tier_missing(e: Enrolment) -> list[dict] | None:
    tiers = (e.explanation or {}).get("tiers", [])
    rank = next((t["rank"] for t in tiers if t["code"] == e.tier_code), 0)
    nxt = next((t for t in tiers if t["rank"] > rank), None)
    if nxt is None:
        return None
    if "missing" in nxt:  # the stored form (Evaluation.stored)
        return nxt["missing"]
    return [r for r in nxt["requirements"] if r["applies"] and not r["optional"] and not r["met"]]


def _close(r: dict) -> bool:
    if r["kind"] != "metric":
        return False
    need = Decimal(r["need"] or 0)
    return need > 0 and Decimal(r["have"]) * 100 / need >= 80


def obligations(*, actor: User, organisation_id: int | None = None, status: str = "") -> QuerySet[ObligationRecord]:
    qs = ObligationRecord.objects.visible_to(actor).select_related("organisation", "submitted_by", "reviewed_by")
    if organisation_id:
        qs = qs.filter(organisation_id=organisation_id)
    if status:
        qs = qs.filter(status=status)
    return qs


def obligation_record(*, actor: User, pk: int) -> ObligationRecord:
    return ObligationRecord.objects.select_related("organisation").get_visible_or_404(actor, pk=pk)
