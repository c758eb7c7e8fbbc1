"""Listings (the wizard's steps, submission) and moderation."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from ninja import Field, File, Form, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from partnerhub.core.api import InputSchema, Pagination, model_type
from partnerhub.identity import selectors as identity_selectors

from .. import documents, selectors, services
from ..models import ListingText, ListingVersion, Screenshot
from ..services import pricing_document

router = Router(tags=["marketplace: listings"])


class ListingTextOut(Schema):
    language: str
    name: str
    short_description: str
    long_description: str
    technical_description: str


class ListingScreenshotOut(Schema):
    id: int
    caption: str
    width: int
    height: int


class ModerationCommentOut(Schema):
    field: str
    comment: str


class ListingVersionOut(Schema):
    id: int
    number: int
    status: str
    category: str
    industries: list[str]
    technical_requirements: str
    video_links: list[str]
    documentation_links: list[str]
    provisioning_mode: str
    provisioning_url: str
    provisioning_email: str
    storefronts: list[str]
    texts: list[ListingTextOut]
    screenshots: list[ListingScreenshotOut]
    pricing: dict[str, Any]
    comments: list[ModerationCommentOut]
    submitted_at: datetime | None
    decided_at: datetime | None

    @staticmethod
    def resolve_industries(obj):
        return [i.code for i in obj.industries.all()]

    @staticmethod
    def resolve_storefronts(obj):
        return [s.code for s in obj.storefronts.all()]

    @staticmethod
    def resolve_texts(obj):
        return list(obj.texts.all())

    @staticmethod
    def resolve_screenshots(obj):
        return list(obj.screenshots.all())

    @staticmethod
    def resolve_pricing(obj):
        return pricing_document.read(obj)

    @staticmethod
    def resolve_comments(obj):
        return list(obj.comments.all())


class ListingOut(Schema):
    id: int
    organisation_id: int
    name: str
    live_version: int | None = Field(None, alias="live_version.number")
    working_version: int | None = Field(None, alias="working_version.number")
    working_status: str | None = Field(None, alias="working_version.status")

    @staticmethod
    def resolve_name(obj):
        version = obj.working_version or obj.live_version
        texts = list(version.texts.all()) if version else []
        return texts[0].name if texts else ""


class ListingDetailOut(ListingOut):
    live: ListingVersionOut | None = Field(None, alias="live_version")
    working: ListingVersionOut | None = Field(None, alias="working_version")
    gaps: dict[str, list[str]]

    @staticmethod
    def resolve_gaps(obj):
        v = obj.working_version
        return services.submission_gaps(v) if v is not None and v.editable else {}


class ListingTextIn(InputSchema):
    name: model_type(ListingText, "name") = ""
    short_description: model_type(ListingText, "short_description") = ""
    long_description: model_type(ListingText, "long_description") = ""
    technical_description: model_type(ListingText, "technical_description") = ""


class ServiceIn(InputSchema):
    texts: dict[str, ListingTextIn] = Field(..., description="By language: ru, en.", max_length=2)
    category: str
    industries: list[str] = Field(default_factory=list, max_length=20)
    video_links: list[str] = Field(default_factory=list, max_length=10)
    documentation_links: list[str] = Field(default_factory=list, max_length=10)
    technical_requirements: model_type(ListingVersion, "technical_requirements") = ""


class PriceTierIn(InputSchema):
    up_to: Decimal | None = Field(None, ge=1, max_digits=14, decimal_places=0)
    unit: Decimal = Field(..., ge=0, max_digits=16, decimal_places=2)
    flat: Decimal = Field(Decimal(0), ge=0, max_digits=16, decimal_places=2)


class PricingPriceIn(InputSchema):
    currency: str = Field(..., max_length=3)
    amount: Decimal | None = Field(None, ge=0, max_digits=16, decimal_places=2)
    tiers: list[PriceTierIn] = Field(default_factory=list, max_length=20)


class PricingChargeIn(InputSchema):
    model: str
    resource: str | None = None
    block_size: int | None = Field(None, ge=1, le=1_000_000_000)
    prices: list[PricingPriceIn] = Field(..., max_length=10)


class PricingPlanIn(InputSchema):
    code: str = Field(..., max_length=40)
    name_ru: str = Field(..., max_length=120)
    name_en: str = Field(..., max_length=120)
    billing_period: str = "monthly"
    trial_days: int | None = Field(None, ge=1, le=365)
    charges: list[PricingChargeIn] = Field(default_factory=list, max_length=20)


class PricingResourceIn(InputSchema):
    code: str = Field(..., max_length=40)
    name_ru: str = Field(..., max_length=120)
    name_en: str = Field(..., max_length=120)
    unit: str = Field(..., max_length=30)


class PricingIn(InputSchema):
    resources: list[PricingResourceIn] = Field(default_factory=list, max_length=20)
    plans: list[PricingPlanIn] = Field(..., max_length=20)


class ProvisioningIn(InputSchema):
    mode: str = Field(..., description="api or manual")
    url: str = Field("", max_length=200)
    email: model_type(ListingVersion, "provisioning_email") = ""


class StorefrontsIn(InputSchema):
    codes: list[str] = Field(..., max_length=50)


class ScreenshotCaptionIn(Schema):
    caption: model_type(Screenshot, "caption") = ""


class ModerationRejectIn(InputSchema):
    comments: dict[str, Any] = Field(..., description="Field name → comment, e.g. {\"texts.en.name\": \"…\"}",
                                     max_length=50)  # fmt: skip


class VersionDiffLineOut(Schema):
    field: str
    before: str
    after: str


class ModerationItemOut(Schema):
    id: int
    listing_id: int
    number: int
    organisation_name: str = Field(..., alias="listing.organisation.name")
    submitted_at: datetime | None


def _detail(request, listing_id: int):
    return selectors.listing(actor=request.auth, pk=listing_id)


@router.get("/marketplace/listings", response=list[ListingOut])
@paginate(Pagination)
def list_listings(request):
    return selectors.listings(actor=request.auth)


@router.post("/marketplace/organisations/{org_id}/listings", response={201: ListingDetailOut},
             summary="Start a listing (admitted vendors)")  # fmt: skip
def create_listing(request, org_id: int):
    org = identity_selectors.organisation(actor=request.auth, pk=org_id)
    listing = services.listing_create(actor=request.auth, organisation=org)
    return Status(201, _detail(request, listing.pk))


@router.get("/marketplace/listings/{listing_id}", response=ListingDetailOut)
def get_listing(request, listing_id: int):
    return _detail(request, listing_id)


@router.put("/marketplace/listings/{listing_id}/service", response=ListingDetailOut, summary="Step 1: the service")
def put_service(request, listing_id: int, payload: ServiceIn):
    listing = selectors.listing(actor=request.auth, pk=listing_id)
    data = payload.dict()
    services.set_service(actor=request.auth, listing=listing, **data)
    return _detail(request, listing_id)


@router.post("/marketplace/listings/{listing_id}/screenshots", response={201: ListingScreenshotOut},
             summary="Step 1: add a screenshot (PNG or JPEG)")  # fmt: skip
def add_screenshot(request, listing_id: int, image: File[UploadedFile], payload: Form[ScreenshotCaptionIn]):
    listing = selectors.listing(actor=request.auth, pk=listing_id)
    return Status(201, services.screenshot_add(actor=request.auth, listing=listing, image=image,
                                               caption=payload.caption))  # fmt: skip


@router.delete("/marketplace/screenshots/{screenshot_id}", response={204: None})
def remove_screenshot(request, screenshot_id: int):
    shot = selectors.screenshot(actor=request.auth, pk=screenshot_id)
    services.screenshot_remove(actor=request.auth, screenshot=shot)
    return Status(204, None)


@router.put("/marketplace/listings/{listing_id}/pricing", response=ListingDetailOut, summary="Step 2: pricing")
def put_pricing(request, listing_id: int, payload: PricingIn):
    listing = selectors.listing(actor=request.auth, pk=listing_id)
    services.set_pricing(actor=request.auth, listing=listing, document=payload.dict())
    return _detail(request, listing_id)


@router.put("/marketplace/listings/{listing_id}/provisioning", response=ListingDetailOut,
            summary="Step 3: provisioning (vendor API or manual)")  # fmt: skip
def put_provisioning(request, listing_id: int, payload: ProvisioningIn):
    listing = selectors.listing(actor=request.auth, pk=listing_id)
    services.set_provisioning(actor=request.auth, listing=listing, **payload.dict())
    return _detail(request, listing_id)


@router.put("/marketplace/listings/{listing_id}/storefronts", response=ListingDetailOut,
            summary="Step 4: the storefronts")  # fmt: skip
def put_storefronts(request, listing_id: int, payload: StorefrontsIn):
    listing = selectors.listing(actor=request.auth, pk=listing_id)
    services.set_storefronts(actor=request.auth, listing=listing, codes=payload.codes)
    return _detail(request, listing_id)


@router.post("/marketplace/listings/{listing_id}/submit", response=ListingDetailOut,
             summary="Send the draft to moderation (refused with every gap named)")  # fmt: skip
def submit(request, listing_id: int):
    listing = selectors.listing(actor=request.auth, pk=listing_id)
    services.submit(actor=request.auth, listing=listing)
    return _detail(request, listing_id)


@router.get("/marketplace/moderation", response=list[ModerationItemOut], summary="Versions awaiting moderation")
@paginate(Pagination)
def moderation_queue(request):
    return selectors.moderation_queue(actor=request.auth)


@router.get("/marketplace/versions/{version_id}/diff", response=list[VersionDiffLineOut],
            summary="What the version changes against the live one")  # fmt: skip
def version_diff(request, version_id: int):
    v = selectors.version(actor=request.auth, pk=version_id)
    live = v.listing.live_version if v.listing.live_version_id != v.pk else None
    return [{"field": f, "before": b, "after": a} for f, b, a in documents.diff(live, v)]


@router.post("/marketplace/versions/{version_id}/approve", response=ListingVersionOut)
def approve(request, version_id: int):
    v = selectors.version(actor=request.auth, pk=version_id)
    services.version_approve(actor=request.auth, version=v)
    return selectors.version(actor=request.auth, pk=version_id)


@router.post("/marketplace/versions/{version_id}/reject", response=ListingVersionOut,
             summary="Return the version with comments per field")  # fmt: skip
def reject(request, version_id: int, payload: ModerationRejectIn):
    v = selectors.version(actor=request.auth, pk=version_id)
    services.version_reject(actor=request.auth, version=v, comments=payload.comments)
    return selectors.version(actor=request.auth, pk=version_id)
