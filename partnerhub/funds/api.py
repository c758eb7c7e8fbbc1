"""REST endpoints of the development funds (MDF/BDF) under /api/v1/funds: budgets, activity requests, claims
with proof-of-performance files, tier allowances. Parse → selector/service → schema."""

from datetime import date, datetime
from decimal import Decimal

from django.urls import reverse
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from partnerhub.core.api import InputSchema, Pagination, model_type

from . import selectors, services
from .models import ActivityRequest, Budget, Claim, FundAllowance

router = Router(tags=["funds"])


def _label(obj, field: str) -> str:
    return str(getattr(obj, f"get_{field}_display")())


class BudgetOut(Schema):
    id: int
    organisation_id: int
    organisation_name: str = Field(..., alias="organisation.name")
    kind: str
    kind_label: str
    currency: str
    period_kind: str
    period_start: date
    period_end: date
    amount: Decimal
    reserved: Decimal = Field(..., description="approved requests not yet claimed and paid")
    used: Decimal = Field(..., description="paid claims")
    remaining: Decimal
    source: str
    status: str
    status_label: str
    tier_code: str
    note: str
    expired_amount: Decimal | None
    released_amount: Decimal | None

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return _label(obj, "kind")

    @staticmethod
    def resolve_status_label(obj) -> str:
        return _label(obj, "status")

    @staticmethod
    def resolve_remaining(obj) -> Decimal:
        return obj.amount - obj.reserved - obj.used


class BudgetIn(InputSchema):
    organisation_id: int
    kind: model_type(Budget, "kind")
    currency: model_type(Budget, "currency")
    amount: model_type(Budget, "amount")
    period_kind: str = Field("", description="quarter or year: the one containing period_start; empty: the dates given")
    period_start: date | None = None
    period_end: date | None = None
    note: model_type(Budget, "note") = ""


class RequestOut(Schema):
    id: int
    organisation_id: int
    budget_id: int
    kind: str
    kind_label: str
    title: str
    description: str
    starts_on: date
    ends_on: date
    planned_cost: Decimal
    currency: str = Field(..., alias="budget.currency")
    status: str
    status_label: str
    approved_amount: Decimal | None
    paid_amount: Decimal | None
    decision_reason: str
    created_at: datetime

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return _label(obj, "kind")

    @staticmethod
    def resolve_status_label(obj) -> str:
        return _label(obj, "status")


class RequestIn(InputSchema):
    kind: model_type(ActivityRequest, "kind")
    title: model_type(ActivityRequest, "title")
    description: model_type(ActivityRequest, "description") = ""
    starts_on: date
    ends_on: date
    planned_cost: model_type(ActivityRequest, "planned_cost")


class ReasonIn(InputSchema):
    reason: str = ""


class FileOut(Schema):
    id: int
    name: str
    size: int
    url: str

    @staticmethod
    def resolve_url(obj) -> str:
        return reverse("funds-proof-file", kwargs={"file_id": obj.pk})


class ClaimOut(Schema):
    id: int
    organisation_id: int
    request_id: int
    request_title: str = Field(..., alias="request.title")
    currency: str = Field(..., alias="request.budget.currency")
    actual_cost: Decimal
    note: str
    status: str
    status_label: str
    approved_amount: Decimal | None
    decision_reason: str
    journal_entry_id: int | None
    files: list[FileOut]
    created_at: datetime

    @staticmethod
    def resolve_status_label(obj) -> str:
        return _label(obj, "status")

    @staticmethod
    def resolve_files(obj) -> list:
        return list(obj.files.all())


class ClaimIn(InputSchema):
    actual_cost: model_type(Claim, "actual_cost")
    note: model_type(Claim, "note") = ""


class ClaimDecisionIn(InputSchema):
    amount: model_type(Claim, "approved_amount") = Field(None, description="less than claimed needs a reason")
    reason: str = ""


class AllowanceOut(Schema):
    id: int
    programme_code: str = Field(..., alias="programme.code")
    tier_code: str
    kind: str
    period_kind: str
    currency: str
    amount: Decimal


class AllowanceIn(InputSchema):
    programme_code: str
    tier_code: model_type(FundAllowance, "tier_code")
    kind: model_type(FundAllowance, "kind")
    period_kind: model_type(FundAllowance, "period_kind")
    currency: model_type(FundAllowance, "currency")
    amount: model_type(FundAllowance, "amount")


class GrantIn(InputSchema):
    period_kind: model_type(FundAllowance, "period_kind") = "quarter"
    on: date | None = None


class GrantOut(Schema):
    granted: list[BudgetOut]


class BudgetFilter(Schema):
    status: str = ""
    organisation_id: int | None = None


class StatusFilter(Schema):
    status: str = ""
    organisation_id: int | None = None


