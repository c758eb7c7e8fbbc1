"""Tier evaluation: for a partner of a programme and a date, the highest tier whose
requirements it meets, why (have / need / met per requirement) and what it lacks for the next.

This module is the engine and only reads: it loads the programme version in force once,
measures a batch of partners with one grouped query per source (``metrics.measure_batch``)
and decides in memory. ``tiers`` applies its results (it imports this module, never the
other way round). The what-if calculator (``what_if``, ``what_would_i_need``) runs the
same engine over the measured figures plus the additions asked for, and saves nothing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from json.encoder import encode_basestring as _encode_str
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q, QuerySet
from django.utils import translation
from django.utils.functional import cached_property

from partnerhub.core.bulk import RawJSON, id_list
from partnerhub.core.money import quantize
from partnerhub.identity.models import Organisation
from partnerhub.programmes.models import ProgrammeVersion, Requirement, Tier
from partnerhub.programmes.selectors import version_in_force

from . import metrics
from .metrics import in_range
from .models import Enrolment, ObligationRecord

# ------------------------------------------------------------------ the programme, loaded once


@dataclass
class TierDef:
    code: str
    name: str
    rank: int
    requirements: list[Requirement]
    name_en: str = ""


@dataclass
class VersionDef:
    version: ProgrammeVersion
    tiers: list[TierDef]  # by rank, entry tier first
    tiered_roles: set[str]
    specs: list[metrics.MetricSpec] = field(default_factory=list)  # every distinct measure, activity included
    activity_spec: metrics.MetricSpec | None = None
    obligations: set[str] = field(default_factory=set)

    def rank_of(self, code: str | None) -> int:
        for t in self.tiers:
            if t.code == code:
                return t.rank
        return 0

    def tier(self, code: str | None) -> TierDef | None:
        return next((t for t in self.tiers if t.code == code), None)


def load_version(version: ProgrammeVersion) -> VersionDef:
    tiers = [
        TierDef(t.code, t.name, t.rank, list(t.requirements.all()), t.name_en)
        for t in Tier.objects.filter(version=version).prefetch_related("requirements").order_by("rank")
    ]
    roles = set(version.roles.filter(has_tiers=True).values_list("code", flat=True))
    for t in tiers:  # what is the same for every partner is worked out once, not once per partner
        for req in t.requirements:
            # in both languages: the results are stored, and read later in either
            with translation.override("ru"):
                req.display_label = str(req.label or _kind_label(req))
            with translation.override("en"):
                req.display_label_en = str(req.label_en or req.label or _kind_label(req))
            req.spec = spec_of(req, version) if req.metric else None
    # "if it had sales" conditions look at the number of sales in the programme's period.
    activity = metrics.MetricSpec("purchase_count", version.evaluation_period)
    specs = {r.spec for t in tiers for r in t.requirements if r.metric} | {activity}
    return VersionDef(
        version=version, tiers=tiers, tiered_roles=roles, activity_spec=activity, specs=sorted(specs, key=repr),
        obligations={r.obligation for t in tiers for r in t.requirements if r.obligation},
    )  # fmt: skip


def _kind_label(req: Requirement) -> str:
    return str(req.get_metric_display() if req.metric else req.get_obligation_display())


def spec_of(req: Requirement, version: ProgrammeVersion) -> metrics.MetricSpec:
    return metrics.MetricSpec(
        metric=req.metric,
        period=req.period or version.evaluation_period,
        currency=req.currency or (version.currency if req.metric == "sales_volume" else ""),
        product_family_id=req.product_family_id,
        certification=req.certification,
    )


# ------------------------------------------------------------------ results


MISSING_KEYS = ("code", "kind", "have", "need")


@lru_cache(maxsize=65536)
def _figure(value: Decimal | int, money: bool) -> str:
    """A measured figure as stored: money with its two decimals, counts whole (the same values recur)."""
    return str(quantize(Decimal(value))) if money else str(Decimal(value).quantize(Decimal(1)))


def _js(value: Any) -> str:
    """One JSON value: strings (the usual case) by the C encoder directly, anything else by ``json.dumps``."""
    return _encode_str(value) if type(value) is str else json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)


@dataclass(frozen=True)
class RequirementResult:
    """One requirement for one partner. Immutable: a run shares equal results between partners."""

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
    label_en: str = ""  # the label in English (``label`` is the Russian, default one)

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
        return _figure(value, bool(self.unit))

    def as_dict(self) -> dict[str, Any]:
        return self._dict

    @cached_property
    def missing_json(self) -> str:
        """This result in a tier's stored ``missing`` list, serialised."""
        d = self._dict
        return "{" + ", ".join(f'"{k}": {_js(d[k])}' for k in MISSING_KEYS) + "}"

    @cached_property
    def _dict(self) -> dict[str, Any]:
        return {
            "code": self.code, "label": self.label, "label_en": self.label_en, "kind": self.kind, "metric": self.metric,
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
    name_en: str = ""

    @property
    def missing(self) -> list[RequirementResult]:
        return [r for r in self.requirements if r.applies and not r.optional and not r.met]

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "name_en": self.name_en, "rank": self.rank, "met": self.met,
                "requirements": [r.as_dict() for r in self.requirements]}  # fmt: skip

    @cached_property
    def stored_json(self) -> str:
        """``stored`` serialised (equal to ``json.dumps(self.stored)``), once however many partners share
        this result; written out directly, as a run serialises one per tier of every changed partner."""
        figures = ", ".join(f"{_js(r.code)}: {_js(r._fmt(r.have))}" for r in self.requirements
                            if r.kind == "metric")  # fmt: skip
        missing = ", ".join(r.missing_json for r in self.missing)
        return (f'{{"code": {_js(self.code)}, "name": {_js(self.name)}, "name_en": {_js(self.name_en)}, '
                f'"rank": {_js(self.rank)}, "met": {_js(self.met)}, "figures": {{{figures}}}, '
                f'"missing": [{missing}]}}')  # fmt: skip

    @cached_property
    def stored(self) -> dict[str, Any]:
        """This tier in ``Evaluation.stored`` (computed once however many partners share it)."""
        return {
            "code": self.code, "name": self.name, "name_en": self.name_en, "rank": self.rank, "met": self.met,
            "figures": {r.code: r.as_dict()["have"] for r in self.requirements if r.kind == "metric"},
            "missing": [{k: r.as_dict()[k] for k in MISSING_KEYS} for r in self.missing],
        }  # fmt: skip


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

    def stored(self) -> dict[str, Any]:
        """What a run keeps on the enrolment and in its tier history.

        Per tier: met or not, the measured figures and what is missing (with have / need).
        Compact on purpose — about 1 KB, under PostgreSQL's 2 KB TOAST threshold, so writing
        50,000 of them neither compresses nor parses 5 KB each; the full per-requirement
        breakdown (labels, windows, conditions) is the live evaluation's (``as_dict``), which
        the tier page and the API show for any day from the immutable programme version.
        """
        return {
            "on": self.on.isoformat(), "version_id": self.version_id, "version_number": self.version_number,
            "qualified": self.qualified,
            "tiers": [t.stored for t in self.tiers],
        }  # fmt: skip

    def stored_json(self) -> RawJSON:
        """``stored()`` as JSON, assembled from each tier's serialised result (shared between partners)."""
        head = json.dumps({"on": self.on.isoformat(), "version_id": self.version_id,
                           "version_number": self.version_number, "qualified": self.qualified})  # fmt: skip
        return RawJSON(f'{head[:-1]}, "tiers": [{", ".join(t.stored_json for t in self.tiers)}]}}')


