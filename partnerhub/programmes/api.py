"""REST endpoints of programme definitions: read, import and export YAML, drafts, publish, retire."""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpResponse
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from partnerhub.core.api import InputSchema

from . import selectors, services, yaml_io

router = Router(tags=["programmes"])


class VersionSummary(Schema):
    number: int
    status: str
    effective_from: date
    name: str
    currency: str
    published_at: datetime | None


class ProgrammeOut(Schema):
    code: str
    name: str
    version_in_force: int | None = None
    versions: list[VersionSummary] = []


class VersionOut(VersionSummary):
    programme: str = Field(..., alias="programme.code")
    definition: dict = Field(..., description="the whole version as the normalised YAML document (schema v1)")

    @staticmethod
    def resolve_definition(obj):
        return yaml_io.document(obj)


class ImportIn(InputSchema):
    yaml: str = Field(..., description="a whole programme version in YAML (docs/programme-schema.md)")
    publish: bool = Field(True, description="in force from its effective date; false: keep it as a draft")


class DraftIn(InputSchema):
    yaml: str


class PublishIn(InputSchema):
    effective_from: date | None = None


class RetireIn(InputSchema):
    reason: str = ""


def _programme_out(request, p) -> dict:
    in_force = selectors.version_in_force(programme=p, on=timezone.localdate())
    return {
        "code": p.code,
        "name": p.name,
        "version_in_force": in_force.number if in_force else None,
        "versions": list(selectors.versions(actor=request.auth, programme=p)),
    }


@router.get("/programmes", response=list[ProgrammeOut])
def list_programmes(request):
    return [_programme_out(request, p) for p in selectors.programmes(actor=request.auth)]


@router.post("/programmes/import", response={201: VersionOut})
def import_programme(request, payload: ImportIn):
    return Status(201, services.import_programme(actor=request.auth, text=payload.yaml, source="request body",
                                                 publish=payload.publish))  # fmt: skip


@router.get("/programmes/{code}", response=ProgrammeOut)
def get_programme(request, code: str):
    return _programme_out(request, selectors.programme(actor=request.auth, code=code))


@router.get("/programmes/{code}/versions/{number}", response=VersionOut)
def get_version(request, code: str, number: int):
    p = selectors.programme(actor=request.auth, code=code)
    return selectors.version(actor=request.auth, programme=p, number=number)


@router.get("/programmes/{code}/versions/{number}/yaml", response={200: str})
def export_version(request, code: str, number: int):
    p = selectors.programme(actor=request.auth, code=code)
    v = selectors.version(actor=request.auth, programme=p, number=number)
    response = HttpResponse(yaml_io.export(v), content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{p.code}-v{v.number}.yaml"'
    return response


@router.post("/programmes/{code}/drafts", response={201: VersionOut})
def create_draft(request, code: str):
    p = selectors.programme(actor=request.auth, code=code)
    return Status(201, services.create_draft(actor=request.auth, programme=p))


@router.put("/programmes/{code}/versions/{number}", response=VersionOut)
def update_draft(request, code: str, number: int, payload: DraftIn):
    p = selectors.programme(actor=request.auth, code=code)
    v = selectors.version(actor=request.auth, programme=p, number=number)
    return services.update_draft(actor=request.auth, version=v, text=payload.yaml, source="request body")


@router.post("/programmes/{code}/versions/{number}/publish", response=VersionOut)
def publish(request, code: str, number: int, payload: PublishIn):
    p = selectors.programme(actor=request.auth, code=code)
    v = selectors.version(actor=request.auth, programme=p, number=number)
    return services.publish(actor=request.auth, version=v, effective_from=payload.effective_from)


@router.post("/programmes/{code}/versions/{number}/retire", response=VersionOut)
def retire(request, code: str, number: int, payload: RetireIn):
    p = selectors.programme(actor=request.auth, code=code)
    v = selectors.version(actor=request.auth, programme=p, number=number)
    return services.retire(actor=request.auth, version=v, reason=payload.reason)
