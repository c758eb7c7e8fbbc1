"""REST endpoints of benefit requests under /api/v1/benefits: the tier's entitlements with used and remaining,
requests, the vendor's decisions and fulfilment (licence key). Parse → selector/service → schema."""

from datetime import date, datetime

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from partnerhub.core.api import InputSchema, Pagination, model_type
from partnerhub.identity import selectors as identity_selectors

from . import selectors, services
from .models import BenefitRequest

router = Router(tags=["benefits"])


class BenefitEntitlementOut(Schema):
    programme_code: str
    tier_code: str
    benefit_code: str
    kind: str
    kind_label: str
    label: str
    limit: int | None = Field(..., description="a calendar year; null: no fixed number, each request decided")
    used: int
    remaining: int | None
    unit: str

    @staticmethod
    def resolve_programme_code(obj) -> str:
        return obj.programme.code

    @staticmethod
    def resolve_tier_code(obj) -> str:
        return obj.tier.code

    @staticmethod
    def resolve_benefit_code(obj) -> str:
        return obj.benefit.code

    @staticmethod
    def resolve_label(obj) -> str:
        return str(obj.benefit)

    @staticmethod
    def resolve_unit(obj) -> str:
        return str(obj.unit)


class BenefitRequestOut(Schema):
    id: int
    organisation_id: int
    organisation_name: str = Field(..., alias="organisation.name")
    programme_code: str = Field(..., alias="programme.code")
    tier_code: str
    kind: str
    kind_label: str
    quantity: int
    note: str
    period_start: date
    status: str
    status_label: str
    decision_reason: str
    licence_key: str = Field(..., description="kept encrypted at rest; empty until fulfilled")
    expires_on: date | None
    modules_expire_on: date | None
    fulfilment_note: str
    created_at: datetime

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())


class BenefitRequestIn(InputSchema):
    organisation_id: int
    kind: model_type(BenefitRequest, "kind")
    quantity: int = Field(1, ge=1, le=10000, description="licences, or users for internal use")
    note: str = Field("", max_length=5000)
    programme_id: int | None = None


class BenefitReasonIn(InputSchema):
    reason: str = Field("", max_length=2000)


class BenefitFulfilIn(InputSchema):
    licence_key: str = Field("", max_length=5000)
    expires_on: date | None = None
    note: str = Field("", max_length=5000)


class BenefitRequestFilter(Schema):
    status: str = ""
    kind: str = ""
    organisation_id: int | None = None


@router.get("/organisations/{org_id}/entitlements", response=list[BenefitEntitlementOut],
            summary="What the partner's tier gives this year: limits, used, remaining")  # fmt: skip
def list_entitlements(request, org_id: int):
    return selectors.organisation_entitlements(actor=request.auth, organisation_id=org_id)


@router.get("/requests", response=list[BenefitRequestOut], summary="Benefit requests visible to you")
@paginate(Pagination)
def list_requests(request, filters: Query[BenefitRequestFilter]):
    return selectors.requests(actor=request.auth, **filters.dict())


@router.post(
    "/requests", response={201: BenefitRequestOut}, summary="Request a benefit (partner staff; refused beyond it)"
)
def submit(request, payload: BenefitRequestIn):
    data = payload.dict()
    org = identity_selectors.organisation(actor=request.auth, pk=data.pop("organisation_id"))
    req = services.submit_request(actor=request.auth, organisation=org, **data)
    return Status(201, selectors.request(actor=request.auth, pk=req.pk))


@router.get("/requests/{request_id}", response=BenefitRequestOut)
def get_request(request, request_id: int):
    return selectors.request(actor=request.auth, pk=request_id)


@router.post("/requests/{request_id}/approve", response=BenefitRequestOut, summary="Approve (vendor)")
def approve(request, request_id: int, payload: BenefitReasonIn):
    req = selectors.request(actor=request.auth, pk=request_id)
    services.approve(actor=request.auth, request=req, reason=payload.reason)
    return selectors.request(actor=request.auth, pk=request_id)


@router.post("/requests/{request_id}/reject", response=BenefitRequestOut, summary="Reject with a reason (vendor)")
def reject(request, request_id: int, payload: BenefitReasonIn):
    req = selectors.request(actor=request.auth, pk=request_id)
    services.reject(actor=request.auth, request=req, reason=payload.reason)
    return selectors.request(actor=request.auth, pk=request_id)


@router.post(
    "/requests/{request_id}/fulfil", response=BenefitRequestOut, summary="Fulfil: record the licence key (vendor)"
)
def fulfil(request, request_id: int, payload: BenefitFulfilIn):
    req = selectors.request(actor=request.auth, pk=request_id)
    services.fulfil(actor=request.auth, request=req, **payload.dict())
    return selectors.request(actor=request.auth, pk=request_id)
