"""Regional storefronts (managed by the vendor's administrators) and the public catalogue of each."""

from decimal import Decimal

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from partnerhub.core.api import InputSchema, Pagination, model_type

from .. import selectors, services
from ..models import Storefront

router = Router(tags=["marketplace: storefronts"])
public_router = Router(tags=["marketplace: storefronts"], auth=None)


class StorefrontOut(Schema):
    code: str
    name: str
    language: str
    currency: str
    country: str
    vat_rate: Decimal
    legal_entity: str
    is_active: bool


class StorefrontIn(InputSchema):
    code: model_type(Storefront, "code", min_length=1, pattern=r"^[-a-zA-Z0-9_]+$")
    name: model_type(Storefront, "name", min_length=1)
    language: model_type(Storefront, "language")
    currency: model_type(Storefront, "currency")
    country: model_type(Storefront, "country")
    vat_rate: model_type(Storefront, "vat_rate", ge=0, le=100)
    legal_entity: model_type(Storefront, "legal_entity", min_length=1)
    is_active: bool = True


class StoreFilter(Schema):
    search: str = Field("", max_length=100)
    category: str = Field("", max_length=20)
    industry: str = Field("", max_length=20)
    vendor: int | None = Field(None, ge=1)


class CatalogueItemOut(Schema):
    id: int = Field(..., alias="listing_id")
    vendor_id: int = Field(..., alias="listing.organisation_id")
    vendor_name: str = Field(..., alias="listing.organisation.name")
    category: str
    name: str
    short_description: str

    @staticmethod
    def resolve_name(obj):
        return next(iter(obj.texts.all())).name

    @staticmethod
    def resolve_short_description(obj):
        return next(iter(obj.texts.all())).short_description


class PublicPriceOut(Schema):
    model: str
    resource: str | None
    unit: str | None
    block_size: int | None
    amount: Decimal | None
    tiers: list[dict]
    converted_from: str = Field("", description="The vendor's base currency when converted at the current rate.")


class PublicPlanOut(Schema):
    code: str
    name: str
    billing_period: str
    trial_days: int | None
    charges: list[PublicPriceOut]
    unavailable: str = Field("", description="Why the plan has no price here (no exchange rate), else empty.")


class PublicListingOut(CatalogueItemOut):
    long_description: str
    technical_description: str
    technical_requirements: str
    industries: list[str]
    video_links: list[str]
    documentation_links: list[str]
    currency: str
    plans: list[PublicPlanOut]

    @staticmethod
    def resolve_long_description(obj):
        return next(iter(obj.texts.all())).long_description

    @staticmethod
    def resolve_technical_description(obj):
        return next(iter(obj.texts.all())).technical_description

    @staticmethod
    def resolve_industries(obj):
        return [i.code for i in obj.industries.all()]

    @staticmethod
    def resolve_plans(obj):
        return obj.plans_priced


class StoreVendorOut(Schema):
    id: int
    name: str
    website: str
    city: str


@router.post("/marketplace/storefronts", response=StorefrontOut, summary="Add or change a storefront")
def save_storefront(request, payload: StorefrontIn):
    return services.storefront_save(actor=request.auth, **payload.dict())


@public_router.get("/public/marketplace/storefronts", response=list[StorefrontOut], summary="Open storefronts")
def list_storefronts(request):
    return list(selectors.storefronts())


@public_router.get("/public/marketplace/storefronts/{code}/listings", response=list[CatalogueItemOut],
                   summary="A storefront's catalogue")  # fmt: skip
@paginate(Pagination)
def catalogue(request, code: str, filters: Query[StoreFilter]):
    sf = selectors.storefront(code=code)
    return selectors.catalogue(storefront=sf, **filters.dict())


@public_router.get("/public/marketplace/storefronts/{code}/listings/{listing_id}", response=PublicListingOut,
                   summary="A listing on a storefront, priced in its currency")  # fmt: skip
def public_listing(request, code: str, listing_id: int):
    sf = selectors.storefront(code=code)
    v = selectors.public_listing(storefront=sf, pk=listing_id)
    v.currency = sf.currency
    v.plans_priced = selectors.priced_plans(v, sf)
    return v


@public_router.get("/public/marketplace/storefronts/{code}/vendors/{org_id}", response=StoreVendorOut,
                   summary="A vendor with listings on the storefront")  # fmt: skip
def public_vendor(request, code: str, org_id: int):
    sf = selectors.storefront(code=code)
    return selectors.public_vendor(storefront=sf, pk=org_id)


class VendorProductOut(Schema):
    listing_id: int
    name: str
    short_description: str
    storefronts: list[str]


@public_router.get("/public/marketplace/vendors/{org_id}/products", response=list[VendorProductOut],
                   summary="A software vendor's live listings (its products in the partner catalogue)")  # fmt: skip
def vendor_products(request, org_id: int, language: str = "ru"):
    return selectors.vendor_products(org_id=org_id, language=language)
