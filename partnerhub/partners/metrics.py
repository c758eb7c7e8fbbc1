"""Measured figures for tier requirements, computed set-based: one grouped query per
distinct requirement shape, for every partner of a programme at once.

A metric provider takes a :class:`MetricSpec`, a queryset of organisation ids and the
period, and returns ``{organisation_id: value}``. Apps that own the source records register
providers for their metrics (``register``); sales and certifications are registered here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Q, QuerySet, Sum


@dataclass(frozen=True)
class MetricSpec:
    metric: str
    period: str
    currency: str = ""
    product_family_id: int | None = None
    certification: str = ""


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


Provider = Callable[[MetricSpec, QuerySet, Window, date], dict[int, Decimal]]
_PROVIDERS: dict[str, Provider] = {}
POINT_IN_TIME = {"certified_staff"}  # measured on the day, not over a period


def register(metric: str, provider: Provider) -> None:
    _PROVIDERS[metric] = provider


def is_measured(metric: str) -> bool:
    return metric in _PROVIDERS


def measure(spec: MetricSpec, org_ids: QuerySet, on: date) -> tuple[dict[int, Decimal], dict[int, Window]]:
    """Values per organisation (best window) and the window each value came from."""
    provider = _PROVIDERS.get(spec.metric)
    best: dict[int, Decimal] = {}
    source: dict[int, Window] = {}
    wins = windows(spec.period, on)[:1] if spec.metric in POINT_IN_TIME else windows(spec.period, on)
    if provider is None:
        return best, source
    for window in wins:
        for org_id, value in provider(spec, org_ids, window, on).items():
            if org_id not in best or value > best[org_id]:
                best[org_id] = value
                source[org_id] = window
    return best, source


def _sales(spec: MetricSpec, org_ids: QuerySet, window: Window):
    from partnerhub.rewards.models import Sale

    qs = Sale.objects.filter(organisation_id__in=org_ids, sold_on__gte=window.start, sold_on__lt=window.end)
    if spec.product_family_id:
        qs = qs.filter(product_family_id=spec.product_family_id)
    return qs


def sales_volume(spec: MetricSpec, org_ids: QuerySet, window: Window, on: date) -> dict[int, Decimal]:
    qs = _sales(spec, org_ids, window).filter(currency=spec.currency)
    return {row["organisation_id"]: row["v"] for row in qs.values("organisation_id").annotate(v=Sum("amount"))}


def purchase_count(spec: MetricSpec, org_ids: QuerySet, window: Window, on: date) -> dict[int, Decimal]:
    qs = _sales(spec, org_ids, window)
    return {r["organisation_id"]: Decimal(r["v"]) for r in qs.values("organisation_id").annotate(v=Count("id"))}


def certified_staff(spec: MetricSpec, org_ids: QuerySet, window: Window, on: date) -> dict[int, Decimal]:
    """Specialists employed now holding a certificate of the type valid on ``on``."""
    from partnerhub.enablement.models import Certification

    qs = Certification.objects.filter(
        Q(expires_on__isnull=True) | Q(expires_on__gt=on),
        specialist__organisation_id__in=org_ids,
        specialist__is_active=True,
        issued_on__lte=on,
    )
    if spec.certification:
        qs = qs.filter(type__code=spec.certification)
    rows = qs.values("specialist__organisation_id").annotate(v=Count("specialist_id", distinct=True))
    return {r["specialist__organisation_id"]: Decimal(r["v"]) for r in rows}


register("sales_volume", sales_volume)
register("purchase_count", purchase_count)
register("certified_staff", certified_staff)
