"""REST endpoints for closing periods (settlement preview, close), statement PDFs and payout runs.

Problems: 403 ``forbidden`` (a role that does not close or pay), 403 ``four_eyes`` (the preparer approving its
own run), 404 ``not_found`` (another partner's statement or payouts; any run for a partner), 409 ``conflict``
(a run in the wrong state), 422 ``validation`` (an unknown currency, a bad minimum, a month that cannot close,
no payable balance to pay)."""

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from partnerhub.core.api import InputSchema, Pagination
from partnerhub.core.problems import Conflict
from partnerhub.identity import selectors as identity_selectors

from . import exports_payouts, periods, selectors, selectors_payouts, statement_pdf
from .services import payouts, settlement

router = Router(tags=["rewards"])


class PeriodOut(Schema):
    period: str = Field(..., description="YYYY-MM")
    quarter: str = Field(..., description="YYYY-Qn; a quarter is closed when its three months are")
    ended: bool
    closed: bool
    closed_at: datetime | None


class SettlementOut(Schema):
    organisation_id: int
    name: str
    currency: str
    accrued: Decimal = Field(..., description="accrued at the month's end, before the close")
    held_before: Decimal
    held_after: Decimal = Field(..., description="rewards still waiting (customer not paid, hold days not over)")
    hold: Decimal = Field(..., description="moved to hold (negative: released from hold)")
    release: Decimal = Field(..., description="accrued becoming payable")
    carried: Decimal = Field(..., description="left accrued (negative: a clawback carried forward)")


class PreviewOut(Schema):
    period: str
    closable: bool
    reason: str
    rows: list[SettlementOut]


class PaymentIn(InputSchema):
    paid_on: date | None = Field(..., description="when the customer paid; null clears it")


class CancelIn(InputSchema):
    reason: str


class RunIn(InputSchema):
    currency: str
    minimum: str = Field("0", description="the smallest payable balance paid in this run")
    key: str = Field("", description="idempotency key: the same key returns the same run")


class PayoutRunOut(Schema):
    id: int
    key: str
    currency: str
    minimum: Decimal
    total: Decimal
    status: str
    status_label: str
    prepared_by: str
    approved_by: str | None
    paid_on: date | None
    item_count: int = 0

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_prepared_by(obj) -> str:
        return obj.prepared_by.email

    @staticmethod
    def resolve_approved_by(obj) -> str | None:
        return obj.approved_by.email if obj.approved_by_id else None


class PayoutOut(Schema):
    id: int
    run_id: int
    organisation_id: int
    currency: str
    amount: Decimal
    status: str = Field(..., description="the run's status: prepared, approved, paid")
    paid_on: date | None
    entry_id: int | None

    @staticmethod
    def resolve_status(obj) -> str:
        return obj.run.status

    @staticmethod
    def resolve_paid_on(obj) -> date | None:
        return obj.run.paid_on


def _period_out(p: dict) -> dict:
    closed = p["closed"]
    return {"period": p["label"], "quarter": p["quarter"], "ended": p["ended"], "closed": closed is not None,
            "closed_at": closed.closed_at if closed else None}  # fmt: skip


@router.get("/rewards/periods", response=list[PeriodOut], summary="Finance: the last twelve reward periods")
def period_list(request):
    selectors_payouts.require_finance_reader(request.auth)
    return [_period_out(p) for p in settlement.period_list()]


def preview_of(month: date) -> dict:
    try:
        settlement.check_closable(month)
        closable, reason = True, ""
    except ValidationError as exc:
        closable, reason = False, " ".join(exc.message_dict.get("period", []))
    rows = settlement.preview(month=month)
    return {"period": periods.label(month), "closable": closable, "reason": reason,
            "rows": [{**s.__dict__, "hold": s.hold, "carried": s.carried} for s in rows]}  # fmt: skip


@router.get("/rewards/periods/{period}/preview", response=PreviewOut,
            summary="Finance: the settlement a close of the month would post (nothing is written)")  # fmt: skip
def period_preview(request, period: str):
    selectors_payouts.require_finance_reader(request.auth)
    return preview_of(periods.parse_month(period))


@router.post("/rewards/periods/{period}/close", response={201: PeriodOut},
             summary="Finance: close the month: post holds and releases, lock it, announce the statements")  # fmt: skip
def period_close(request, period: str):
    selectors_payouts.require_finance_reader(request.auth)
    month = periods.parse_month(period)
    settlement.close_period(actor=request.auth, month=month)
    [row] = [p for p in settlement.period_list(months=240) if p["month"] == month] or [None]
    return Status(201, _period_out(row))


@router.post("/sales/{sale_id}/paid", response={200: dict},
             summary="Finance: record when the customer paid a sale (released at the next close)")  # fmt: skip
def sale_paid(request, sale_id: int, payload: PaymentIn):
    sale = selectors.sale(actor=request.auth, pk=sale_id)
    done = settlement.record_customer_payment(actor=request.auth, sale=sale, paid_on=payload.paid_on)
    return {"id": done.pk, "paid_on": done.paid_on}


@router.get("/organisations/{org_id}/statements/{period}/pdf", response={200: None},
            summary="A partner's statement for a month as PDF, every line traced to its source")  # fmt: skip
