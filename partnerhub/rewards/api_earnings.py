"""REST endpoints for rewards: a partner's earnings, statements and ledger; finance's balances, issues,
rating runs, postings by hand, sale corrections; role rates of roles without tiers."""

from datetime import date
from decimal import Decimal

from django.http import HttpResponse
from django.utils.translation import gettext
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from partnerhub.core.api import InputSchema, Pagination
from partnerhub.identity import selectors as identity_selectors

from . import exports, selectors
from .models import JournalEntry, Sale
from .services import ledger, rating, role_rates

router = Router(tags=["rewards"])


class BalanceOut(Schema):
    currency: str
    accrued: Decimal
    held: Decimal
    payable: Decimal
    paid: Decimal


class MonthOut(Schema):
    month: str
    currency: str
    amount: Decimal


class EarningsOut(Schema):
    organisation_id: int
    balances: list[BalanceOut]
    months: list[MonthOut]


class StatementTotalOut(Schema):
    currency: str
    accrued: Decimal
    reversed: Decimal
    adjusted: Decimal
    rebates: Decimal
    incentives: Decimal = Field(..., description="contest prizes and SPIF bonuses")
    fund_claims: Decimal = Field(..., description="approved market and business development funds claims")
    total: Decimal


class StatementEntryOut(Schema):
    entry_id: int
    kind: str = Field(..., description="rebate, incentive, fund_claim or adjustment")
    posted_on: date
    amount: Decimal
    currency: str
    source: str = Field(..., description="the contest or SPIF, the rebate's quarter, the claim, or the reason")


class StatementOut(Schema):
    organisation_id: int
    period: str
    totals: list[StatementTotalOut]
    entries: list[StatementEntryOut] = Field(..., description="rebates, prizes, funds claims and adjustments")


class StatementLineOut(Schema):
    kind: str = Field(..., description="accrual, or reversal (negative) of a line accrued earlier")
    entry_id: int
    posted_on: date
    sale_id: int
    sold_on: date
    customer_name: str = Field(..., description="empty on a network line (another partner's sale)")
    invoice_number: str
    invoice_line: int | None
    earned_as: str = Field(..., description="own (the partner's own sale), distributor (a reseller's sale) or "
                           "recruiter (a recruited partner's sale)")  # fmt: skip
    source_partner: str = Field(..., description="on a network line: the partner whose sale it was")
    product_family: str
    sale_type: str
    sale_amount: Decimal
    sale_currency: str
    exchange_rate: Decimal
    base_amount: Decimal
    rule: str
    basis: str
    tier: str
    programme_version_id: int
    programme_version: str
    rate_percent: Decimal
    uplift_percent: Decimal
    share_percent: Decimal
    reward: Decimal
    currency: str


def _line_out(row: dict) -> dict:
    r, sale = row["rating"], row["rating"].sale
    return {
        "kind": row["kind"], "entry_id": row["entry"].pk, "posted_on": row["entry"].posted_on, "sale_id": sale.pk,
        "sold_on": sale.sold_on, "customer_name": row["customer"],
        "invoice_number": sale.invoice_number if row["invoice"] else "",
        "invoice_line": sale.invoice_line if row["invoice"] else None, "earned_as": r.line,
        "source_partner": row["source_partner"], "product_family": sale.product_family.code,
        "sale_type": sale.sale_type,
        "sale_amount": row["sale_amount"], "sale_currency": r.sale_currency, "exchange_rate": r.fx_rate,
        "base_amount": row["base_amount"], "rule": r.rule, "basis": r.basis, "tier": r.tier_code,
        "programme_version_id": r.version_id, "programme_version": str(r.version), "rate_percent": r.rate_percent,
        "uplift_percent": r.uplift_percent, "share_percent": r.share_percent, "reward": row["reward"],
        "currency": r.currency,
    }  # fmt: skip


