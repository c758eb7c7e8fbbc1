"""REST endpoints of partner support under /api/v1/support: requests (the queue), the thread, assignment,
status, close with a rating, reopen; the vendor's response-time targets. Parse → selector/service → schema."""

from datetime import datetime

from django.urls import reverse
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from partnerhub.core.api import InputSchema, Pagination, model_type
from partnerhub.identity import selectors as identity_selectors

from . import selectors, services
from .models import SupportRequest, SupportTarget

router = Router(tags=["support"])


class SupportClockOut(Schema):
    state: str = Field(..., description="running, overdue, met or breached (missed)")
    label: str
    due: datetime
    done_at: datetime | None
    seconds: int = Field(..., description="left (running), over (overdue) or the margin (met, breached)")


def _clock(c: dict) -> dict:
    return {**c, "label": str(c["label"]), "seconds": int(c["delta"].total_seconds())}


class SupportRequestOut(Schema):
    id: int
    organisation_id: int
    organisation_name: str = Field(..., alias="organisation.name")
    kind: str
    kind_label: str
    subject: str
    status: str
    status_label: str
    tier_code: str
    first_response_hours: int
    resolution_hours: int
    response_clock: SupportClockOut
    resolution_clock: SupportClockOut
    breached: bool
    assignee_id: int | None
    assignee_email: str | None
    rating: int | None
    rating_comment: str
    created_at: datetime

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_response_clock(obj) -> dict:
        return _clock(obj.response_clock())

    @staticmethod
    def resolve_resolution_clock(obj) -> dict:
        return _clock(obj.resolution_clock())

    @staticmethod
    def resolve_breached(obj) -> bool:
        return obj.is_breached

    @staticmethod
    def resolve_assignee_email(obj) -> str | None:
        return obj.assignee.email if obj.assignee_id else None


class SupportAttachmentOut(Schema):
    id: int
    name: str
    size: int
    url: str

    @staticmethod
    def resolve_url(obj) -> str:
        return reverse("support-file", kwargs={"file_id": obj.pk})


class SupportReplyOut(Schema):
    id: int
    from_vendor: bool
    author_email: str | None
    body: str
    attachments: list[SupportAttachmentOut]
    created_at: datetime

    @staticmethod
    def resolve_author_email(obj) -> str | None:
        return obj.author.email if obj.author_id else None

    @staticmethod
    def resolve_attachments(obj) -> list:
        return list(obj.attachments.all())


class SupportThreadOut(SupportRequestOut):
    replies: list[SupportReplyOut]

    @staticmethod
    def resolve_replies(obj) -> list:
        return obj.thread


class SupportOpenIn(InputSchema):
    organisation_id: int
    kind: model_type(SupportRequest, "kind")
    subject: model_type(SupportRequest, "subject")
    body: str = Field(..., max_length=20000)


class SupportReplyIn(InputSchema):
    body: str = Field(..., max_length=20000)
    waiting_for_partner: bool = Field(False, description="vendor: hand the request to the partner for an answer")


class SupportAssignIn(InputSchema):
    assignee_id: int | None = None


class SupportStatusIn(InputSchema):
    status: str = Field(..., description="in_progress, waiting_partner, resolved, closed")


class SupportCloseIn(InputSchema):
    rating: int = Field(..., description="1 to 5")
    comment: str = Field("", max_length=2000)


class SupportReopenIn(InputSchema):
    reason: str = Field("", max_length=2000)


class SupportTargetOut(Schema):
    id: int
    programme_code: str = Field(..., alias="programme.code")
    tier_code: str
    first_response_hours: int
    resolution_hours: int


class SupportTargetIn(InputSchema):
    programme_code: str = Field(..., max_length=50)
    tier_code: model_type(SupportTarget, "tier_code")
    first_response_hours: int = Field(..., ge=1, le=10000)
    resolution_hours: int = Field(..., ge=1, le=10000)


class SupportQueueFilter(Schema):
    status: str = Field("", description="a status, or open")
    kind: str = ""
    breached: bool | None = None
    assignee_id: int | None = None
    unassigned: bool = False
    organisation_id: int | None = None


@router.get("/requests", response=list[SupportRequestOut], summary="Support requests visible to you (the queue)")
@paginate(Pagination)
def list_requests(request, filters: Query[SupportQueueFilter]):
    return selectors.requests(actor=request.auth, **filters.dict())


@router.post("/requests", response={201: SupportThreadOut}, summary="Open a support request (partner staff)")
def open_request(request, payload: Form[SupportOpenIn], files: File[list[UploadedFile]] = None):
    org = identity_selectors.organisation(actor=request.auth, pk=payload.organisation_id)
    data = payload.dict()
    data.pop("organisation_id")
    req = services.open_request(actor=request.auth, organisation=org, files=files or [], **data)
    return Status(201, _thread_out(request, req.pk))


def _thread_out(request, pk: int):
    req = selectors.request(actor=request.auth, pk=pk)
    req.thread = list(selectors.replies(actor=request.auth, request=req))
    return req


@router.get("/requests/{request_id}", response=SupportThreadOut, summary="A request with its thread and clocks")
def get_request(request, request_id: int):
    return _thread_out(request, request_id)


@router.post("/requests/{request_id}/replies", response={201: SupportThreadOut}, summary="Reply in the thread")
def post_reply(request, request_id: int, payload: Form[SupportReplyIn], files: File[list[UploadedFile]] = None):
    req = selectors.request(actor=request.auth, pk=request_id)
    services.reply(actor=request.auth, request=req, files=files or [], **payload.dict())
    return Status(201, _thread_out(request, request_id))


@router.post("/requests/{request_id}/assign", response=SupportRequestOut, summary="Assign to vendor staff (vendor)")
def assign(request, request_id: int, payload: SupportAssignIn):
    req = selectors.request(actor=request.auth, pk=request_id)
    services.assign(actor=request.auth, request=req, assignee_id=payload.assignee_id)
    return selectors.request(actor=request.auth, pk=request_id)


@router.post("/requests/{request_id}/status", response=SupportRequestOut, summary="Move the request (vendor)")
def set_status(request, request_id: int, payload: SupportStatusIn):
    req = selectors.request(actor=request.auth, pk=request_id)
    services.set_status(actor=request.auth, request=req, status=payload.status)
    return selectors.request(actor=request.auth, pk=request_id)


@router.post("/requests/{request_id}/close", response=SupportRequestOut, summary="Close with a rating 1–5 (partner)")
def close(request, request_id: int, payload: SupportCloseIn):
    req = selectors.request(actor=request.auth, pk=request_id)
    services.close(actor=request.auth, request=req, rating=payload.rating, comment=payload.comment)
    return selectors.request(actor=request.auth, pk=request_id)


@router.post("/requests/{request_id}/reopen", response=SupportRequestOut, summary="Reopen a resolved request (partner)")
def reopen(request, request_id: int, payload: SupportReopenIn):
    req = selectors.request(actor=request.auth, pk=request_id)
    services.reopen(actor=request.auth, request=req, reason=payload.reason)
    return selectors.request(actor=request.auth, pk=request_id)


@router.get("/targets", response=list[SupportTargetOut], summary="Response-time targets per tier (vendor staff)")
@paginate(Pagination)
def list_targets(request):
    return selectors.targets(actor=request.auth)


@router.put("/targets", response=SupportTargetOut, summary="Set a tier's response-time targets (vendor administrators)")
def set_target(request, payload: SupportTargetIn):
    target = services.set_target(actor=request.auth, **payload.dict())
    return selectors.targets(actor=request.auth).get(pk=target.pk)
