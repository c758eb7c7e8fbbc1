"""REST endpoint of the back-test: a programme version over a past period's sales (read-only)."""

from datetime import date

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from partnerhub.core.api import InputSchema
from partnerhub.core.tenancy import actor_for

from . import backtest
from .views_backtest import backtest_versions

router = Router(tags=["rewards"])


class BacktestIn(InputSchema):
    version_id: int
    start: date
    end: date


class BacktestRowOut(Schema):
    organisation_id: int
    organisation: str
    tier_code: str
    tier: str
    currency: str
    lines: int
    sales: str
    would_pay: str
    accrued: str
    difference: str


class BacktestTotalOut(Schema):
    currency: str
    would_pay: str
    accrued: str
    difference: str


class UnratedOut(Schema):
    reason: str
    lines: int


class BacktestOut(Schema):
    version_id: int
    start: date
    end: date
    lines: int
    totals: list[BacktestTotalOut]
    rows: list[BacktestRowOut]
    unrated: list[UnratedOut]


@router.post(
    "/backtests",
    response={200: BacktestOut},
    summary="Rate a past period's sales under a programme version beside what was accrued (posts nothing)",
)
def run_backtest(request, payload: BacktestIn):
    if not actor_for(request.auth).is_vendor_staff:
        raise Http404
    version = get_object_or_404(backtest_versions(), pk=payload.version_id)
    r = backtest.run_backtest(actor=request.auth, version=version, start=payload.start, end=payload.end)
    return {
        "version_id": version.pk, "start": r.start, "end": r.end, "lines": r.lines,
        "totals": [{"currency": t.currency, "would_pay": str(t.would_pay), "accrued": str(t.accrued),
                    "difference": str(t.difference)} for t in r.totals],
        "rows": [{"organisation_id": x.organisation.pk, "organisation": x.organisation.name, "tier_code": x.tier_code,
                  "tier": str(x.tier_label), "currency": x.currency, "lines": x.lines, "sales": str(x.base),
                  "would_pay": str(x.would_pay), "accrued": str(x.accrued), "difference": str(x.difference)}
                 for x in r.rows],
        "unrated": [{"reason": m, "lines": n} for m, n in r.unrated],
    }  # fmt: skip
