"""REST endpoints of the claim registry: deals, decisions, the review queue and the overview."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from partnerhub.core.api import InputSchema, Pagination, model_type
from partnerhub.core.tenancy import actor_for
from partnerhub.identity import selectors as identity_selectors
from partnerhub.programmes.models import ProductFamily, Programme

from . import selectors, services
from .models import Claim, ClaimActivity, ClaimLine

router = Router(tags=["deals"])

PUBLIC_REVIEW = {"conflict": "possible_conflict", "direct_customer": "possible_conflict"}


def _is_vendor(context) -> bool:
    request = context.get("request") if context else None
    return bool(request and actor_for(request.auth).is_vendor_staff)


class LineIn(InputSchema):
    product_family: model_type(ProductFamily, "code", description="product family code")
    product: model_type(ClaimLine, "product") = ""
    sale_type: model_type(ClaimLine, "sale_type") = "new"
    quantity: model_type(ClaimLine, "quantity") = 1
    amount: model_type(ClaimLine, "amount")


class LineOut(Schema):
    product_family: str = Field(..., alias="product_family.code")
    product: str
    sale_type: str
    quantity: int
    amount: Decimal


class DealIn(InputSchema):
    title: model_type(Claim, "title") = ""
    customer_name: model_type(Claim, "customer_name")
    customer_inn: model_type(Claim, "customer_inn") = ""
    customer_domain: model_type(
        Claim, "customer_domain", description="an e-mail address, website or domain of the customer"
    ) = ""
    customer_region: model_type(Claim, "customer_region") = ""
    customer_city: model_type(Claim, "customer_city") = ""
    lines: list[LineIn]
    currency: model_type(Claim, "currency") = "RUB"
    cooperation_model: model_type(Claim, "cooperation_model") = "resale"
    expected_close_on: model_type(Claim, "expected_close_on") = None
    contact_name: model_type(Claim, "contact_name") = ""
    contact_email: model_type(Claim, "contact_email") = ""
    contact_phone: model_type(Claim, "contact_phone") = ""
    description: model_type(Claim, "description") = ""
    programme: model_type(Programme, "code", description="programme code, when the partner is in several") | None = None


class DirectIn(InputSchema):
    title: model_type(Claim, "title") = ""
    customer_name: model_type(Claim, "customer_name")
    customer_inn: model_type(Claim, "customer_inn")
    customer_domain: model_type(Claim, "customer_domain") = ""
    customer_region: model_type(Claim, "customer_region") = ""
    customer_city: model_type(Claim, "customer_city") = ""
    currency: model_type(Claim, "currency") = "RUB"
    description: model_type(Claim, "description") = ""


STALE = "the version you read; a stale one answers 409"


class DealPatch(InputSchema):
    lock_version: (
        model_type(Claim, "lock_version", description="the version you read; a stale one answers 409") | None
    ) = None
    title: model_type(Claim, "title") = None
    expected_close_on: model_type(Claim, "expected_close_on") = None
    contact_name: model_type(Claim, "contact_name") = None
    contact_email: model_type(Claim, "contact_email") = None
    contact_phone: model_type(Claim, "contact_phone") = None
    description: model_type(Claim, "description") = None


class StageIn(InputSchema):
    stage: model_type(Claim, "stage")
    lock_version: model_type(Claim, "lock_version") | None = None
    note: model_type(ClaimActivity, "text") = ""


class TextIn(InputSchema):
    text: str


class ReasonIn(InputSchema):
    reason: str = ""


class ResolveIn(Schema):
    resolution: str = Field(..., description="keep_existing, second_partner, customer_choice or not_a_conflict")
    reason: str = ""


class ExtensionDecisionIn(InputSchema):
    grant: bool
    reason: str = ""


class DealOut(Schema):
    id: int
    organisation_id: int
    organisation_name: str = Field(..., alias="organisation.name")
    kind: str
    origin: str
    status: str
    stage: str
    title: str
    customer_name: str
    customer_inn: str
    customer_domain: str
    customer_region: str
    customer_city: str
    cooperation_model: str
    currency: str
    amount: Decimal
    expected_close_on: date | None
    contact_name: str
    contact_email: str
    partner_manager_id: int | None
    programme_code: str | None = None
    programme_version: int | None = None
    tier_code: str
    registered_at: datetime
    approval_due_at: datetime | None
    protected_until: date | None
    last_activity_at: datetime
    uplift_percent: Decimal
    benefit_share_percent: Decimal
    review_reason: str | None = Field(None, description="why the deal is under review, as the partner may know it")
    hold_reasons: list[str] = Field([], description="vendor staff only")
    decision_reason: str
    allowed_stages: list[str] = []
    lock_version: int
    lines: list[LineOut] = []

    @staticmethod
    def resolve_programme_code(obj):
        return obj.programme.code if obj.programme_id else None

    @staticmethod
    def resolve_programme_version(obj):
        return obj.version.number if obj.version_id else None

    @staticmethod
    def resolve_review_reason(obj):
        if obj.status != Claim.Status.HELD:
            return None
        return next((PUBLIC_REVIEW[r] for r in obj.hold_reasons if r in PUBLIC_REVIEW), "review")

    @staticmethod
    def resolve_hold_reasons(obj, context):
        return list(obj.hold_reasons) if _is_vendor(context) else []

    @staticmethod
    def resolve_allowed_stages(obj):
        return services.allowed_stages(obj)

    @staticmethod
    def resolve_lines(obj):
        return list(obj.lines.all())


class ActivityOut(Schema):
    at: datetime
    kind: str
    text: str
    from_value: str
    to_value: str
    actor_email: str | None = None

    @staticmethod
    def resolve_actor_email(obj):
        return obj.actor.email if obj.actor_id else None


class CandidateOut(Schema):
    id: int
    claim_id: int
    other_id: int
    other_organisation: str = Field(..., alias="other.organisation.name")
    other_kind: str = Field(..., alias="other.kind")
    other_status: str = Field(..., alias="other.status")
    other_customer_name: str = Field(..., alias="other.customer_name")
    other_customer_inn: str = Field(..., alias="other.customer_inn")
    other_customer_domain: str = Field(..., alias="other.customer_domain")
    other_registered_at: datetime = Field(..., alias="other.registered_at")
    reasons: list[dict]
    score: int
    resolution: str
    reason: str


class ExtensionOut(Schema):
    id: int
    claim_id: int
    requested_at: datetime
    reason: str
    status: str
    days: int | None
    decision_reason: str


class ReviewOut(DealOut):
    open_conflicts: int = 0
    stale: bool = False

    @staticmethod
    def resolve_stale(obj):
        return obj.stale_flagged_at is not None


def _programme(code: str | None) -> Programme | None:
    if not code:
        return None
    p = Programme.objects.filter(code=code).first()
    if p is None:
        raise ValidationError({"programme": [_("Unknown programme.")]})
    return p


@router.get("/deals", response=list[DealOut])
@paginate(Pagination)
def list_deals(
    request, status: str = "", stage: str = "", organisation_id: int | None = None, kind: str = "", q: str = "",
    region: str = "",
):  # fmt: skip
    return selectors.claims(actor=request.auth, status=status, stage=stage, organisation_id=organisation_id,
                            kind=kind, q=q, region=region, with_lines=True)  # fmt: skip


@router.post("/organisations/{org_id}/deals", response={201: DealOut})
def register_deal(request, org_id: int, payload: DealIn):
    org = identity_selectors.organisation(actor=request.auth, pk=org_id)
    data = payload.dict()
    programme = _programme(data.pop("programme"))
    claim = services.register_claim(actor=request.auth, organisation=org, programme=programme, **data)
    return Status(201, claim)


@router.post("/direct-opportunities", response={201: DealOut})
def register_direct(request, payload: DirectIn):
    return Status(201, services.register_direct(actor=request.auth, **payload.dict()))


@router.get("/deals/{deal_id}", response=DealOut)
def get_deal(request, deal_id: int):
    return selectors.claim(actor=request.auth, pk=deal_id)


@router.patch("/deals/{deal_id}", response=DealOut)
def update_deal(request, deal_id: int, payload: DealPatch):
    c = selectors.claim(actor=request.auth, pk=deal_id)
    changes = payload.dict(exclude_unset=True)
    lock = changes.pop("lock_version", None)
    return services.update_claim(actor=request.auth, claim=c, lock_version=lock, **changes)


@router.post("/deals/{deal_id}/stage", response=DealOut)
def move_stage(request, deal_id: int, payload: StageIn):
    c = selectors.claim(actor=request.auth, pk=deal_id)
    return services.move_stage(actor=request.auth, claim=c, stage=payload.stage, lock_version=payload.lock_version,
                               note=payload.note)  # fmt: skip


@router.post("/deals/{deal_id}/notes", response={201: ActivityOut})
def add_note(request, deal_id: int, payload: TextIn):
    c = selectors.claim(actor=request.auth, pk=deal_id)
    return Status(201, services.add_note(actor=request.auth, claim=c, text=payload.text))


@router.get("/deals/{deal_id}/activity", response=list[ActivityOut])
@paginate(Pagination)
def deal_activity(request, deal_id: int):
    c = selectors.claim(actor=request.auth, pk=deal_id)
    return selectors.activity(actor=request.auth, claim=c)


@router.post("/deals/{deal_id}/withdraw", response=DealOut)
def withdraw(request, deal_id: int, payload: ReasonIn):
    c = selectors.claim(actor=request.auth, pk=deal_id)
    return services.withdraw(actor=request.auth, claim=c, reason=payload.reason)


@router.post("/deals/{deal_id}/approve", response=DealOut)
def approve(request, deal_id: int, payload: ReasonIn):
    c = selectors.claim(actor=request.auth, pk=deal_id)
    return services.approve(actor=request.auth, claim=c, reason=payload.reason)


@router.post("/deals/{deal_id}/reject", response=DealOut)
def reject(request, deal_id: int, payload: ReasonIn):
    c = selectors.claim(actor=request.auth, pk=deal_id)
    return services.reject(actor=request.auth, claim=c, reason=payload.reason)


@router.post("/deals/{deal_id}/withdraw-protection", response=DealOut)
def withdraw_protection(request, deal_id: int, payload: ReasonIn):
    c = selectors.claim(actor=request.auth, pk=deal_id)
    return services.withdraw_protection(actor=request.auth, claim=c, reason=payload.reason)


@router.get("/deals/{deal_id}/conflicts", response=list[CandidateOut])
def deal_conflicts(request, deal_id: int):
    c = selectors.claim(actor=request.auth, pk=deal_id)
    return list(selectors.conflicts(actor=request.auth, claim=c))


@router.post("/deal-conflicts/{conflict_id}/resolve", response=CandidateOut)
def resolve_conflict(request, conflict_id: int, payload: Form[ResolveIn], evidence: File[UploadedFile] = None):
    conflict = selectors.conflict(actor=request.auth, pk=conflict_id)
    services.resolve_conflict(actor=request.auth, conflict=conflict, resolution=payload.resolution,
                              reason=payload.reason, evidence=evidence)  # fmt: skip
    return selectors.conflict(actor=request.auth, pk=conflict_id)


@router.get("/deals/{deal_id}/extensions", response=list[ExtensionOut])
def list_extensions(request, deal_id: int):
    c = selectors.claim(actor=request.auth, pk=deal_id)
    return list(selectors.extensions(actor=request.auth, claim=c))


@router.post("/deals/{deal_id}/extensions", response={201: ExtensionOut})
def request_extension(request, deal_id: int, payload: Form[ReasonIn], evidence: File[UploadedFile] = None):
    c = selectors.claim(actor=request.auth, pk=deal_id)
    return Status(201, services.request_extension(actor=request.auth, claim=c, reason=payload.reason,
                                                  evidence=evidence))  # fmt: skip


@router.post("/deal-extensions/{extension_id}/decision", response=ExtensionOut)
def decide_extension(request, extension_id: int, payload: ExtensionDecisionIn):
    req = selectors.extension(actor=request.auth, pk=extension_id)
    return services.decide_extension(actor=request.auth, request=req, grant=payload.grant, reason=payload.reason)


@router.get("/deal-review", response=list[ReviewOut])
@paginate(Pagination)
def review_queue(request):
    return selectors.review_queue(actor=request.auth)


class StageRow(Schema):
    stage: str
    currency: str
    n: int
    total: Decimal | None


class PartnerRow(Schema):
    organisation_id: int
    organisation_name: str = Field(..., alias="organisation__name")
    currency: str
    n: int
    open: int
    won: int
    won_total: Decimal | None
    pipeline: Decimal | None


class RegionRow(Schema):
    region: str = Field(..., alias="customer_region")
    currency: str
    n: int
    pipeline: Decimal | None


class OverviewOut(Schema):
    days: int
    by_status: dict[str, int]
    by_stage: list[StageRow]
    by_partner: list[PartnerRow]
    by_region: list[RegionRow]


@router.get("/deal-overview", response=OverviewOut)
def overview(request, days: int = 365):
    return selectors.overview(actor=request.auth, days=max(1, min(days, 3650)))
