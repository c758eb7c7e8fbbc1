"""Measured figures for tier requirements, computed set-based.

A metric is measured from the rows of one *source* (sales, certificates, deal claims). The
engine asks for every (metric, window) it needs at once, and each source answers with one
grouped query per batch of partners: ``SELECT organisation, SUM(..) FILTER (..), COUNT(..)
FILTER (..), … GROUP BY organisation`` — one pass over the source's rows whatever the number
of requirements (``measure_batch``).

Partners is a lower layer than the apps that own most of the facts (rewards, deals): it must
not import them. The app that owns a source registers its metrics here from its
``AppConfig.ready()`` (``register``), so the engine measures what it is given and the
programme validator can ask which metrics are measured (``measured_metrics``): rewards
registers sales (``rewards.tier_metrics``), deals its claims (``deals.tier_metrics``);
certificates (enablement, a lower layer) are registered here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db.models import Aggregate, Count, Q, QuerySet

from partnerhub.enablement.models import Certification
from partnerhub.programmes import measures


@dataclass(frozen=True)
class MetricSpec:
    metric: str
    period: str
    currency: str = ""
    product_family_id: int | None = None
    certification: str = ""

    def __hash__(self) -> int:  # computed once: a run looks specs up per partner and requirement
        h = self.__dict__.get("_hash")
        if h is None:
            h = hash((self.metric, self.period, self.currency, self.product_family_id, self.certification))
            object.__setattr__(self, "_hash", h)
        return h


@dataclass(frozen=True)
class Window:
    """A half-open date range [start, end) and a label for explanations."""

    start: date
    end: date

    def as_dict(self) -> dict[str, str]:
        return {"from": self.start.isoformat(), "to": (self.end - timedelta(days=1)).isoformat()}


def windows(period: str, on: date) -> list[Window]:
    """The windows a period is measured over on ``on``; the best of them counts.

    * rolling_12_months: the 12 months up to and including ``on``.
    * calendar_year: the current year to date, and the previous full year (a tier earned
      last year holds through this year; an upgrade can be earned within the year).
    * calendar_quarter: the current quarter to date, and the previous full quarter.
    """
    tomorrow = on + timedelta(days=1)
    if period == "calendar_year":
        this_year = date(on.year, 1, 1)
        return [Window(this_year, tomorrow), Window(date(on.year - 1, 1, 1), this_year)]
    if period == "calendar_quarter":
        q_start = date(on.year, 3 * ((on.month - 1) // 3) + 1, 1)
        return [Window(q_start, tomorrow), Window(q_start - relativedelta(months=3), q_start)]
    return [Window(tomorrow - relativedelta(months=12), tomorrow)]


def period_end(period: str, on: date) -> date:
    """The last day of the evaluation period containing ``on`` (downgrades wait for it)."""
    if period == "calendar_year":
        return date(on.year, 12, 31)
    if period == "calendar_quarter":
        q_start = date(on.year, 3 * ((on.month - 1) // 3) + 1, 1)
        return q_start + relativedelta(months=3) - timedelta(days=1)
    return on


# ------------------------------------------------------------------ the registry


@dataclass(frozen=True)
class Source:
    """Rows of one table that metrics are counted from.

    ``rows(org_ids, start, end, on)`` returns the rows of the organisations in ``org_ids``
    that may count for any window within [start, end) on ``on``; ``org_field`` is the
    lookup of the organisation id in those rows.
    """

    name: str
    rows: Callable[[QuerySet, date, date, date], QuerySet]
    org_field: str = "organisation_id"


@dataclass(frozen=True)
class Metric:
    source: Source
    # The aggregate of one window, its filter included: Sum("amount", filter=Q(...)).
    value: Callable[[MetricSpec, Window, date], Aggregate]
    point_in_time: bool = False  # measured on the day, not over a period


_METRICS: dict[str, Metric] = {}


def register(name: str, *, source: Source, value: Callable[[MetricSpec, Window, date], Aggregate],
             point_in_time: bool = False) -> None:  # fmt: skip
    _METRICS[name] = Metric(source, value, point_in_time)
    measures.declare_measured(name)  # the programme validator accepts only measured metrics


def is_measured(metric: str) -> bool:
    return metric in _METRICS


def measured_metrics() -> frozenset[str]:
    return frozenset(_METRICS)


def spec_windows(spec: MetricSpec, on: date) -> list[Window]:
    wins = windows(spec.period, on)
    metric = _METRICS.get(spec.metric)
    return wins[:1] if metric is not None and metric.point_in_time else wins


# ------------------------------------------------------------------ measuring

ZERO = Decimal(0)


class BatchValues:
    """Per organisation, one row per source: the value of every (spec, window) asked for."""

    def __init__(self, specs: list[MetricSpec], on: date):
        self.on = on
        self.specs = specs
        self.windows = {s: spec_windows(s, on) for s in specs}
        self.columns: dict[tuple[MetricSpec, int], tuple[str, int]] = {}  # (spec, window) -> (source, column)
        self.rows: dict[str, dict[int, tuple]] = {}  # source -> organisation -> values
        self._best: dict[MetricSpec, dict[int, tuple[Decimal, Window | None]]] = {}
        self._where: dict[MetricSpec, list[tuple[dict[int, tuple], int] | None]] = {}

    def _places(self, spec: MetricSpec) -> list[tuple[dict[int, tuple], int] | None]:
        """Per window of ``spec``: (its source's rows, the column) or None (not measured)."""
        places = self._where.get(spec)
        if places is None:
            places = self._where[spec] = [
                (self.rows[where[0]], where[1]) if (where := self.columns.get((spec, i))) else None
                for i in range(len(self.windows[spec]))
            ]
        return places

    def per_window(self, spec: MetricSpec, org_id: int) -> list[Decimal]:
        out = []
        for place in self._places(spec):
            row = place[0].get(org_id) if place else None
            value = row[place[1]] if row is not None else None
            out.append(ZERO if not value else value if isinstance(value, Decimal) else Decimal(value))
        return out

    def best(self, spec: MetricSpec, org_id: int) -> tuple[Decimal, Window | None]:
        """The best window's value and that window (None: nothing counted in any window)."""
        per_org = self._best.get(spec)
        if per_org is None:
            per_org = self._best[spec] = {}
        found = per_org.get(org_id)
        if found is None:
            best, source = ZERO, None
            for value, window in zip(self.per_window(spec, org_id), self.windows[spec], strict=True):
                if value > best:
                    best, source = value, window
            found = per_org[org_id] = (best, source)
        return found

    def fingerprint(self, org_id: int) -> tuple:
        """Everything measured for one organisation, for change detection."""
        return tuple(rows.get(org_id) for _name, rows in sorted(self.rows.items()))


def in_range(field: str, org_range: tuple[int, int] | None) -> dict[str, int]:
    """Lookups bounding ``field`` to an id range (none without a range)."""
    return {f"{field}__gte": org_range[0], f"{field}__lte": org_range[1]} if org_range else {}


def measure_batch(
    specs: list[MetricSpec], org_ids: QuerySet | list[int], on: date, *, org_range: tuple[int, int] | None = None
) -> BatchValues:
    """Measure every spec (each over its windows) for the organisations in ``org_ids``.

    One grouped query per source; a spec whose metric nobody registered reads 0.
    ``org_range`` (lowest, highest id of ``org_ids``) lets the database read an index range
    of each source instead of scanning it whole for every batch.
    """
    out = BatchValues(specs, on)
    by_source: dict[str, tuple[Source, list[tuple[MetricSpec, int, Window]]]] = {}
    for spec in specs:
        metric = _METRICS.get(spec.metric)
        if metric is None:
            continue
        entry = by_source.setdefault(metric.source.name, (metric.source, []))
        for i, window in enumerate(out.windows[spec]):
            entry[1].append((spec, i, window))
    for name, (source, asked) in sorted(by_source.items()):
        start = min(w.start for _s, _i, w in asked)
        end = max(w.end for _s, _i, w in asked)
        aggregates: dict[str, Any] = {}
        for col, (spec, i, window) in enumerate(asked):
            aggregates[f"m{col}"] = _METRICS[spec.metric].value(spec, window, on)
            out.columns[(spec, i)] = (name, col)
        qs = source.rows(org_ids, start, end, on)
        qs = qs.filter(**in_range(source.org_field, org_range))
        qs = qs.order_by().values(source.org_field).annotate(**aggregates)
        names = [f"m{c}" for c in range(len(asked))]
        out.rows[name] = {r[0]: r[1:] for r in qs.values_list(source.org_field, *names)}
    return out


# ------------------------------------------------------------------ certificates


def _certificate_rows(org_ids: QuerySet, start: date, end: date, on: date) -> QuerySet:
    """Certificates valid (not revoked) on ``on`` of specialists employed now."""
    return Certification.objects.filter(
        Q(expires_on__isnull=True) | Q(expires_on__gt=on),
        revoked_at__isnull=True,
        specialist__organisation_id__in=org_ids,
        specialist__is_active=True,
        issued_on__lte=on,
    )


CERTIFICATES = Source("certificates", _certificate_rows, org_field="specialist__organisation_id")


def certified_staff(spec: MetricSpec, window: Window, on: date) -> Aggregate:
    """Specialists holding a certificate of the type (any type when none is named)."""
    q = Q(type__code=spec.certification) if spec.certification else None
    return Count("specialist_id", distinct=True, filter=q)


register("certified_staff", source=CERTIFICATES, value=certified_staff, point_in_time=True)
