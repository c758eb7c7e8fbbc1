"""REST endpoints of events: the calendar, .ics files, registrations and attendance, under /api/v1/enablement."""

from datetime import datetime

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from partnerhub.core.api import InputSchema, Pagination, model_type
from partnerhub.identity import selectors as identity_selectors

from . import ics, selectors, services
from .models import Event

router = Router(tags=["events"])

ICS_RESPONSE = {"responses": {200: {"description": "An iCalendar file (RFC 5545)", "content": {"text/calendar": {}}}}}


class EventOut(Schema):
    id: int
    title: str
    kind: str
    format: str
    description: str
    language: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    join_url: str
    address: str
    capacity: int | None
    places_taken: int = Field(0, alias="taken")
    lesson_id: int | None
    recording_url: str
    status: str
    is_published: bool


class EventIn(InputSchema):
    title: model_type(Event, "title", min_length=1)
    kind: model_type(Event, "kind") = "webinar"
    format: model_type(Event, "format") = "online"
    description: model_type(Event, "description") = ""
    language: model_type(Event, "language") = "ru"
    starts_at: datetime = Field(..., description="With an offset, or read in `timezone`.")
    ends_at: datetime
    timezone: model_type(Event, "timezone") = "Europe/Moscow"
    join_url: model_type(Event, "join_url", description="http(s) only") = ""
    address: model_type(Event, "address") = ""
    capacity: model_type(Event, "capacity", ge=1) = None
    lesson_id: int | None = None
    recording_url: model_type(Event, "recording_url") = ""
    is_published: bool = False


class EventPatch(InputSchema):
    title: model_type(Event, "title", min_length=1) = None
    kind: model_type(Event, "kind") = None
    format: model_type(Event, "format") = None
    description: model_type(Event, "description") = None
    language: model_type(Event, "language") = None
    starts_at: datetime = None
    ends_at: datetime = None
    timezone: model_type(Event, "timezone") = None
    join_url: model_type(Event, "join_url") = None
    address: model_type(Event, "address") = None
    capacity: model_type(Event, "capacity", ge=1) = None
    lesson_id: int | None = None
    recording_url: model_type(Event, "recording_url") = None
    is_published: model_type(Event, "is_published") = None


class EventCancelIn(InputSchema):
    reason: str = Field("", max_length=500)


class EventRegisterIn(InputSchema):
    specialist_id: int


class EventAttendanceIn(InputSchema):
    attended: bool = True


class EventRegistrationOut(Schema):
    id: int
    event_id: int
    event_title: str = Field(..., alias="event.title")
    specialist_id: int
    specialist_name: str = Field(..., alias="specialist.full_name")
    organisation_id: int = Field(..., alias="specialist.organisation_id")
    status: str
    registered_at: datetime
    attended_at: datetime | None


class EventFilter(Schema):
    when: str = Field("", pattern="^(|upcoming|past)$", description="upcoming, past or empty for all")
    kind: str = ""


class EventRegistrationFilter(Schema):
    organisation_id: int | None = None
    event_id: int | None = None


def _ics(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=ics.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@router.get("/events", response=list[EventOut])
@paginate(Pagination)
def list_events(request, filters: Query[EventFilter]):
    return selectors.events(actor=request.auth, when=filters.when, kind=filters.kind)


@router.post("/events", response={201: EventOut})
def create_event(request, payload: EventIn):
    event = services.event_create(actor=request.auth, **payload.dict())
    return Status(201, selectors.event(actor=request.auth, pk=event.pk))


@router.get("/events/{event_id}", response=EventOut)
def get_event(request, event_id: int):
    return selectors.event(actor=request.auth, pk=event_id)


@router.patch("/events/{event_id}", response=EventOut)
def update_event(request, event_id: int, payload: EventPatch):
    event = selectors.event(actor=request.auth, pk=event_id)
    services.event_update(actor=request.auth, event=event, **payload.dict(exclude_unset=True))
    return selectors.event(actor=request.auth, pk=event_id)


@router.post("/events/{event_id}/cancel", response=EventOut)
def cancel_event(request, event_id: int, payload: EventCancelIn):
    event = selectors.event(actor=request.auth, pk=event_id)
    services.event_cancel(actor=request.auth, event=event, reason=payload.reason)
    return selectors.event(actor=request.auth, pk=event_id)


@router.get("/events/{event_id}/ics", response={200: None}, openapi_extra=ICS_RESPONSE)
def event_ics(request, event_id: int):
    event = selectors.event(actor=request.auth, pk=event_id)
    return _ics(ics.calendar([event]), f"event-{event.pk}.ics")


@router.post("/events/{event_id}/registrations", response={201: EventRegistrationOut})
def register(request, event_id: int, payload: EventRegisterIn):
    event = selectors.event(actor=request.auth, pk=event_id)
    specialist = selectors.specialist(actor=request.auth, pk=payload.specialist_id)
    return Status(201, services.register(actor=request.auth, event=event, specialist=specialist))


@router.get("/event-registrations", response=list[EventRegistrationOut])
@paginate(Pagination)
def list_registrations(request, filters: Query[EventRegistrationFilter]):
    org = (identity_selectors.organisation(actor=request.auth, pk=filters.organisation_id)
           if filters.organisation_id is not None else None)  # fmt: skip
    event = selectors.event(actor=request.auth, pk=filters.event_id) if filters.event_id is not None else None
    return selectors.event_registrations(actor=request.auth, event=event, organisation=org)


@router.get("/event-registrations.ics", response={200: None}, openapi_extra=ICS_RESPONSE,
            summary="The events your organisations' staff are registered for, as one calendar")  # fmt: skip
def registrations_ics(request):
    regs = selectors.event_registrations(actor=request.auth, active_only=True)
    events = {r.event_id: r.event for r in regs[:500]}
    return _ics(ics.calendar(events.values(), name="Partnerhub"), "registrations.ics")


@router.post("/event-registrations/{registration_id}/cancel", response=EventRegistrationOut)
def cancel_registration(request, registration_id: int):
    reg = selectors.event_registration(actor=request.auth, pk=registration_id)
    return services.cancel_registration(actor=request.auth, registration=reg)


@router.post("/event-registrations/{registration_id}/attendance", response=EventRegistrationOut)
def mark_attendance(request, registration_id: int, payload: EventAttendanceIn):
    reg = selectors.event_registration(actor=request.auth, pk=registration_id)
    return services.mark_attendance(actor=request.auth, registration=reg, attended=payload.attended)