@router.get("/budgets", response=list[BudgetOut], summary="Budgets visible to you, with reserved, used, remaining")
@paginate(Pagination)
def list_budgets(request, filters: Query[BudgetFilter]):
    return selectors.budgets(actor=request.auth, status=filters.status, organisation_id=filters.organisation_id)


@router.post("/budgets", response={201: BudgetOut}, summary="Grant a partner a budget by hand (admin, finance)")
def grant_budget(request, payload: BudgetIn):
    budget = services.grant_by_hand(actor=request.auth, **payload.dict())
    return Status(201, selectors.budget(actor=request.auth, pk=budget.pk))


@router.post("/grants", response=GrantOut, summary="Grant the period's budgets from tier allowances (idempotent)")
def grant_from_tiers(request, payload: GrantIn):
    created = services.grant_from_tiers(actor=request.auth, period_kind=payload.period_kind, on=payload.on)
    return {"granted": list(selectors.budgets(actor=request.auth).filter(pk__in=[b.pk for b in created]))}


@router.get("/budgets/{budget_id}", response=BudgetOut)
def get_budget(request, budget_id: int):
    return selectors.budget(actor=request.auth, pk=budget_id)


@router.post("/budgets/{budget_id}/requests", response={201: RequestOut}, summary="Request an activity (partner)")
def submit_request(request, budget_id: int, payload: RequestIn):
    budget = selectors.budget(actor=request.auth, pk=budget_id)
    return Status(201, services.submit_request(actor=request.auth, budget=budget, **payload.dict()))


@router.get("/requests", response=list[RequestOut])
@paginate(Pagination)
def list_requests(request, filters: Query[StatusFilter]):
    return selectors.requests(actor=request.auth, status=filters.status, organisation_id=filters.organisation_id)


@router.get("/requests/{request_id}", response=RequestOut)
def get_request(request, request_id: int):
    return selectors.request(actor=request.auth, pk=request_id)


@router.post("/requests/{request_id}/approve", response=RequestOut, summary="Approve, reserving the planned cost")
def approve_request(request, request_id: int, payload: ReasonIn):
    req = selectors.request(actor=request.auth, pk=request_id)
    return services.approve_request(actor=request.auth, request=req, reason=payload.reason)


@router.post("/requests/{request_id}/reject", response=RequestOut)
def reject_request(request, request_id: int, payload: ReasonIn):
    req = selectors.request(actor=request.auth, pk=request_id)
    return services.reject_request(actor=request.auth, request=req, reason=payload.reason)


@router.post("/requests/{request_id}/claims", response={201: ClaimOut},
             summary="Claim the actual cost with proof of performance (PDF, JPEG, PNG)")  # fmt: skip
def submit_claim(request, request_id: int, payload: Form[ClaimIn], files: File[list[UploadedFile]] = None):
    req = selectors.request(actor=request.auth, pk=request_id)
    claim = services.submit_claim(actor=request.auth, request=req, files=files or [], **payload.dict())
    return Status(201, selectors.claim(actor=request.auth, pk=claim.pk))


@router.get("/claims", response=list[ClaimOut])
@paginate(Pagination)
def list_claims(request, filters: Query[StatusFilter]):
    return selectors.claims(actor=request.auth, status=filters.status, organisation_id=filters.organisation_id)


@router.get("/claims/{claim_id}", response=ClaimOut)
def get_claim(request, claim_id: int):
    return selectors.claim(actor=request.auth, pk=claim_id)


@router.post("/claims/{claim_id}/approve", response=ClaimOut, summary="Approve (possibly less) and pay")
def approve_claim(request, claim_id: int, payload: ClaimDecisionIn):
    claim = selectors.claim(actor=request.auth, pk=claim_id)
    services.approve_claim(actor=request.auth, claim=claim, amount=payload.amount, reason=payload.reason)
    return selectors.claim(actor=request.auth, pk=claim_id)


@router.post("/claims/{claim_id}/reject", response=ClaimOut)
def reject_claim(request, claim_id: int, payload: ReasonIn):
    claim = selectors.claim(actor=request.auth, pk=claim_id)
    services.reject_claim(actor=request.auth, claim=claim, reason=payload.reason)
    return selectors.claim(actor=request.auth, pk=claim_id)


@router.get("/allowances", response=list[AllowanceOut], summary="Tier allowances (vendor staff)")
@paginate(Pagination)
def list_allowances(request):
    return selectors.allowances(actor=request.auth)


@router.put("/allowances", response=AllowanceOut, summary="Set a tier's allowance per period (admin, finance)")
def set_allowance(request, payload: AllowanceIn):
    return services.set_allowance(actor=request.auth, **payload.dict())