class _StatementPage:
    """Statement lines sliced in SQL; a reversed line may add its negative twin to the page."""

    def __init__(self, qs, period):
        self.qs, self.period = qs, period

    def count(self):
        return self.qs.count()

    def __getitem__(self, sl):
        return [_line_out(row) for row in selectors.statement_rows(self.qs[sl], self.period)]


class EntryOut(Schema):
    id: int
    kind: str
    kind_label: str
    currency: str
    amount: Decimal | None = Field(None, description="the vendor's expense side: positive earns the partner money")
    posted_on: date
    memo: str

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_memo(obj) -> str:
        return gettext(obj.memo)  # the engine's memos are message ids, in the request's language


class PostingIn(InputSchema):
    kind: JournalEntry.Kind
    currency: str
    amount: str
    reason: str


class PartnerBalancesOut(Schema):
    organisation_id: int
    name: str
    balances: list[BalanceOut]


class IssueOut(Schema):
    sale_id: int
    organisation_id: int
    code: str
    message: str


class RatingRunOut(Schema):
    rated: int = Field(..., description="sale lines rated (the sellers' own lines)")
    network: int = Field(..., description="distributors' and recruiters' lines rated from them")
    issues: int = Field(..., description="sales left waiting, each with its reason (GET /rewards/issues)")
    entries: int = Field(..., description="ledger entries posted (one accrual per partner and currency)")


class CorrectionIn(InputSchema):
    reason: str
    amount: str | None = None
    sold_on: date | None = None
    sale_type: Sale.SaleType | None = None
    product_family: str | None = None
    currency: str | None = None
    customer_name: str | None = None
    customer_inn: str | None = None


class EndIn(InputSchema):
    status: str = Field(..., description="refunded or cancelled")
    reason: str


class RoleRateIn(InputSchema):
    product_family: str = Field("", description="empty: any family")
    sale_type: str = Field("", description="new, renewal, or empty: any")
    percent: str


class RoleRatesIn(InputSchema):
    programme: str
    version: int
    role_code: str
    rates: list[RoleRateIn]


class RoleRateOut(Schema):
    role_code: str
    product_family: str
    sale_type: str
    percent: Decimal

    @staticmethod
    def resolve_product_family(obj) -> str:
        return obj.product_family.code if obj.product_family_id else ""


@router.get("/organisations/{org_id}/earnings", response=EarningsOut,
            summary="A partner's balances (accrued, on hold, payable, paid) and earnings by month")  # fmt: skip
def earnings(request, org_id: int):
    org = identity_selectors.organisation(actor=request.auth, pk=org_id)
    return {"organisation_id": org.pk, "balances": selectors.earnings_balances(actor=request.auth, organisation=org),
            "months": selectors.earnings_by_month(actor=request.auth, organisation=org)}  # fmt: skip


@router.get("/organisations/{org_id}/statements/{period}", response=StatementOut,
            summary="A partner's statement for a month (YYYY-MM): totals per currency")  # fmt: skip
def statement(request, org_id: int, period: str):
    org = identity_selectors.organisation(actor=request.auth, pk=org_id)
    totals = selectors.statement_totals(actor=request.auth, organisation=org, period=period)
    others = selectors.statement_other_entries(actor=request.auth, organisation=org, period=period)
    return {"organisation_id": org.pk, "period": period, "totals": totals,
            "entries": [{**o, "entry_id": o["entry"].pk} for o in others]}  # fmt: skip


@router.get("/organisations/{org_id}/statements/{period}/lines", response=list[StatementLineOut],
            summary="A statement's lines, each traced to its sale, rule, tier and programme version")  # fmt: skip
@paginate(Pagination)
def statement_lines(request, org_id: int, period: str):
    org = identity_selectors.organisation(actor=request.auth, pk=org_id)
    return _StatementPage(selectors.statement_lines(actor=request.auth, organisation=org, period=period), period)


@router.get("/organisations/{org_id}/statements/{period}/csv", response={200: None},
            summary="A statement as CSV")  # fmt: skip
