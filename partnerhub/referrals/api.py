"""REST endpoints of referral links, their statistics, the vendor's traffic report and purchases."""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from partnerhub.core.api import InputSchema, Pagination, model_type
from partnerhub.identity import selectors as identity_selectors
from partnerhub.programmes.models import ProductFamily

from . import selectors, services
from .models import Conversion, ReferralLink

router = Router(tags=["referrals"])


class LinkOut(Schema):
    id: int
    organisation_id: int
    code: str
    url: str
    target: str
    campaign: str
    is_active: bool
    created_at: datetime

    @staticmethod
    def resolve_url(obj: ReferralLink) -> str:
        return services.link_url(obj)


TARGET = "a path on this site (/pricing/) or a URL on an allowed vendor host"


class LinkIn(InputSchema):
    target: model_type(ReferralLink, "target", description=TARGET)
    campaign: model_type(ReferralLink, "campaign") = ""


class LinkPatch(InputSchema):
    target: model_type(ReferralLink, "target") = None
    campaign: model_type(ReferralLink, "campaign") = None
    is_active: model_type(ReferralLink, "is_active") = None


class PeriodQuery(Schema):
    since: date | None = Field(None, description="first day (default: 29 days before `until`)")
    until: date | None = Field(None, description="last day, inclusive (default: today)")


class SeriesQuery(PeriodQuery):
    interval: Literal["day", "week", "month"] = "day"


class MoneyOut(Schema):
    currency: str
    amount: Decimal


class StatsOut(Schema):
    clicks: int = Field(..., description="clicks of people, repeats within 30 minutes counted once")
    signups: int
    purchases: int
    conversion_rate: Decimal | None = Field(..., description="sign-ups per 100 clicks; null without clicks")
    rewards: list[MoneyOut] = Field(..., description="rewards of credited purchases, per currency")


class SeriesRowOut(Schema):
    period: date
    clicks: int
    signups: int
    purchases: int


class LinkStatsOut(Schema):
    link: LinkOut
    since: date
    until: date
    stats: StatsOut
    series: list[SeriesRowOut]


class LinkRowOut(Schema):
    link: LinkOut
    stats: StatsOut


class OrganisationStatsOut(Schema):
    organisation_id: int
    since: date
    until: date
    total: StatsOut
    links: list[LinkRowOut]
    series: list[SeriesRowOut]


class ConversionOut(Schema):
    id: int
    kind: str
    status: str
    reason: str
    organisation_id: int | None
    customer_id: int
    customer_name: str = Field(..., alias="customer.name")
    link_code: str | None
    amount: Decimal
    currency: str
    product_family: str | None
    reward_percent: Decimal
    reward_amount: Decimal
    version_id: int | None
    sale_id: int | None
    reference: str
    occurred_on: date

    @staticmethod
    def resolve_link_code(obj) -> str | None:
        link = obj.attribution.link if obj.attribution_id else None
        return link.code if link else None

    @staticmethod
    def resolve_product_family(obj) -> str | None:
        return obj.product_family.code if obj.product_family_id else None


class TrafficRowOut(Schema):
    organisation_id: int
    organisation_name: str
    clicks: int
    previous_clicks: int
    change_percent: Decimal | None
    signups: int
    purchases: int
    active_links: int
    falling: bool


class TrafficOut(Schema):
    period_days: int
    threshold_percent: int
    current_since: date
    previous_since: date
    partners: list[TrafficRowOut]
    falling: list[TrafficRowOut]


class PurchaseIn(InputSchema):
    customer_id: int
    amount: model_type(Conversion, "amount", gt=0, description="decimal, e.g. 125000.00")
    currency: model_type(Conversion, "currency")
    product_family: model_type(ProductFamily, "code", description="product family code")
    sold_on: date
    reference: model_type(Conversion, "reference", min_length=1, description="invoice or order number; idempotency key")


class PurchaseOut(Schema):
    created: bool
    attributed: bool
    explanation: str
    conversion: ConversionOut


def _stats(s: selectors.Stats) -> dict:
    return {
        "clicks": s.clicks,
        "signups": s.signups,
        "purchases": s.purchases,
        "conversion_rate": s.conversion_rate,
        "rewards": s.reward_list,
    }


# ---------------------------------------------------------------------------- partner: links


@router.get("/organisations/{org_id}/referral-links", response=list[LinkOut], summary="A partner's referral links")
@paginate(Pagination)
def list_links(request, org_id: int, active: bool | None = None):
    org = identity_selectors.organisation(actor=request.auth, pk=org_id)
    return selectors.links(actor=request.auth, organisation=org, active=active)


