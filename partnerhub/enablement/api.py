"""REST endpoints for specialists and certifications."""

from datetime import date

from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from partnerhub.core.api import InputSchema, Pagination, model_type
from partnerhub.identity import selectors as identity_selectors

from . import selectors, services
from .models import Certification, CertificationType, Specialist

router = Router(tags=["specialists"])


class CertificationOut(Schema):
    id: int
    type_code: str = Field(..., alias="type.code")
    type_name: str = Field(..., alias="type.name")
    number: str
    issued_on: date
    expires_on: date | None


class SpecialistOut(Schema):
    id: int
    organisation_id: int
    full_name: str
    email: str
    position: str
    is_active: bool
    certifications: list[CertificationOut]

    @staticmethod
    def resolve_certifications(obj):
        return list(obj.certifications.all())


class SpecialistIn(InputSchema):
    full_name: model_type(Specialist, "full_name", min_length=1)
    email: model_type(Specialist, "email") = ""
    position: model_type(Specialist, "position") = ""


class SpecialistPatch(InputSchema):
    full_name: model_type(Specialist, "full_name", min_length=1) = None
    email: model_type(Specialist, "email") = None
    position: model_type(Specialist, "position") = None
    is_active: model_type(Specialist, "is_active") = None


class CertificationIn(InputSchema):
    type_code: model_type(CertificationType, "code")
    issued_on: model_type(Certification, "issued_on")
    expires_on: model_type(Certification, "expires_on") = None
    number: model_type(Certification, "number") = ""


class CertificationTypeOut(Schema):
    code: str
    name: str
    validity_months: int | None


@router.get("/certification-types", response=list[CertificationTypeOut])
def list_types(request):
    return selectors.certification_types()


@router.get("/organisations/{org_id}/specialists", response=list[SpecialistOut])
@paginate(Pagination)
def list_specialists(request, org_id: int, include_inactive: bool = False):
    org = identity_selectors.organisation(actor=request.auth, pk=org_id)
    return selectors.specialists(actor=request.auth, organisation=org, include_inactive=include_inactive)


@router.post("/organisations/{org_id}/specialists", response={201: SpecialistOut})
def create_specialist(request, org_id: int, payload: SpecialistIn):
    org = identity_selectors.organisation(actor=request.auth, pk=org_id)
    return Status(201, services.specialist_create(actor=request.auth, organisation=org, **payload.dict()))


@router.patch("/specialists/{specialist_id}", response=SpecialistOut)
def update_specialist(request, specialist_id: int, payload: SpecialistPatch):
    s = selectors.specialist(actor=request.auth, pk=specialist_id)
    return services.specialist_update(actor=request.auth, specialist=s, **payload.dict(exclude_unset=True))


@router.post("/specialists/{specialist_id}/certifications", response={201: CertificationOut})
def add_certification(request, specialist_id: int, payload: CertificationIn):
    s = selectors.specialist(actor=request.auth, pk=specialist_id)
    return Status(201, services.certification_add(actor=request.auth, specialist=s, **payload.dict()))


@router.delete("/certifications/{certification_id}", response={204: None})
def remove_certification(request, certification_id: int):
    c = selectors.certification(actor=request.auth, pk=certification_id)
    services.certification_remove(actor=request.auth, certification=c)
    return Status(204, None)
