"""REST endpoints of the content library, under /api/v1/library."""

from datetime import datetime

from django.urls import reverse
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from partnerhub.core.api import InputSchema, Pagination, model_type
from partnerhub.identity import selectors as identity_selectors

from . import downloads, selectors, services
from .models import Contribution, Material

router = Router(tags=["library"])

FILE_RESPONSE = {"responses": {200: {"description": "The file", "content": {"application/octet-stream": {}}}}}
PDF_RESPONSE = {"responses": {200: {"description": "The co-branded PDF", "content": {"application/pdf": {}}}}}


class LibraryVersionOut(Schema):
    number: int
    file_kind: str
    size: int
    note: str
    created_at: datetime


class LibraryMaterialOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    description: str
    tags: list[str]
    programme: str | None = Field(None, alias="programme.code")
    roles: list[str]
    tiers: list[str]
    is_published: bool
    download_count: int
    version_count: int = 0
    download_url: str

    @staticmethod
    def resolve_kind_label(obj):
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_tags(obj):
        return obj.tag_list

    @staticmethod
    def resolve_roles(obj):
        return Material.codes(obj.roles)

    @staticmethod
    def resolve_tiers(obj):
        return Material.codes(obj.tiers)

    @staticmethod
    def resolve_download_url(obj):
        return reverse("library-download", args=[obj.pk])


class LibraryMaterialDetailOut(LibraryMaterialOut):
    versions: list[LibraryVersionOut]

    @staticmethod
    def resolve_versions(obj):
        return list(selectors.versions(material=obj))


class LibraryMaterialIn(InputSchema):
    kind: model_type(Material, "kind")
    title: model_type(Material, "title", min_length=1)
    description: model_type(Material, "description") = ""
    tags: list[str] = Field([], max_length=30)
    programme_code: str = Field("", max_length=50)
    roles: list[str] = Field([], max_length=30)
    tiers: list[str] = Field([], max_length=30)
    template: model_type(Material, "template") = ""
    is_published: bool = False


class LibraryMaterialPatch(InputSchema):
    kind: model_type(Material, "kind") = None
    title: model_type(Material, "title", min_length=1) = None
    description: model_type(Material, "description") = None
    tags: list[str] = Field(None, max_length=30)
    programme_code: str = Field(None, max_length=50)
    roles: list[str] = Field(None, max_length=30)
    tiers: list[str] = Field(None, max_length=30)
    template: model_type(Material, "template") = None
    is_published: model_type(Material, "is_published") = None


class LibraryVersionIn(InputSchema):
    note: str = Field("", max_length=300)


class LibraryMaterialFilter(Schema):
    q: str = Field("", max_length=200, description="Searches title, description and tags.")
    kind: str = ""
    tag: str = Field("", max_length=60)


class LibraryCobrandIn(InputSchema):
    organisation_id: int


class LibraryContributionOut(Schema):
    id: int
    organisation_id: int
    kind: str
    title: str
    description: str
    status: str
    status_label: str
    comment: str
    material_id: int | None
    submitted_at: datetime
    reviewed_at: datetime | None

    @staticmethod
    def resolve_status_label(obj):
        return str(obj.get_status_display())


class LibraryContributionIn(InputSchema):
    organisation_id: int
    kind: model_type(Contribution, "kind")
    title: model_type(Contribution, "title", min_length=1)
    description: model_type(Contribution, "description") = ""


class LibraryReviewIn(InputSchema):
    decision: str = Field(..., pattern="^(reviewed|published|rejected)$")
    comment: str = Field("", max_length=2000)


class LibraryContributionFilter(Schema):
    status: str = ""


@router.get("/materials", response=list[LibraryMaterialOut])
@paginate(Pagination)
def list_materials(request, filters: Query[LibraryMaterialFilter]):
    return selectors.materials(actor=request.auth, q=filters.q, kind=filters.kind, tag=filters.tag)


@router.post("/materials", response={201: LibraryMaterialDetailOut},
             summary="A material without a file (a co-branding template); add files as versions")  # fmt: skip