@router.post("/organisations/{org_id}/referral-links", response={201: LinkOut}, summary="Create a referral link")
def create_link(request, org_id: int, payload: LinkIn):
    org = identity_selectors.organisation(actor=request.auth, pk=org_id)
    return Status(201, services.link_create(actor=request.auth, organisation=org, **payload.dict()))


@router.get("/referral-links/{link_id}", response=LinkOut)
def get_link(request, link_id: int):
    return selectors.link(actor=request.auth, pk=link_id)


@router.patch("/referral-links/{link_id}", response=LinkOut, summary="Change a link's target or campaign, deactivate")
def update_link(request, link_id: int, payload: LinkPatch):
    link = selectors.link(actor=request.auth, pk=link_id)
    return services.link_update(actor=request.auth, link=link, **payload.dict(exclude_unset=True))


@router.get("/referral-links/{link_id}/stats", response=LinkStatsOut, summary="One link's statistics")
def link_stats(request, link_id: int, query: Query[SeriesQuery]):
    link = selectors.link(actor=request.auth, pk=link_id)
    period = selectors.Period.of(query.since, query.until)
    return {
        "link": link,
        "since": period.since,
        "until": period.until,
        "stats": _stats(selectors.link_stats(actor=request.auth, link=link, period=period)),
        "series": selectors.series(
            actor=request.auth, organisation=link.organisation, period=period, interval=query.interval, link_id=link.pk
        ),
    }


@router.get(
    "/organisations/{org_id}/referral-stats",
    response=OrganisationStatsOut,
    summary="A partner's referral statistics, per link and per day, week or month",
)
def organisation_stats(request, org_id: int, query: Query[SeriesQuery]):
    org = identity_selectors.organisation(actor=request.auth, pk=org_id)
    period = selectors.Period.of(query.since, query.until)
    per_link, total = selectors.stats_by_link(actor=request.auth, organisation=org, period=period)
    rows = [
        {"link": link, "stats": _stats(per_link.get(link.pk, selectors.Stats()))}
        for link in selectors.links(actor=request.auth, organisation=org)
    ]
    return {
        "organisation_id": org.pk,
        "since": period.since,
        "until": period.until,
        "total": _stats(total),
        "links": rows,
        "series": selectors.series(actor=request.auth, organisation=org, period=period, interval=query.interval),
    }


@router.get(
    "/organisations/{org_id}/referral-conversions",
    response=list[ConversionOut],
    summary="Sign-ups and purchases credited to a partner",
)
@paginate(Pagination)
def list_conversions(request, org_id: int, kind: Literal["signup", "purchase"] | None = None):
    org = identity_selectors.organisation(actor=request.auth, pk=org_id)
    return selectors.conversions(actor=request.auth, organisation=org, kind=kind or "")


# ---------------------------------------------------------------------------- vendor


@router.get(
    "/referral-traffic",
    response=TrafficOut,
    summary="Every partner's referral clicks, last period against the one before (vendor staff)",
)
def referral_traffic(request, threshold: int | None = Query(None, ge=1, le=100)):
    report = selectors.traffic(actor=request.auth, threshold=threshold)

    def row(r: selectors.TrafficRow) -> dict:
        return {
            "organisation_id": r.organisation.pk,
            "organisation_name": r.organisation.name,
            "clicks": r.clicks,
            "previous_clicks": r.previous_clicks,
            "change_percent": r.change_percent,
            "signups": r.signups,
            "purchases": r.purchases,
            "active_links": r.active_links,
            "falling": r.falling(report.threshold),
        }

    return {
        "period_days": report.period_days,
        "threshold_percent": report.threshold,
        "current_since": report.current_since,
        "previous_since": report.previous_since,
        "partners": [row(r) for r in report.rows],
        "falling": [row(r) for r in report.falling],
    }


@router.post(
    "/referral-purchases",
    response={200: PurchaseOut, 201: PurchaseOut},
    summary="Record a customer's purchase; credited to the referral partner within the window",
)
def record_purchase(request, payload: PurchaseIn):
    services.require_purchase_recorder(request.auth)
    data = payload.dict()
    customer = identity_selectors.organisation(actor=request.auth, pk=data.pop("customer_id"))
    outcome = services.record_purchase(actor=request.auth, customer=customer, **data)
    body = {
        "created": outcome.created,
        "attributed": outcome.attributed,
        "explanation": outcome.explanation,
        "conversion": outcome.conversion,
    }
    return Status(201 if outcome.created else 200, body)
