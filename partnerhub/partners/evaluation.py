"""Tier evaluation: for every partner of a programme and a date, the highest tier whose
requirements it meets, why (have / need / met per requirement) and what it lacks for the next.

The engine is set-based: it loads the programme version in force once, measures each
distinct requirement shape with one grouped query for all partners (``metrics.measure``),
decides in memory and writes the changes in bulk. Running it twice for the same day
changes nothing the second time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet

from partnerhub.core.money import quantize
from partnerhub.identity.models import Organisation
from partnerhub.programmes.models import Programme, ProgrammeVersion, Requirement, Tier
from partnerhub.programmes.selectors import version_in_force

from . import metrics
from .models import Enrolment, ObligationRecord

# ------------------------------------------------------------------ the programme, loaded once


@dataclass
class TierDef:
    code: str
    name: str
    rank: int
    requirements: list[Requirement]


@dataclass
class VersionDef:
    version: ProgrammeVersion
    tiers: list[TierDef]  # by rank, entry tier first
    tiered_roles: set[str]

    def rank_of(self, code: str | None) -> int:
        for t in self.tiers:
            if t.code == code:
                return t.rank
        return 0

    def tier(self, code: str | None) -> TierDef | None:
        return next((t for t in self.tiers if t.code == code), None)


def load_version(version: ProgrammeVersion) -> VersionDef:
    tiers = [
        TierDef(t.code, t.name, t.rank, list(t.requirements.all()))
        for t in Tier.objects.filter(version=version).prefetch_related("requirements").order_by("rank")
    ]
    roles = set(version.roles.filter(has_tiers=True).values_list("code", flat=True))
    for t in tiers:  # what is the same for every partner is worked out once, not once per partner
        for req in t.requirements:
            req.display_label = str(
                req.label or (req.get_metric_display() if req.metric else req.get_obligation_display())
            )
            req.spec = spec_of(req, version) if req.metric else None
    return VersionDef(version=version, tiers=tiers, tiered_roles=roles)


def spec_of(req: Requirement, version: ProgrammeVersion) -> metrics.MetricSpec:
    return metrics.MetricSpec(
        metric=req.metric,
        period=req.period or version.evaluation_period,
        currency=req.currency or (version.currency if req.metric == "sales_volume" else ""),
        product_family_id=req.product_family_id,
        certification=req.certification,
    )


# ------------------------------------------------------------------ results


@dataclass
class RequirementResult:
    code: str
    label: str
    kind: str  # "metric" | "obligation"
    metric: str
    have: Any
    need: Any
    unit: str
    met: bool
    applies: bool
    optional: bool
    measured: bool = True
    window: dict[str, str] | None = None

    @property
    def progress(self) -> int:
        """0–100 for progress bars."""
        if self.kind != "metric":
            return 100 if self.met else 0
        need = Decimal(self.need or 0)
        if need <= 0:
            return 100
        return int(min(Decimal(100), Decimal(self.have) * 100 / need))

    def _fmt(self, value: Any) -> Any:
        """Money with its two decimals, counts as whole numbers, obligations as booleans."""
        if isinstance(value, bool) or value is None:
            return value
        if self.unit:
            return str(quantize(Decimal(value)))
        return str(Decimal(value).quantize(Decimal(1)))

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code, "label": self.label, "kind": self.kind, "metric": self.metric,
            "have": self._fmt(self.have), "need": self._fmt(self.need),
            "unit": self.unit, "met": self.met, "applies": self.applies, "optional": self.optional,
            "measured": self.measured, "window": self.window,
        }  # fmt: skip


@dataclass
class TierResult:
    code: str
    name: str
    rank: int
    met: bool
    requirements: list[RequirementResult] = field(default_factory=list)

    @property
    def missing(self) -> list[RequirementResult]:
        return [r for r in self.requirements if r.applies and not r.optional and not r.met]

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "rank": self.rank, "met": self.met,
                "requirements": [r.as_dict() for r in self.requirements]}  # fmt: skip


@dataclass
class Evaluation:
    organisation_id: int
    on: date
    version_id: int
    version_number: int
    qualified: str | None
    tiers: list[TierResult]

    def next_tier(self, current: str | None) -> TierResult | None:
        rank = next((t.rank for t in self.tiers if t.code == current), 0)
        return next((t for t in self.tiers if t.rank > rank), None)

    def as_dict(self) -> dict[str, Any]:
        return {
            "on": self.on.isoformat(), "version_id": self.version_id, "version_number": self.version_number,
            "qualified": self.qualified, "tiers": [t.as_dict() for t in self.tiers],
        }  # fmt: skip


# ------------------------------------------------------------------ measuring


class Measurements:
    """All figures needed to evaluate a set of organisations against one version."""

    def __init__(self, vdef: VersionDef, org_ids: QuerySet, on: date):
        self.vdef, self.on = vdef, on
        self.values: dict[metrics.MetricSpec, dict[int, Decimal]] = {}
        self.sources: dict[metrics.MetricSpec, dict[int, metrics.Window]] = {}
        specs = {spec_of(r, vdef.version) for t in vdef.tiers for r in t.requirements if r.metric}
        # "if it had sales" conditions look at the number of sales in the programme's period.
        self.activity_spec = metrics.MetricSpec("purchase_count", vdef.version.evaluation_period)
        specs.add(self.activity_spec)
        for spec in specs:
            self.values[spec], self.sources[spec] = metrics.measure(spec, org_ids, on)
        obligations = {r.obligation for t in vdef.tiers for r in t.requirements if r.obligation}
        self.obligations_met: set[tuple[int, str]] = set(
            ObligationRecord.objects.filter(
                Q(valid_until__isnull=True) | Q(valid_until__gt=on),
                organisation_id__in=org_ids,
                obligation__in=obligations,
                status=ObligationRecord.Status.ACCEPTED,
                valid_from__lte=on,
            ).values_list("organisation_id", "obligation")
        )
        self.websites: dict[int, bool] = {
            pk: bool(site) for pk, site in Organisation.objects.filter(pk__in=org_ids).values_list("pk", "website")
        }


def evaluate_one(vdef: VersionDef, m: Measurements, org_id: int, contract_signed: bool) -> Evaluation:
    had_sales = m.values[m.activity_spec].get(org_id, Decimal(0)) > 0
    tier_results: list[TierResult] = []
    qualified: str | None = None
    for t in vdef.tiers:
        results = [_requirement(req, vdef, m, org_id, contract_signed, had_sales) for req in t.requirements]
        met = all(r.met for r in results if r.applies and not r.optional)
        tier_results.append(TierResult(t.code, t.name, t.rank, met, results))
        if met:
            qualified = t.code
    return Evaluation(org_id, m.on, vdef.version.pk, vdef.version.number, qualified, tier_results)


def _requirement(req, vdef, m, org_id, contract_signed, had_sales) -> RequirementResult:
    applies = True
    if req.condition == Requirement.Condition.IF_HAD_SALES:
        applies = had_sales
    elif req.condition == Requirement.Condition.IF_HAS_WEBSITE:
        applies = m.websites.get(org_id, False)
    if req.metric:
        spec = req.spec
        have = m.values[spec].get(org_id, Decimal(0))
        need = req.threshold if req.threshold is not None else Decimal(0)
        window = m.sources[spec].get(org_id)
        unit = spec.currency if req.metric == "sales_volume" else ""
        return RequirementResult(
            code=req.code, label=req.display_label, kind="metric", metric=req.metric,
            have=have, need=need, unit=unit, met=have >= need, applies=applies, optional=req.optional,
            measured=metrics.is_measured(req.metric),
            window=(window or metrics.windows(spec.period, m.on)[0]).as_dict(),
        )  # fmt: skip
    if req.obligation == Requirement.Obligation.SIGNED_CONTRACT:
        done = contract_signed or (org_id, req.obligation) in m.obligations_met
    else:
        done = (org_id, req.obligation) in m.obligations_met
    return RequirementResult(
        code=req.code, label=req.display_label, kind="obligation", metric=req.obligation,
        have=done, need=True, unit="", met=done, applies=applies, optional=req.optional,
    )  # fmt: skip


# ------------------------------------------------------------------ entry points


def evaluate_enrolment(enrolment: Enrolment, on: date) -> Evaluation | None:
    """Evaluate one partner on demand (read-only): None when its role carries no tiers."""
    version = version_in_force(programme=enrolment.programme, on=on)
    if version is None:
        return None
    vdef = load_version(version)
    if enrolment.role_code not in vdef.tiered_roles:
        return None
    org_ids = Organisation.objects.filter(pk=enrolment.organisation_id).values("pk")
    m = Measurements(vdef, org_ids, on)
    return evaluate_one(vdef, m, enrolment.organisation_id, enrolment.status == Enrolment.Status.ACTIVE)


@dataclass
class RunSummary:
    programme: str
    on: date
    evaluated: int = 0
    upgraded: int = 0
    downgraded: int = 0
    downgrade_scheduled: int = 0
    unchanged: int = 0


def evaluate_programme(
    *, programme: Programme, on: date, enrolment_ids: list[int] | None = None, actor=None
) -> RunSummary:
    """Evaluate every active, tiered enrolment of ``programme`` on ``on`` and apply the results."""
    from . import tiers as tier_state

    summary = RunSummary(programme=programme.code, on=on)
    version = version_in_force(programme=programme, on=on)
    if version is None:
        return summary
    vdef = load_version(version)
    enrolments = Enrolment.objects.filter(
        programme=programme, status=Enrolment.Status.ACTIVE, role_code__in=vdef.tiered_roles
    )
    if enrolment_ids is not None:
        enrolments = enrolments.filter(pk__in=enrolment_ids)
    org_ids = enrolments.values("organisation_id")
    m = Measurements(vdef, org_ids, on)
    with transaction.atomic():
        rows = list(enrolments.select_for_update(of=("self",)).order_by("pk"))
        evaluations = {e.pk: evaluate_one(vdef, m, e.organisation_id, contract_signed=True) for e in rows}
        tier_state.apply_evaluations(vdef=vdef, enrolments=rows, evaluations=evaluations, on=on, summary=summary,
                                     actor=actor)  # fmt: skip
    return summary


def evaluate_all(*, on: date | None = None) -> list[RunSummary]:
    """The daily job: every programme, idempotent for a given day."""
    from django.utils import timezone

    day = on or timezone.localdate()
    return [evaluate_programme(programme=p, on=day) for p in Programme.objects.order_by("pk")]


def downgrade_date(vdef: VersionDef, on: date) -> date:
    return metrics.period_end(vdef.version.evaluation_period, on) + timedelta(days=vdef.version.downgrade_grace_days)