# ------------------------------------------------------------------ measuring

# Bump when the explanation's shape changes: every stored explanation is then rewritten once.
EXPLANATION_FORMAT = 4  # 4: tier names and requirement labels in English too


@dataclass(frozen=True)
class Additions:
    """What-if additions to the measured figures (never saved)."""

    sales: Decimal = Decimal(0)  # in the programme's currency
    sales_family_id: int | None = None  # the additional sales are of this family (None: of no particular one)
    purchases: int = 0  # the additional sales are this many purchases (at least one when there are sales)
    certified: int = 0  # more certified specialists (of the type each requirement asks)
    registered_deals: int = 0
    won_deals: int = 0

    def __bool__(self) -> bool:
        return bool(self.sales or self.purchases or self.certified or self.registered_deals or self.won_deals)

    def delta(self, spec: metrics.MetricSpec, currency: str) -> Decimal:
        family_ok = spec.product_family_id is None or spec.product_family_id == self.sales_family_id
        if spec.metric == "sales_volume":
            return self.sales if self.sales and family_ok and spec.currency == currency else Decimal(0)
        if spec.metric == "purchase_count":
            return Decimal(max(self.purchases, 1 if self.sales else 0)) if family_ok else Decimal(0)
        if spec.metric == "certified_staff":
            return Decimal(self.certified)
        if spec.metric == "registered_deals":
            return Decimal(self.registered_deals)
        if spec.metric == "won_deals":
            return Decimal(self.won_deals)
        return Decimal(0)