def statement_csv(request, org_id: int, period: str):
    org = identity_selectors.organisation(actor=request.auth, pk=org_id)
    return statement_csv_response(request.auth, org, period)


def statement_csv_response(actor, org, period: str) -> HttpResponse:
    lines = selectors.statement_lines(actor=actor, organisation=org, period=period)
    others = selectors.statement_other_entries(actor=actor, organisation=org, period=period)
    body = exports.statement_csv(selectors.statement_rows(lines.iterator(chunk_size=2000), period), others)
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="statement-{org.pk}-{period}.csv"'
    return response


@router.get("/organisations/{org_id}/ledger", response=list[EntryOut], summary="A partner's ledger entries")
@paginate(Pagination)
def ledger_entries(request, org_id: int):
    org = identity_selectors.organisation(actor=request.auth, pk=org_id)
    return selectors.ledger_entries(actor=request.auth, organisation=org)


@router.post("/organisations/{org_id}/ledger", response={201: EntryOut},
             summary="Finance: an adjustment, or a release, hold or unhold of part of a balance")  # fmt: skip
def post_entry(request, org_id: int, payload: PostingIn):
    org = identity_selectors.organisation(actor=request.auth, pk=org_id)
    entry = ledger.post_by_hand(actor=request.auth, organisation=org, **payload.dict())
    return Status(201, selectors.ledger_entries(actor=request.auth, organisation=org).get(pk=entry.pk))


@router.get("/rewards/balances", response=list[PartnerBalancesOut], summary="Finance: every partner's balances")
@paginate(Pagination)
def partner_balances(request, currency: str = ""):
    qs = selectors.partner_balances(actor=request.auth, currency=currency.upper())
    return _BalancesPage(qs)


class _BalancesPage:
    def __init__(self, qs):
        self.qs = qs

    def count(self):
        return self.qs.count()

    def __getitem__(self, sl):
        orgs = list(self.qs[sl])
        by = selectors.balances_of(orgs)
        return [{"organisation_id": o.pk, "name": o.name, "balances": by.get(o.pk, [])} for o in orgs]


@router.get("/rewards/issues", response=list[IssueOut], summary="Sales not rated yet, with the reason")
@paginate(Pagination)
def rating_issues(request):
    return selectors.rating_issues(actor=request.auth)


@router.post("/rewards/rate", response={200: RatingRunOut}, summary="Finance: rate every pending sale now")
def rate_now(request):
    ledger.require_finance(request.auth)
    return rating.rate_pending(actor=request.auth)


@router.post("/sales/{sale_id}/correct", response={201: dict},
             summary="Finance: correct a sale (reversal at the original rating, a new sale rated afresh)")  # fmt: skip
def correct_sale(request, sale_id: int, payload: CorrectionIn):
    sale = selectors.sale(actor=request.auth, pk=sale_id)
    data = payload.dict()
    reason = data.pop("reason")
    new = rating.correct_sale(actor=request.auth, sale=sale, reason=reason,
                              **{k: v for k, v in data.items() if v is not None})  # fmt: skip
    return Status(201, {"id": new.pk, "corrects": sale.pk})


@router.post("/sales/{sale_id}/end", response={200: dict}, summary="Finance: a refund or cancellation")
def end_sale(request, sale_id: int, payload: EndIn):
    sale = selectors.sale(actor=request.auth, pk=sale_id)
    ended = rating.end_sale(actor=request.auth, sale=sale, **payload.dict())
    return {"id": ended.pk, "status": ended.status}


@router.get("/role-rates", response=list[RoleRateOut], summary="Reward rates of roles without tiers")
@paginate(Pagination)
def list_role_rates(request, programme: str, version: int):
    return selectors.role_rates(actor=request.auth, programme=programme, number=version)


@router.post("/role-rates", response={200: list[RoleRateOut]},
             summary="Set the reward rates of a role without tiers in a programme version")  # fmt: skip
def set_role_rates(request, payload: RoleRatesIn):
    data = payload.dict()
    return role_rates.set_role_rates(actor=request.auth, **data)