def create_material(request, payload: LibraryMaterialIn):
    material = services.material_create(actor=request.auth, **payload.dict())
    return Status(201, selectors.material(actor=request.auth, pk=material.pk))


@router.get("/materials/{material_id}", response=LibraryMaterialDetailOut)
def get_material(request, material_id: int):
    return selectors.material(actor=request.auth, pk=material_id)


@router.patch("/materials/{material_id}", response=LibraryMaterialDetailOut)
def update_material(request, material_id: int, payload: LibraryMaterialPatch):
    material = selectors.material(actor=request.auth, pk=material_id)
    services.material_update(actor=request.auth, material=material, **payload.dict(exclude_unset=True))
    return selectors.material(actor=request.auth, pk=material_id)


@router.post("/materials/{material_id}/versions", response={201: LibraryVersionOut},
             summary="A new file for the material (PDF, PPTX, XLSX, DOCX, PNG, JPEG, ZIP; by content)")  # fmt: skip
def add_version(request, material_id: int, file: File[UploadedFile], payload: Form[LibraryVersionIn]):
    material = selectors.material(actor=request.auth, pk=material_id)
    return Status(201, services.version_add(actor=request.auth, material=material, file=file, note=payload.note))


@router.get("/materials/{material_id}/download", response={200: None}, openapi_extra=FILE_RESPONSE)
def download(request, material_id: int):
    material = selectors.material(actor=request.auth, pk=material_id)
    version = services.record_download(actor=request.auth, material=material)
    return downloads.file_response(version.file, stem=material.title)


@router.post("/materials/{material_id}/cobranded-pdf", response={200: None}, openapi_extra=PDF_RESPONSE,
             summary="A co-branded PDF for your organisation (its tier must grant co-branding)")  # fmt: skip
def cobranded_pdf(request, material_id: int, payload: LibraryCobrandIn):
    material = selectors.material(actor=request.auth, pk=material_id)
    org = identity_selectors.organisation(actor=request.auth, pk=payload.organisation_id)
    pdf = services.cobranded_pdf(actor=request.auth, material=material, organisation=org)
    return downloads.pdf_response(pdf, material)


@router.post("/organisations/{org_id}/logo", response={204: None},
             summary="The organisation's logo for co-branded materials (PNG or JPEG, 200–4000 px a side)")  # fmt: skip
def set_logo(request, org_id: int, file: File[UploadedFile]):
    org = identity_selectors.organisation(actor=request.auth, pk=org_id)
    services.logo_set(actor=request.auth, organisation=org, file=file)
    return Status(204, None)


@router.get("/contributions", response=list[LibraryContributionOut])
@paginate(Pagination)
def list_contributions(request, filters: Query[LibraryContributionFilter]):
    return selectors.contributions(actor=request.auth, status=filters.status)


@router.post("/contributions", response={201: LibraryContributionOut})
def submit_contribution(request, payload: Form[LibraryContributionIn], file: File[UploadedFile]):
    data = payload.dict()
    org = identity_selectors.organisation(actor=request.auth, pk=data.pop("organisation_id"))
    return Status(201, services.contribution_submit(actor=request.auth, organisation=org, file=file, **data))


@router.get("/contributions/{contribution_id}", response=LibraryContributionOut)
def get_contribution(request, contribution_id: int):
    return selectors.contribution(actor=request.auth, pk=contribution_id)


@router.get("/contributions/{contribution_id}/file", response={200: None}, openapi_extra=FILE_RESPONSE)
def contribution_file(request, contribution_id: int):
    c = selectors.contribution(actor=request.auth, pk=contribution_id)
    return downloads.file_response(c.file, stem=c.title)


@router.post("/contributions/{contribution_id}/review", response=LibraryContributionOut)
def review_contribution(request, contribution_id: int, payload: LibraryReviewIn):
    c = selectors.contribution(actor=request.auth, pk=contribution_id)
    return services.contribution_review(actor=request.auth, contribution=c, **payload.dict())