class Measurements:
    """All figures needed to evaluate a set of organisations against one version."""

    def __init__(
        self, vdef: VersionDef, org_ids: QuerySet | list[int], on: date, org_range: tuple[int, int] | None = None
    ):
        """``org_ids``: a queryset of ids or a list (a batch); ``org_range``: their lowest and highest id."""
        self.vdef, self.on = vdef, on
        if isinstance(org_ids, list):
            org_ids = id_list(org_ids)  # one array parameter, not a placeholder per id in every query
        self.values = metrics.measure_batch(vdef.specs, org_ids, on, org_range=org_range)
        self.obligations_met: dict[int, set[str]] = {}
        if vdef.obligations:
            rows = (
                ObligationRecord.objects.filter(
                    Q(valid_until__isnull=True) | Q(valid_until__gt=on),
                    organisation_id__in=org_ids,
                    obligation__in=vdef.obligations,
                    status=ObligationRecord.Status.ACCEPTED,
                    valid_from__lte=on,
                    **in_range("organisation_id", org_range),
                )
                .order_by()
                .values_list("organisation_id", "obligation")
            )
            for org_id, obligation in rows:
                self.obligations_met.setdefault(org_id, set()).add(obligation)
        self.results: dict[tuple, RequirementResult] = {}  # equal inputs, one shared result
        self.tiers: dict[tuple, TierResult] = {}  # equal requirement results, one shared tier result
        self.websites: set[int] = set(
            Organisation.objects.filter(pk__in=org_ids, **in_range("pk", org_range)).exclude(website="")
            .order_by().values_list("pk", flat=True)
        )  # fmt: skip

    def have(self, spec: metrics.MetricSpec, org_id: int, extra: Additions | None = None):
        """(value of the best window, that window or None) — with what-if additions in the current window."""
        if not extra:
            return self.values.best(spec, org_id)
        per_window = self.values.per_window(spec, org_id)
        per_window[0] += extra.delta(spec, self.vdef.version.currency)
        best, source = Decimal(0), None
        for value, window in zip(per_window, self.values.windows[spec], strict=True):
            if value > best:
                best, source = value, window
        return best, source

    def current(self, spec: metrics.MetricSpec, org_id: int) -> Decimal:
        """The value in the current window: where additional sales, certificates or deals would count."""
        return self.values.per_window(spec, org_id)[0]

    def digest(self, org_id: int, contract_signed: bool) -> str:
        """A fingerprint of every input of one partner's evaluation on this day under this version.

        Equal digests give equal results and explanations, so a run skips the partner.
        """
        key = (
            EXPLANATION_FORMAT, self.vdef.version.pk, self.on.toordinal(), contract_signed,
            self.values.fingerprint(org_id), sorted(self.obligations_met.get(org_id, ())), org_id in self.websites,
        )  # fmt: skip
        return hashlib.blake2b(repr(key).encode(), digest_size=16).hexdigest()


def evaluate_one(
    vdef: VersionDef, m: Measurements, org_id: int, contract_signed: bool, extra: Additions | None = None
) -> Evaluation:
    had_sales = m.have(vdef.activity_spec, org_id, extra)[0] > 0
    tier_results: list[TierResult] = []
    qualified: str | None = None
    for t in vdef.tiers:
        results = [_requirement(req, m, org_id, contract_signed, had_sales, extra) for req in t.requirements]
        key = (t.code, *map(id, results))  # results are shared, so equal tiers are shared too
        tier = m.tiers.get(key)
        if tier is None:
            met = all(r.met for r in results if r.applies and not r.optional)
            tier = m.tiers[key] = TierResult(t.code, t.name, t.rank, met, results, t.name_en)
        tier_results.append(tier)
        if tier.met:
            qualified = t.code
    return Evaluation(org_id, m.on, vdef.version.pk, vdef.version.number, qualified, tier_results)


def _requirement(req, m: Measurements, org_id, contract_signed, had_sales, extra) -> RequirementResult:
    applies = True
    if req.condition == Requirement.Condition.IF_HAD_SALES:
        applies = had_sales
    elif req.condition == Requirement.Condition.IF_HAS_WEBSITE:
        applies = org_id in m.websites
    if req.metric:
        have, window = m.have(req.spec, org_id, extra)
        key = (req.pk, req.code, have, window, applies)
    else:
        met = m.obligations_met.get(org_id, ())
        done = req.obligation in met or (contract_signed and req.obligation == Requirement.Obligation.SIGNED_CONTRACT)
        key = (req.pk, req.code, done, applies)
    result = m.results.get(key)
    if result is None:
        result = m.results[key] = _result(req, m, key, applies)
    return result


