"""REST endpoints of the incentives context: contests and SPIFs (definition, standings, award) and quarterly
rebates (preview, post, list). Rivals' figures are ``null`` unless the incentive shows amounts."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from partnerhub.core.api import InputSchema, Pagination, model_type

from . import selectors, services
from .models import Award, Incentive, Prize

router = Router(tags=["incentives"])


class PrizeIn(InputSchema):
    rank: int = Field(..., ge=1, le=1000)
    amount: str = Field(..., max_length=30, description="greater than zero, at most two decimals")
    currency: str = Field("", max_length=3, description="empty: the incentive's currency")
    label: model_type(Prize, "label") = ""


class IncentiveIn(InputSchema):
    kind: str = Field(..., description="contest or spif")
    name: model_type(Incentive, "name")
    name_en: model_type(Incentive, "name_en") = ""
    description: model_type(Incentive, "description") = ""
    programme: str = Field(..., description="programme code")
    metric: str = Field(..., description="sales_volume, won_deals or largest_sale")
    currency: str = Field("RUB", description="money metrics count sales converted into it at their date's rate")
    starts_on: date
    ends_on: date = Field(..., description="inclusive")
    partners: list[Annotated[int, Field(ge=1, le=2**63 - 1)]] = Field(
        [], description="named partner organisations (ids); empty: every eligible partner"
    )
    tiers: list[Annotated[str, Field(max_length=50)]] = Field([], description="eligible tier codes; empty: every tier")
    prizes: list[PrizeIn] = Field([], description="contest: a prize per rank")
    target: str | None = Field(None, description="SPIF: the figure to reach")
    bonus_kind: str = Field("", description="SPIF: percent (of the figure) or fixed")
    bonus_percent: str | None = None
    bonus_amount: str | None = None
    show_amounts: bool = Field(False, description="partners see each other's figures")


class PrizeOut(Schema):
    rank: int
    amount: Decimal
    currency: str
    label: str


class IncentiveOut(Schema):
    id: int
    kind: str
    kind_label: str
    name: str
    name_en: str
    description: str
    programme: str
    metric: str
    metric_label: str
    currency: str
    starts_on: date
    ends_on: date
    state: str
    state_label: str
    tiers: list[str]
    prizes: list[PrizeOut]
    target: Decimal | None
    bonus_kind: str
    bonus_percent: Decimal | None
    bonus_amount: Decimal | None
    show_amounts: bool
    awarded_at: datetime | None

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_metric_label(obj) -> str:
        return str(obj.get_metric_display())

    @staticmethod
    def resolve_programme(obj) -> str:
        return obj.programme.code

    @staticmethod
    def resolve_tiers(obj) -> list[str]:
        return obj.tier_codes

    @staticmethod
    def resolve_prizes(obj) -> list:
        return list(obj.prizes.all())


class StandingOut(Schema):
    rank: int
    organisation_id: int
    name: str
    figure: Decimal | None = Field(None, description="null when the incentive hides rivals' figures")
    is_own: bool


class AwardOut(Schema):
    organisation_id: int
    rank: int | None
    figure: Decimal
    amount: Decimal
    currency: str
    entry_id: int


class RebateLineOut(Schema):
    organisation_id: int
    name: str
    currency: str
    base: Decimal
    amount: Decimal
    posted: bool


class QuarterIn(InputSchema):
    year: int = Field(..., ge=2000, le=2100)
    quarter: int = Field(..., description="1 to 4")


class RebateOut(Schema):
    id: int
    organisation_id: int
    year: int
    quarter: int
    currency: str
    base: Decimal
    amount: Decimal
    entry_id: int
    posted_at: datetime


def _awards(awards: list[Award]) -> list[dict]:
    return [{"organisation_id": a.organisation_id, "rank": a.rank, "figure": a.figure, "amount": a.amount,
             "currency": a.currency, "entry_id": a.entry_id} for a in awards]  # fmt: skip


def _fields(payload: IncentiveIn) -> dict:
    data = payload.dict()
    data["prizes"] = [dict(p) for p in data["prizes"]]
    return data


@router.get("/incentives", response=list[IncentiveOut], summary="Contests and SPIFs the caller may see")
@paginate(Pagination)
def list_incentives(request, kind: str = "", state: str = ""):
    return selectors.incentives(actor=request.auth, kind=kind, state=state)


@router.post("/incentives", response={201: IncentiveOut}, summary="Vendor: define a contest or SPIF")
def create_incentive(request, payload: IncentiveIn):
    obj = services.save_incentive(actor=request.auth, **_fields(payload))
    return Status(201, selectors.incentive(actor=request.auth, pk=obj.pk))


@router.get("/incentives/{incentive_id}", response=IncentiveOut, summary="A contest or SPIF")
def get_incentive(request, incentive_id: int):
    return selectors.incentive(actor=request.auth, pk=incentive_id)


@router.put("/incentives/{incentive_id}", response=IncentiveOut,
            summary="Vendor: replace a contest's or SPIF's definition (until it is awarded)")  # fmt: skip
def update_incentive(request, incentive_id: int, payload: IncentiveIn):
    obj = selectors.incentive(actor=request.auth, pk=incentive_id)
    services.save_incentive(actor=request.auth, incentive=obj, **_fields(payload))
    return selectors.incentive(actor=request.auth, pk=obj.pk)


@router.get("/incentives/{incentive_id}/standings", response=list[StandingOut],
            summary="The leaderboard: ranks and names; rivals' figures only when the incentive shows them")  # fmt: skip
@paginate(Pagination)
def incentive_standings(request, incentive_id: int):
    obj = selectors.incentive(actor=request.auth, pk=incentive_id)
    return selectors.standings_page(actor=request.auth, incentive=obj)


@router.post("/incentives/{incentive_id}/award", response={200: list[AwardOut]},
             summary="Finance: pay a finished incentive's winners (once; again returns the same awards)")  # fmt: skip
def award(request, incentive_id: int):
    obj = selectors.incentive(actor=request.auth, pk=incentive_id)
    return _awards(services.award_incentive(actor=request.auth, incentive=obj))


@router.get("/rebates/preview", response=list[RebateLineOut],
            summary="Finance: what posting a quarter's rebates would post, per partner and currency")  # fmt: skip
def rebate_preview(request, year: int = Query(..., ge=2000, le=2100), quarter: int = Query(..., ge=1, le=4)):
    return services.preview_quarterly_rebates(actor=request.auth, year=year, quarter=quarter)


@router.post("/rebates", response={201: list[RebateOut]},
             summary="Finance: post a quarter's rebates (once per partner and currency)")  # fmt: skip
def post_rebates(request, payload: QuarterIn):
    return Status(201, services.post_quarterly_rebates(actor=request.auth, year=payload.year, quarter=payload.quarter))


@router.get("/rebates", response=list[RebateOut], summary="Posted quarterly rebates (a partner: its own)")
@paginate(Pagination)
def list_rebates(
    request, year: int | None = Query(None, ge=2000, le=2100), quarter: int | None = Query(None, ge=1, le=4)
):
    return selectors.rebates(actor=request.auth, year=year, quarter=quarter)
