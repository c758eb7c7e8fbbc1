"""REST endpoints for the vendor's products and price lists, and a partner's price list as XLSX."""

from datetime import date

from django.http import HttpResponse
from django.utils import timezone
from ninja import File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from partnerhub.core.api import InputSchema, Pagination
from partnerhub.identity import selectors as identity_selectors

from . import exports, selectors
from .models import PriceList
from .services import catalogue

router = Router(tags=["products and prices"])


class ProductOut(Schema):
    sku: str
    family: str
    name: str
    name_en: str
    is_active: bool
    price: str | None = None

    @staticmethod
    def resolve_family(obj) -> str:
        return obj.family.code


class ProductIn(InputSchema):
    sku: str
    family: str
    name: str
    name_en: str = ""
    is_active: bool = True


class ProductFilter(Schema):
    family: str = ""
    q: str = ""
    on: date | None = None
    currency: str = "RUB"
    kind: PriceList.Kind = PriceList.Kind.RETAIL


class PriceItemIn(InputSchema):
    sku: str
    price: str


class PriceListFileIn(Schema):
    name: str
    kind: PriceList.Kind = PriceList.Kind.RETAIL
    currency: str
    valid_from: date
    valid_until: date | None = None


class PriceListIn(PriceListFileIn, InputSchema):
    items: list[PriceItemIn]


class PriceListOut(Schema):
    id: int
    name: str
    kind: str
    currency: str
    valid_from: date
    valid_until: date | None
    item_count: int = 0


class PriceListFilter(Schema):
    currency: str = ""
    kind: str = ""


@router.get("/products", response=list[ProductOut], summary="Products, with the price in force (on, currency, kind)")
@paginate(Pagination)
def list_products(request, filters: Query[ProductFilter]):
    qs = selectors.products(actor=request.auth, family=filters.family, q=filters.q)
    on = filters.on or timezone.localdate()
    return _PricedPage(qs, currency=filters.currency.upper(), kind=filters.kind, on=on)


class _PricedPage:
    """A queryset sliced in SQL whose page is priced in one more query."""

    def __init__(self, qs, **kw):
        self.qs, self.kw = qs, kw

    def count(self):
        return self.qs.count()

    def __getitem__(self, sl):
        rows = selectors.priced(self.qs[sl], **self.kw)
        for r in rows:
            r.product.price = None if r.retail is None else str(r.retail)
        return [r.product for r in rows]


@router.post("/products", response={200: ProductOut}, summary="Create a product or change it (by SKU)")
def save_product(request, payload: ProductIn):
    return catalogue.save_product(actor=request.auth, **payload.dict())


@router.get("/price-lists", response=list[PriceListOut], summary="Price lists")
@paginate(Pagination)
def list_price_lists(request, filters: Query[PriceListFilter]):
    return selectors.price_lists(actor=request.auth, currency=filters.currency.upper(), kind=filters.kind)


@router.post("/price-lists", response={201: PriceListOut}, summary="Create a price list with its prices")
def create_price_list(request, payload: PriceListIn):
    data = payload.dict()
    pl = catalogue.create_price_list(actor=request.auth, **data)
    pl.item_count = len(data["items"])
    return Status(201, pl)


@router.post("/price-lists/import", response={201: PriceListOut},
             summary="Create a price list from a CSV or XLSX file (columns sku, price)")  # fmt: skip
def import_price_list(request, details: Form[PriceListFileIn], file: File[UploadedFile]):
    pl = catalogue.import_price_list_file(actor=request.auth, **details.dict(), file=file)
    pl.item_count = pl.items.count()
    return Status(201, pl)


class PartnerPriceFilter(Schema):
    currency: str = "RUB"
    kind: PriceList.Kind = PriceList.Kind.RETAIL
    on: date | None = None


@router.get("/organisations/{org_id}/price-list.xlsx", response={200: None},
            summary="A partner's price list as XLSX: retail prices and its tier's partner prices")  # fmt: skip
def partner_price_list(request, org_id: int, filters: Query[PartnerPriceFilter]):
    org = identity_selectors.organisation(actor=request.auth, pk=org_id)
    return price_list_response(request.auth, org, filters.currency.upper(), filters.kind, filters.on)


def price_list_response(actor, org, currency: str, kind: str, on: date | None) -> HttpResponse:
    on = on or timezone.localdate()
    terms, rows = selectors.partner_price_list(actor=actor, organisation=org, currency=currency, kind=kind, on=on)
    body = exports.price_list_xlsx(terms=terms, rows=rows, currency=currency, kind_label=PriceList.Kind(kind).label,
                                   on=on)  # fmt: skip
    response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="price-list-{org.pk}-{kind}-{currency}-{on}.xlsx"'
    return response
