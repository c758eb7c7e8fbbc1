"""REST endpoints of partner onboarding and the public partner catalogue: thin over selectors and services."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, File, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from partnerhub.core.api import InputSchema, Pagination, model_type
from partnerhub.core.middleware import client_ip
from partnerhub.partners.models import Application
from partnerhub.programmes.models import Tier

from . import selectors
from . import services as onboarding

router = Router(tags=["onboarding"])
public_router = Router(tags=["onboarding"], auth=None)


# ---------------------------------------------------------------------------- schemas


class OpenRoleOut(Schema):
    code: str
    name: str = Field(description="in the request's language (Russian when the programme gives no English)")
    kind: str
    has_tiers: bool
    description: str

    @staticmethod
    def resolve_name(obj) -> str:
        return str(obj)


class OpenTierOut(Schema):
    code: str
    name: str = Field(description="in the request's language (Russian when the programme gives no English)")
    rank: int

    @staticmethod
    def resolve_name(obj) -> str:
        return str(obj)


class PublicProgrammeOut(Schema):
    code: str
    name: str
    version_number: int
    description: str
    terms: str
    roles: list[OpenRoleOut]
    tiers: list[OpenTierOut]


class ApplicationIn(InputSchema):
    role_code: model_type(Application, "role_code", description="Code of a role of the programme version in force.")
    company_name: model_type(Application, "company_name")
    legal_name: model_type(Application, "legal_name") = ""
    inn: model_type(Application, "inn", description="10 digits (company) or 12 (sole proprietor).")
    kpp: model_type(Application, "kpp", description="Required with a 10-digit INN; none with a 12-digit one.") = ""
    ogrn: model_type(Application, "ogrn", description="OGRN (13 digits) or OGRNIP (15 digits).") = ""
    region: model_type(Application, "region")
    city: model_type(Application, "city") = ""
    website: model_type(Application, "website") = ""
    regions: list[str] = Field(default_factory=list, description="Regions served.")
    competences: list[str] = Field(default_factory=list)
    contact_name: model_type(Application, "contact_name")
    contact_email: model_type(Application, "contact_email")
    contact_phone: model_type(Application, "contact_phone") = ""
    message: model_type(Application, "message", max_length=5000) = ""
    consent: bool = Field(..., description="Consent to the processing of the personal data sent; must be true.")


class ApplicationReceiptOut(Schema):
    id: int
    status: str
    programme_code: str = Field(..., alias="programme.code")
    role_code: str
    company_name: str
    created_at: datetime


class ApplicationOut(Schema):
    id: int
    programme_id: int
    programme_code: str = Field(..., alias="programme.code")
    role_code: str
    status: Application.Status
    company_name: str
    legal_name: str
    inn: str
    kpp: str
    ogrn: str
    region: str
    city: str
    website: str
    regions: list[str]
    competences: list[str]
    contact_name: str
    contact_email: str
    contact_phone: str
    message: str
    organisation_id: int | None
    decided_by_id: int | None
    decided_at: datetime | None
    decision_reason: str
    contract_uploaded: bool
    contract_accepted_at: datetime | None
    contract_signer: str
    created_at: datetime

    @staticmethod
    def resolve_contract_uploaded(obj) -> bool:
        return bool(obj.contract_file)


class OrganisationBriefOut(Schema):
    id: int
    name: str
    kind: str
    inn: str
    kpp: str
    region: str
    is_active: bool


class ApplicationDetailOut(ApplicationOut):
    same_inn_organisations: list[OrganisationBriefOut]


class ApplicationFilter(Schema):
    status: Application.Status | None = None
    programme_id: int | None = None
    search: str = ""


class ApproveIn(InputSchema):
    partner_manager_id: int | None = Field(None, description="A vendor user with the partner manager role.")
    starting_tier_code: model_type(Tier, "code", description="Required when the role carries tiers.") | None = None


class RejectIn(InputSchema):
    reason: str = Field("", max_length=5000, description="Required; e-mailed to the applicant.")


class ProfileOut(Schema):
    organisation_id: int
    description: str
    competences: list[str]
    regions: list[str]
    product_families: list[str] = Field([], description="Codes of the product families the partner sells.")
    listed_in_catalogue: bool


class ProfilePatchIn(InputSchema):
    description: str | None = Field(None, max_length=5000)
    competences: list[str] | None = None
    regions: list[str] | None = None
    product_families: list[str] | None = Field(None, description="Product family codes.")
    listed_in_catalogue: bool | None = None


class ChecklistItemOut(Schema):
    code: str
    label: str
    done: bool


class ChecklistOut(Schema):
    organisation_id: int
    organisation_name: str
    application_id: int
    application_status: str
    programme_code: str
    programme_name: str
    enrolment_status: str | None
    done: bool
    items: list[ChecklistItemOut]
    terms: str
    contract_uploaded: bool
    contract_accepted_at: datetime | None
    contract_signer: str
    profile: ProfileOut | None


class AcceptTermsIn(InputSchema):
    signer_name: str = Field(..., max_length=200, description="Full name of the person accepting the terms.")
    accept: bool = Field(..., description="Must be true.")


class BadgeOut(Schema):
    programme_code: str
    programme_name: str
    tier_code: str | None
    tier_name: str


class CatalogueEntryOut(Schema):
    id: int
    name: str
    region: str
    city: str
    website: str
    description: str
    competences: list[str]
    regions: list[str]
    programmes: list[BadgeOut]


class CatalogueFilter(Schema):
    region: str = ""
    competence: str = ""
    programme: str = Field("", description="Programme code.")
    tier: str = Field("", description="Tier code.")


def _checklist_out(actor, organisation) -> dict:
    c = selectors.checklist(actor=actor, organisation=organisation)
    if c is None:
        from django.http import Http404

        raise Http404
    app = c.application
    return {
        "organisation_id": c.organisation.pk, "organisation_name": c.organisation.name, "application_id": app.pk,
        "application_status": app.status, "programme_code": app.programme.code, "programme_name": str(app.programme),
        "enrolment_status": c.enrolment.status if c.enrolment else None, "done": c.done, "items": c.items,
        "terms": c.terms, "contract_uploaded": bool(app.contract_file),
        "contract_accepted_at": app.contract_accepted_at, "contract_signer": app.contract_signer,
        "profile": c.profile,
    }  # fmt: skip


# ---------------------------------------------------------------------------- public


@public_router.get("/public/programmes", response=list[PublicProgrammeOut], summary="Programmes taking applications")
def list_open_programmes(request: HttpRequest):
    return [
        {
            "code": p.code,
            "name": str(p),
            "version_number": v.number,
            "description": v.description,
            "terms": v.terms,
            "roles": list(v.roles.all()),
            "tiers": list(v.tiers.all()),
        }
        for p, v in selectors.open_programmes()
    ]


@public_router.post(
    "/public/programmes/{code}/applications", response={201: ApplicationReceiptOut},
    summary="Apply to become a partner (no account; rate-limited per address)",
)  # fmt: skip
def submit_application(request: HttpRequest, code: str, payload: ApplicationIn):
    programme, _version = selectors.programme_for_application(code=code)
    app = onboarding.application_submit(programme=programme, ip=client_ip(request), **payload.dict())
    return Status(201, app)


@public_router.get("/public/catalogue", response=list[CatalogueEntryOut], summary="The public partner catalogue")
@paginate(Pagination)
def list_catalogue(request: HttpRequest, filters: Query[CatalogueFilter]):
    return selectors.catalogue(**filters.dict())


@public_router.get("/public/catalogue/{org_id}", response=CatalogueEntryOut, summary="A partner in the catalogue")
def get_catalogue_entry(request: HttpRequest, org_id: int):
    return selectors.catalogue_entry(org_id=org_id)


# ---------------------------------------------------------------------------- vendor: review queue


@router.get("/applications", response=list[ApplicationOut], summary="Partner applications (the vendor's staff)")
@paginate(Pagination)
def list_applications(request: HttpRequest, filters: Query[ApplicationFilter]):
    return selectors.applications(
        actor=request.auth, status=filters.status or "", programme_id=filters.programme_id, search=filters.search
    )


@router.get("/applications/{application_id}", response=ApplicationDetailOut, summary="One application")
def get_application(request: HttpRequest, application_id: int):
    app = selectors.application(actor=request.auth, pk=application_id)
    app.same_inn_organisations = list(selectors.organisations_with_same_inn(actor=request.auth, application=app))
    return app


@router.post(
    "/applications/{application_id}/approve", response=ApplicationOut,
    summary="Approve: create the partner, its enrolment (awaiting the contract) and invite the contact",
)  # fmt: skip
def approve_application(request: HttpRequest, application_id: int, payload: ApproveIn):
    app = selectors.application(actor=request.auth, pk=application_id)
    return onboarding.application_approve(actor=request.auth, application=app, **payload.dict())


@router.post(
    "/applications/{application_id}/reject", response=ApplicationOut,
    summary="Reject with a reason (e-mailed to the applicant)",
)  # fmt: skip
def reject_application(request: HttpRequest, application_id: int, payload: RejectIn):
    app = selectors.application(actor=request.auth, pk=application_id)
    return onboarding.application_reject(actor=request.auth, application=app, reason=payload.reason)


# ---------------------------------------------------------------------------- partner: checklist


@router.get("/onboarding", response=ChecklistOut, summary="Your onboarding checklist")
def get_checklist(request: HttpRequest, organisation_id: int | None = None):
    org = selectors.onboarding_organisation(actor=request.auth, organisation_id=organisation_id)
    return _checklist_out(request.auth, org)


@router.post(
    "/onboarding/contract/accept-terms", response=ChecklistOut,
    summary="Accept the programme terms in force (the partner's administrator); activates the enrolment",
)  # fmt: skip
def accept_terms(request: HttpRequest, payload: AcceptTermsIn, organisation_id: int | None = None):
    org = selectors.onboarding_organisation(actor=request.auth, organisation_id=organisation_id)
    onboarding.contract_accept_terms(actor=request.auth, organisation=org, **payload.dict())
    return _checklist_out(request.auth, org)


@router.post(
    "/onboarding/contract/upload", response=ChecklistOut,
    summary="Upload the signed contract (PDF, at most 10 MB); activates the enrolment",
)  # fmt: skip
def upload_contract(request: HttpRequest, file: File[UploadedFile], organisation_id: int | None = None):
    org = selectors.onboarding_organisation(actor=request.auth, organisation_id=organisation_id)
    onboarding.contract_upload(actor=request.auth, organisation=org, file=file)
    return _checklist_out(request.auth, org)


@router.patch("/onboarding/profile", response=ProfileOut, summary="Change your public profile and catalogue opt-in")
def update_profile(request: HttpRequest, payload: ProfilePatchIn, organisation_id: int | None = None):
    org = selectors.onboarding_organisation(actor=request.auth, organisation_id=organisation_id)
    return onboarding.profile_update(actor=request.auth, organisation=org, **payload.dict(exclude_unset=True))