def _result(req, m: Measurements, key: tuple, applies: bool) -> RequirementResult:
    if req.metric:
        spec, have, window = req.spec, key[2], key[3]
        need = req.threshold if req.threshold is not None else Decimal(0)
        unit = spec.currency if req.metric == "sales_volume" else ""
        return RequirementResult(
            code=req.code, label=req.display_label, label_en=req.display_label_en, kind="metric", metric=req.metric,
            have=have, need=need, unit=unit, met=have >= need, applies=applies, optional=req.optional,
            measured=metrics.is_measured(req.metric),
            window=(window or m.values.windows[spec][0]).as_dict(),
        )  # fmt: skip
    done = key[2]
    return RequirementResult(
        code=req.code, label=req.display_label, label_en=req.display_label_en, kind="obligation", metric=req.obligation,
        have=done, need=True, unit="", met=done, applies=applies, optional=req.optional,
    )  # fmt: skip


# ------------------------------------------------------------------ entry points (read-only)


def _prepare(enrolment: Enrolment, on: date) -> tuple[VersionDef, Measurements] | None:
    version = version_in_force(programme=enrolment.programme, on=on)
    if version is None:
        return None
    vdef = load_version(version)
    if enrolment.role_code not in vdef.tiered_roles:
        return None
    org_ids = Organisation.objects.filter(pk=enrolment.organisation_id).values("pk")
    return vdef, Measurements(vdef, org_ids, on)


def evaluate_enrolment(enrolment: Enrolment, on: date, extra: Additions | None = None) -> Evaluation | None:
    """Evaluate one partner on demand (read-only): None when its role carries no tiers.

    ``extra`` adds what-if figures to the measured ones; the result is never saved.
    """
    prepared = _prepare(enrolment, on)
    if prepared is None:
        return None
    vdef, m = prepared
    return evaluate_one(vdef, m, enrolment.organisation_id, enrolment.status == Enrolment.Status.ACTIVE, extra)


@dataclass
class Gap:
    """One measured requirement of the next tier and the smallest addition that meets it."""

    requirement: RequirementResult
    add: Decimal

    def as_dict(self) -> dict[str, Any]:
        r = self.requirement
        return {"code": r.code, "label": r.label, "label_en": r.label_en, "metric": r.metric, "unit": r.unit,
                "have": r._fmt(r.have), "need": r._fmt(r.need), "add": r._fmt(self.add)}  # fmt: skip


@dataclass
class Needs:
    """What the partner would need for the tier above its current one."""

    evaluation: Evaluation
    next_tier: TierResult | None
    gaps: list[Gap]  # measured requirements not met, with the addition that meets each
    obligations: list[RequirementResult]  # obligations still to fulfil once the gaps are closed
    additions: Additions  # the gaps as one what-if
    reached: bool  # closing the gaps alone reaches the next tier (no obligation left)


def what_would_i_need(enrolment: Enrolment, on: date) -> Needs | None:
    """The smallest additional sales, certified specialists and deals that reach the next tier.

    An addition counts in the current window, so a gap is the threshold less the current
    window's figure. The gaps are then checked together with the same engine: a condition
    such as "if it had sales" may bring in obligations, which are listed as still needed.
    """
    prepared = _prepare(enrolment, on)
    if prepared is None:
        return None
    vdef, m = prepared
    org = enrolment.organisation_id
    signed = enrolment.status == Enrolment.Status.ACTIVE
    ev = evaluate_one(vdef, m, org, signed)
    nxt = ev.next_tier(enrolment.tier_code)
    if nxt is None:
        return Needs(ev, None, [], [], Additions(), False)
    tier = vdef.tier(nxt.code)
    gaps: list[Gap] = []
    add = {"sales_volume": Decimal(0), "certified_staff": Decimal(0), "registered_deals": Decimal(0),
           "won_deals": Decimal(0), "purchase_count": Decimal(0)}  # fmt: skip
    for req, result in zip(tier.requirements, nxt.requirements, strict=True):
        if result.kind != "metric" or result.met or not result.applies or result.optional:
            continue
        gap = max(Decimal(0), Decimal(result.need) - m.current(req.spec, org))
        gaps.append(Gap(result, gap))
        add[req.metric] = max(add[req.metric], gap)
    family = next((r.spec.product_family_id for r in tier.requirements
                   if r.metric == "sales_volume" and r.spec.product_family_id), None)  # fmt: skip
    additions = Additions(
        sales=add["sales_volume"], sales_family_id=family, purchases=int(add["purchase_count"]),
        certified=int(add["certified_staff"]),
        registered_deals=int(add["registered_deals"]), won_deals=int(add["won_deals"]),
    )  # fmt: skip
    after = evaluate_one(vdef, m, org, signed, additions).tiers[vdef.tiers.index(tier)]
    obligations = [r for r in after.missing if r.kind != "metric"]
    return Needs(ev, nxt, gaps, obligations, additions, reached=after.met)


def downgrade_date(vdef: VersionDef, on: date) -> date:
    return metrics.period_end(vdef.version.evaluation_period, on) + timedelta(days=vdef.version.downgrade_grace_days)