def statement_pdf_file(request, org_id: int, period: str):
    org = identity_selectors.organisation(actor=request.auth, pk=org_id)
    return statement_pdf_response(request.auth, org, period)


def statement_pdf_response(actor, org, period: str) -> HttpResponse:
    lines = selectors.statement_lines(actor=actor, organisation=org, period=period)
    body = statement_pdf.render(
        org=org, period=period, rows=selectors.statement_rows(lines.iterator(chunk_size=2000), period),
        totals=selectors.statement_totals(actor=actor, organisation=org, period=period),
        settlement=selectors_payouts.statement_settlement(actor=actor, organisation=org, period=period),
        others=selectors.statement_other_entries(actor=actor, organisation=org, period=period),
    )  # fmt: skip
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="statement-{org.pk}-{period}.pdf"'
    return response


@router.get("/organisations/{org_id}/payouts", response=list[PayoutOut], summary="A partner's payouts")
@paginate(Pagination)
def partner_payouts(request, org_id: int):
    org = identity_selectors.organisation(actor=request.auth, pk=org_id)
    return selectors_payouts.partner_payouts(actor=request.auth, organisation=org)


@router.get("/rewards/payout-runs", response=list[PayoutRunOut], summary="Payout runs (vendor staff)")
@paginate(Pagination)
def run_list(request, status: str = "", currency: str = ""):
    return selectors_payouts.payout_runs(actor=request.auth, status=status, currency=currency.upper())


@router.post("/rewards/payout-runs", response={201: PayoutRunOut},
             summary="Finance: prepare a run of payable balances in a currency at or over a minimum")  # fmt: skip
def run_prepare(request, payload: RunIn):
    run = payouts.prepare_run(actor=request.auth, **payload.dict())
    return Status(201, selectors_payouts.payout_run(actor=request.auth, pk=run.pk))


@router.get("/rewards/payout-runs/{run_id}", response=PayoutRunOut, summary="A payout run")
def run_detail(request, run_id: int):
    return selectors_payouts.payout_run(actor=request.auth, pk=run_id)


@router.get("/rewards/payout-runs/{run_id}/items", response=list[PayoutOut], summary="A payout run's payouts")
@paginate(Pagination)
def run_items(request, run_id: int):
    run = selectors_payouts.payout_run(actor=request.auth, pk=run_id)
    return selectors_payouts.run_items(actor=request.auth, run=run).select_related("run")


@router.post("/rewards/payout-runs/{run_id}/approve", response={200: PayoutRunOut},
             summary="Finance: approve a prepared run (not its preparer: four-eyes, 403 four_eyes)")  # fmt: skip
def run_approve(request, run_id: int):
    run = selectors_payouts.payout_run(actor=request.auth, pk=run_id)
    payouts.approve_run(actor=request.auth, run=run)
    return selectors_payouts.payout_run(actor=request.auth, pk=run_id)


@router.post("/rewards/payout-runs/{run_id}/pay", response={200: PayoutRunOut},
             summary="Finance: mark an approved run paid (payout entries; pays once, however often sent)")  # fmt: skip
def run_pay(request, run_id: int):
    run = selectors_payouts.payout_run(actor=request.auth, pk=run_id)
    payouts.mark_paid(actor=request.auth, run=run)
    return selectors_payouts.payout_run(actor=request.auth, pk=run_id)


@router.post("/rewards/payout-runs/{run_id}/cancel", response={200: PayoutRunOut},
             summary="Finance: cancel a prepared or approved run (409 once paid)")  # fmt: skip
def run_cancel(request, run_id: int, payload: CancelIn):
    run = selectors_payouts.payout_run(actor=request.auth, pk=run_id)
    payouts.cancel_run(actor=request.auth, run=run, reason=payload.reason)
    return selectors_payouts.payout_run(actor=request.auth, pk=run_id)


@router.get("/rewards/payout-runs/{run_id}/csv", response={200: None}, summary="A payout run as CSV")
def run_csv(request, run_id: int):
    return run_export(request.auth, run_id, "csv")


@router.get("/rewards/payout-runs/{run_id}/1c", response={200: None},
            summary="A payout run as a 1C client-bank exchange file (payment orders, cp1251; RUB)")  # fmt: skip
def run_1c(request, run_id: int):
    return run_export(request.auth, run_id, "1c")


def run_export(actor, run_id: int, kind: str) -> HttpResponse:
    run = selectors_payouts.payout_run(actor=actor, pk=run_id)
    if run.status in (run.Status.PREPARED, run.Status.CANCELLED):
        raise Conflict(_("A run is exported for accounting once it is approved."))
    items = list(selectors_payouts.run_items(actor=actor, run=run))
    if kind == "csv":
        response = HttpResponse(exports_payouts.run_csv(run, items), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="payout-run-{run.pk}.csv"'
        return response
    if run.currency != "RUB":
        raise ValidationError({"currency": [_("1C payment orders are in roubles; export this run as CSV.")]})
    response = HttpResponse(exports_payouts.run_1c(run, items), content_type="text/plain; charset=windows-1251")
    response["Content-Disposition"] = f'attachment; filename="payout-run-{run.pk}-1c.txt"'
    return response
