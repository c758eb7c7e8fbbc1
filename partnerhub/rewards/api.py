"""REST endpoints for sales facts."""

from datetime import date

from ninja import Field, File, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from partnerhub.core.api import InputSchema, Pagination, model_type
from partnerhub.identity import selectors as identity_selectors

from . import selectors, services
from .api_backtest import router as backtest_router
from .api_catalogue import router as catalogue_router
from .api_earnings import router as earnings_router
from .api_payments import router as payments_router
from .api_rates import router as rates_router
from .api_settlement import router as settlement_router
from .models import Sale

router = Router(tags=["sales"])
router.add_router("", catalogue_router)
router.add_router("", rates_router)
router.add_router("", earnings_router)
router.add_router("", backtest_router)
router.add_router("", settlement_router)
router.add_router("", payments_router)


class SaleOut(Schema):
    id: int
    sku: str | None = None
    quantity: int
    invoice_number: str
    invoice_line: int | None
    organisation_id: int
    customer_name: str
    customer_inn: str
    product_family: str = Field(..., alias="product_family.code")
    product: str
    sale_type: str
    amount: str
    currency: str
    sold_on: date
    external_ref: str
    source: str

    @staticmethod
    def resolve_sku(obj) -> str | None:
        return obj.item.sku if obj.item_id else None

    @staticmethod
    def resolve_amount(obj) -> str:
        return str(obj.amount)


class SaleIn(InputSchema):
    customer_name: model_type(Sale, "customer_name")
    customer_inn: model_type(Sale, "customer_inn") = ""
    product_family: str = ""
    sku: str = ""
    quantity: int = Field(1, ge=1, le=2_147_483_647)
    product: model_type(Sale, "product") = ""
    sale_type: model_type(Sale, "sale_type") = "new"
    amount: str = Field(
        "", max_length=40, description="Decimal string, e.g. 125000.00; with a SKU, the list price × quantity"
    )
    currency: model_type(Sale, "currency")
    sold_on: date
    reference: model_type(Sale, "external_ref") = ""
    invoice_number: model_type(Sale, "invoice_number") = ""
    invoice_line: int | None = Field(None, ge=1, le=2_147_483_647)


class SaleFilter(Schema):
    organisation_id: int | None = None
    since: date | None = None
    until: date | None = None
    currency: str = ""
    product_family: str = ""


class ImportOut(Schema):
    created: int
    skipped: int


@router.get("/sales", response=list[SaleOut], summary="Sales facts visible to you")
@paginate(Pagination)
def list_sales(request, filters: Query[SaleFilter]):
    return selectors.sales(actor=request.auth, **filters.dict())


@router.post("/organisations/{org_id}/sales", response={201: SaleOut}, summary="Record one sale (vendor finance)")
def create_sale(request, org_id: int, payload: SaleIn):
    org = identity_selectors.organisation(actor=request.auth, pk=org_id)
    return Status(201, services.record_sale(actor=request.auth, organisation=org, **payload.dict()))


@router.post("/sales/import", response={201: ImportOut},
             summary="Import sales from CSV or XLSX: all rows or none, with a per-row error report")  # fmt: skip
def import_sales(request, file: File[UploadedFile]):
    report = services.import_sales_file(actor=request.auth, file=file)
    return Status(201, {"created": report.created, "skipped": report.skipped})
