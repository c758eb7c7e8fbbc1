"""Vendor admission: apply, the scorecard, scores and the decision."""

from datetime import datetime
from decimal import Decimal

from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from partnerhub.core.api import InputSchema, Pagination, model_type
from partnerhub.identity import selectors as identity_selectors

from .. import selectors, services
from ..models import ApplicationScore, ScoreCriterion, VendorApplication

router = Router(tags=["marketplace: admission"])


class ScoreCriterionOut(Schema):
    code: str
    name_ru: str
    name_en: str
    weight: Decimal
    position: int
    is_active: bool


class ScoreCriterionIn(InputSchema):
    code: model_type(ScoreCriterion, "code", min_length=1)
    name_ru: model_type(ScoreCriterion, "name_ru", min_length=1)
    name_en: model_type(ScoreCriterion, "name_en", min_length=1)
    weight: model_type(ScoreCriterion, "weight", ge=0)
    position: model_type(ScoreCriterion, "position") = 0
    is_active: bool = True


class VendorScoreOut(Schema):
    criterion_code: str = Field(..., alias="criterion.code")
    expert_email: str = Field(..., alias="expert.email")
    score: int
    comment: str


class VendorApplicationOut(Schema):
    id: int
    organisation_id: int
    organisation_name: str = Field(..., alias="organisation.name")
    status: str
    software_description: str
    focus_industries: list[str]
    implementation_stories: str
    company_profile: str
    submitted_at: datetime
    decided_at: datetime | None
    decision_note: str
    total_score: Decimal | None
    scorecard: list[dict] | None
    enrolment_id: int | None


class VendorApplicationDetailOut(VendorApplicationOut):
    expert_scores: list[VendorScoreOut] = Field(
        default_factory=list, description="Vendor staff only; empty for the applicant."
    )


class VendorApplicationIn(InputSchema):
    software_description: model_type(VendorApplication, "software_description")
    focus_industries: list[str] = Field(..., max_length=20)
    implementation_stories: model_type(VendorApplication, "implementation_stories")
    company_profile: model_type(VendorApplication, "company_profile")


class VendorScoreIn(InputSchema):
    criterion_code: model_type(ScoreCriterion, "code")
    score: int = Field(..., ge=1, le=5)
    comment: model_type(ApplicationScore, "comment") = ""


class VendorDecisionIn(InputSchema):
    admit: bool
    note: model_type(VendorApplication, "decision_note") = ""


@router.get("/marketplace/score-criteria", response=list[ScoreCriterionOut], summary="The admission scorecard")
def list_criteria(request):
    return list(selectors.criteria())


@router.post("/marketplace/score-criteria", response=ScoreCriterionOut, summary="Add or change a scorecard criterion")
def save_criterion(request, payload: ScoreCriterionIn):
    return services.criterion_save(actor=request.auth, **payload.dict())


@router.post("/marketplace/organisations/{org_id}/vendor-applications", response={201: VendorApplicationOut},
             summary="A software vendor applies to the marketplace")  # fmt: skip
def apply(request, org_id: int, payload: VendorApplicationIn):
    org = identity_selectors.organisation(actor=request.auth, pk=org_id)
    return Status(201, services.vendor_apply(actor=request.auth, organisation=org, **payload.dict()))


@router.get("/marketplace/vendor-applications", response=list[VendorApplicationOut])
@paginate(Pagination)
def list_applications(request, status: str = ""):
    return selectors.applications(actor=request.auth, status=status)


def _detail(request, application):
    application.expert_scores = list(selectors.scores(actor=request.auth, application=application))
    return application


@router.get("/marketplace/vendor-applications/{application_id}", response=VendorApplicationDetailOut)
def get_application(request, application_id: int):
    return _detail(request, selectors.application(actor=request.auth, pk=application_id))


@router.post("/marketplace/vendor-applications/{application_id}/scores", response=VendorApplicationDetailOut,
             summary="An expert scores one criterion")  # fmt: skip
def score(request, application_id: int, payload: VendorScoreIn):
    a = selectors.application(actor=request.auth, pk=application_id)
    services.application_score(actor=request.auth, application=a, **payload.dict())
    return _detail(request, selectors.application(actor=request.auth, pk=application_id))


@router.post("/marketplace/vendor-applications/{application_id}/decision", response=VendorApplicationDetailOut,
             summary="Admit (enrol in the marketplace vendor programme) or decline")  # fmt: skip
def decide(request, application_id: int, payload: VendorDecisionIn):
    a = selectors.application(actor=request.auth, pk=application_id)
    services.application_decide(actor=request.auth, application=a, admit=payload.admit, note=payload.note)
    return _detail(request, selectors.application(actor=request.auth, pk=application_id))
