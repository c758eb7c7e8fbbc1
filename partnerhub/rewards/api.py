"""REST endpoints for sales facts."""

from datetime import date

from django.core.exceptions import ValidationError
from ninja import Field, File, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from partnerhub.core.api import InputSchema, Pagination, model_type
from partnerhub.identity import selectors as identity_selectors
from partnerhub.programmes.models import ProductFamily

from . import selectors, services
from .models import Sale

router = Router(tags=["sales"])


class SaleOut(Schema):
    id: int
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
    def resolve_amount(obj) -> str:
        return str(obj.amount)


class SaleIn(InputSchema):
    customer_name: model_type(Sale, "customer_name")
    customer_inn: model_type(Sale, "customer_inn") = ""
    product_family: model_type(ProductFamily, "code")
    product: model_type(Sale, "product") = ""
    sale_type: model_type(Sale, "sale_type") = "new"
    amount: model_type(Sale, "amount", description="decimal, e.g. 125000.00")
    currency: model_type(Sale, "currency")
    sold_on: date
    reference: model_type(Sale, "external_ref") = ""


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
    if file.size > 20 * 1024 * 1024:
        raise ValidationError({"file": ["The file is larger than 20 MB."]})
    rows = services.read_rows(name=file.name, content=file.read())
    report = services.import_sales(actor=request.auth, rows=rows)
    return Status(201, {"created": report.created, "skipped": report.skipped})
