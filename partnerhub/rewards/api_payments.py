"""REST endpoints for customer payments on sales (partial payments release held rewards proportionally).

Problems: 403 ``forbidden`` (recording or importing without a finance role), 404 ``not_found`` (a sale the
caller does not see), 422 ``validation`` (a bad amount or date, more than is still unpaid, a sale that no
longer counts; an import's bad rows, each named ``rows[n].column``: nothing from that file lands)."""

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, File, Router, Schema, Status, UploadedFile

from partnerhub.core.api import InputSchema

from . import selectors
from .models import SalePayment
from .services import payments

router = Router(tags=["rewards"])


class SalePaymentIn(InputSchema):
    amount: Decimal = Field(..., description="in the sale's currency; at most what is still unpaid")
    paid_on: date
    reference: str = Field("", max_length=100)


class SalePaymentOut(Schema):
    id: int
    sale_id: int
    amount: Decimal
    paid_on: date
    reference: str
    source: str
    created_at: datetime


class PaymentsOut(Schema):
    sale_id: int
    sale_amount: Decimal
    currency: str
    paid: Decimal
    paid_on: date | None = Field(..., description="the date the payments covered the sale; null: not yet")
    payments: list[SalePaymentOut]


class PaymentImportOut(Schema):
    created: int


@router.get("/sales/{sale_id}/payments", response=PaymentsOut, summary="A sale's customer payments")
def sale_payments(request, sale_id: int):
    sale = selectors.sale(actor=request.auth, pk=sale_id)
    rows = list(selectors.sale_payments(actor=request.auth, sale=sale))
    return {
        "sale_id": sale.pk,
        "sale_amount": sale.amount,
        "currency": sale.currency,
        "paid": sum((p.amount for p in rows), Decimal("0.00")),
        "paid_on": sale.paid_on,
        "payments": rows,
    }


@router.post(
    "/sales/{sale_id}/payments",
    response={201: SalePaymentOut},
    summary="Finance: record a customer payment (a partial one releases its share of the held reward)",
)
def record_sale_payment(request, sale_id: int, payload: SalePaymentIn):
    sale = selectors.sale(actor=request.auth, pk=sale_id)
    done = payments.record_payment(actor=request.auth, sale=sale, source=SalePayment.Source.API, **payload.dict())
    return Status(201, done)


@router.post(
    "/sale-payments/import",
    response={201: PaymentImportOut},
    summary="Finance: import customer payments (CSV or XLSX: partner_inn, invoice_number, invoice_line, "
    "amount, paid_on, reference); all rows or none",
)
def import_sale_payments(request, file: File[UploadedFile]):
    return Status(201, {"created": payments.import_payments_file(actor=request.auth, file=file)})
