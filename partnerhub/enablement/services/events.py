"""Writes of events: the vendor schedules, changes, cancels them and marks attendance; partner staff register.

Capacity holds under concurrency: a registration locks the event row (``SELECT … FOR UPDATE``) before
it counts the places taken, so two registrations for the last place are serialised and the second is
refused. Registrants are notified when an event's time or place changes, when it is cancelled and
when its recording is linked. Attending an event linked to a lesson completes that lesson for the
specialist (enrolling them in the course if needed).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerhub.core import audit
from partnerhub.core.notify import notify
from partnerhub.core.problems import Conflict
from partnerhub.core.validators import clean_web_url
from partnerhub.identity.models import User

from ..models import (
    CourseEnrolment,
    Event,
    EventFormat,
    EventRegistration,
    EventStatus,
    Lesson,
    RegistrationStatus,
    Specialist,
)  # fmt: skip
from .training import _may_act_for, record_progress, require_author

EVENT_FIELDS = ("title", "kind", "format", "description", "language", "starts_at", "ends_at", "timezone",
                "join_url", "address", "capacity", "lesson_id", "recording_url", "is_published")  # fmt: skip
# A change of these is news to the registrants (their calendars must move).
NEWS_FIELDS = ("starts_at", "ends_at", "format", "join_url", "address", "title")


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _aware(value: datetime | None, zone: ZoneInfo | None) -> datetime | None:
    """A time without an offset is read in the event's time zone."""
    if value is None or zone is None or timezone.is_aware(value):
        return value
    return timezone.make_aware(value, zone)


def _apply(event: Event, values: dict) -> None:
    errors: dict[str, list] = {}
    for name in ("join_url", "recording_url"):
        if name in values:
            try:
                values[name] = clean_web_url(values[name], field=name, max_length=500)
            except ValidationError as exc:
                errors.update(exc.error_dict)
    if "timezone" in values:
        values["timezone"] = (values["timezone"] or "").strip()
        if _zone(values["timezone"]) is None:
            errors["timezone"] = [ValidationError(_("Choose a time zone such as Europe/Moscow."), code="invalid")]
    zone = _zone(values.get("timezone", event.timezone))
    for name in ("starts_at", "ends_at"):
        if name in values:
            values[name] = _aware(values[name], zone)
    if values.get("lesson_id") is not None and not Lesson.objects.filter(pk=values["lesson_id"]).exists():
        errors["lesson_id"] = [ValidationError(_("There is no such lesson."), code="invalid")]
    for key, value in values.items():
        if key not in errors:
            setattr(event, key, value.strip() if isinstance(value, str) else value)
    try:
        event.full_clean(exclude=["lesson", *errors], validate_constraints=False)
    except ValidationError as exc:
        errors.update(exc.error_dict)
    if event.starts_at and event.ends_at and event.ends_at <= event.starts_at and "ends_at" not in errors:
        errors["ends_at"] = [ValidationError(_("The end is before the start."), code="invalid")]
    if event.format == EventFormat.ONLINE and not event.join_url and "join_url" not in errors:
        errors["join_url"] = [ValidationError(_("An online event needs its joining address."), code="required")]
    if event.format == EventFormat.ONSITE and not event.address:
        errors["address"] = [ValidationError(_("An on-site event needs its address."), code="required")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def event_create(*, actor: User | None, title: str, starts_at: datetime, ends_at: datetime, **fields) -> Event:
    if actor is not None:
        require_author(actor)
    unknown = set(fields) - set(EVENT_FIELDS)
    if unknown:
        raise ValidationError({f: [_("This field cannot be changed here.")] for f in sorted(unknown)})
    event = Event()
    _apply(event, {"title": title, "starts_at": starts_at, "ends_at": ends_at, **fields})
    event.save()
    audit.record(actor=actor, action="event.created", obj=event, after=audit.snapshot(event))
    return event


def _registrants(event: Event):
    return (EventRegistration.objects.filter(event=event, status=RegistrationStatus.REGISTERED)
            .select_related("specialist__user", "specialist__organisation"))  # fmt: skip


def _tell_registrants(event: Event, *, kind: str, title: str, body: str = "") -> None:
    url = reverse("learn-event", args=[event.pk])
    for reg in _registrants(event):
        if reg.specialist.user_id:
            notify(users=[reg.specialist.user], organisation=reg.specialist.organisation, kind=kind, title=title,
                   body=body, url=url)  # fmt: skip


@transaction.atomic
def event_update(*, actor: User, event: Event, **changes) -> Event:
    require_author(actor)
    event = Event.objects.select_for_update().get(pk=event.pk)
    unknown = set(changes) - set(EVENT_FIELDS)
    if unknown:
        raise ValidationError({f: [_("This field cannot be changed here.")] for f in sorted(unknown)})
    if event.status == EventStatus.CANCELLED:
        raise Conflict(_("The event is cancelled."))
    before = audit.snapshot(event)
    _apply(event, dict(changes))
    after = audit.snapshot(event)
    if after == before:
        return event
    news = [f for f in NEWS_FIELDS if before.get(f) != after.get(f)]
    if news:
        event.sequence += 1
    event.save()
    audit.record(actor=actor, action="event.updated", obj=event, before=before, after=after)
    when = timezone.localtime(event.starts_at, _zone(event.timezone)).strftime("%d.%m.%Y %H:%M")
    if news:
        _tell_registrants(event, kind="event.changed", title=_("Event changed: %(title)s") % {"title": event.title},
                          body=_("Now: %(when)s (%(zone)s).") % {"when": when, "zone": event.timezone})  # fmt: skip
    if event.recording_url and before.get("recording_url") != event.recording_url:
        _tell_registrants(event, kind="event.recording",
                          title=_("Recording available: %(title)s") % {"title": event.title})  # fmt: skip
    return event


@transaction.atomic
def event_cancel(*, actor: User, event: Event, reason: str = "") -> Event:
    require_author(actor)
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.status == EventStatus.CANCELLED:
        return event
    before = audit.snapshot(event)
    event.status = EventStatus.CANCELLED
    event.sequence += 1
    event.save(update_fields=["status", "sequence", "updated_at"])
    audit.record(actor=actor, action="event.cancelled", obj=event, before=before, after=audit.snapshot(event),
                 reason=reason)  # fmt: skip
    _tell_registrants(event, kind="event.cancelled", title=_("Event cancelled: %(title)s") % {"title": event.title},
                      body=reason)  # fmt: skip
    return event


def places_taken(event: Event) -> int:
    return EventRegistration.objects.filter(event=event, status=RegistrationStatus.REGISTERED).count()


@transaction.atomic
def register(*, actor: User, event: Event, specialist: Specialist) -> EventRegistration:
    """Register ``specialist`` (by themselves or their administrator); registering again returns the registration."""
    specialist = Specialist.objects.select_related("organisation").get_visible_or_404(actor, pk=specialist.pk)
    if not _may_act_for(actor, specialist):
        raise PermissionDenied(_("Only the specialist or their organisation's administrator can register them."))
    event = Event.objects.select_for_update().get(pk=event.pk)  # serialises registrations: no overbooking
    if not event.is_published:
        raise Http404
    if not specialist.is_active:
        raise ValidationError({"specialist_id": [_("This specialist is no longer employed.")]})
    if event.status == EventStatus.CANCELLED:
        raise Conflict(_("The event is cancelled."))
    if event.ends_at <= timezone.now():
        raise Conflict(_("The event is over."))
    reg = EventRegistration.objects.filter(event=event, specialist=specialist).first()
    if reg is not None and reg.status == RegistrationStatus.REGISTERED:
        return reg
    if event.capacity is not None and places_taken(event) >= event.capacity:
        raise Conflict(_("The event is full: all %(n)s places are taken.") % {"n": event.capacity})
    if reg is None:
        reg = EventRegistration(event=event, specialist=specialist)
    reg.status, reg.registered_by, reg.registered_at = RegistrationStatus.REGISTERED, actor, timezone.now()
    reg.save()
    audit.record(actor=actor, action="event.registered", obj=reg, organisation=specialist.organisation,
                 after={"event": event.pk, "specialist": specialist.full_name})  # fmt: skip
    return reg


@transaction.atomic
def cancel_registration(*, actor: User, registration: EventRegistration) -> EventRegistration:
    reg = (EventRegistration.objects.select_for_update().select_related("specialist__organisation", "event")
           .get_visible_or_404(actor, pk=registration.pk))  # fmt: skip
    if not _may_act_for(actor, reg.specialist):
        raise PermissionDenied(_("Only the specialist or their organisation's administrator can cancel this."))
    if reg.status == RegistrationStatus.CANCELLED:
        return reg
    if reg.attended_at is not None:
        raise Conflict(_("The attendance is already marked."))
    reg.status = RegistrationStatus.CANCELLED
    reg.save(update_fields=["status"])
    audit.record(actor=actor, action="event.registration_cancelled", obj=reg, organisation=reg.specialist.organisation,
                 after=audit.snapshot(reg))  # fmt: skip
    return reg


@transaction.atomic
def mark_attendance(*, actor: User, registration: EventRegistration, attended: bool = True) -> EventRegistration:
    """The vendor marks (or unmarks) a registrant's attendance; attending completes the event's lesson."""
    require_author(actor)
    related = ("specialist__organisation", "event__lesson")
    reg = EventRegistration.objects.select_for_update(of=("self",)).select_related(*related).get(pk=registration.pk)
    if reg.status != RegistrationStatus.REGISTERED:
        raise Conflict(_("The registration is cancelled."))
    if reg.event.starts_at > timezone.now():
        raise Conflict(_("The event has not started yet."))
    if attended == (reg.attended_at is not None):
        return reg
    before = audit.snapshot(reg)
    reg.attended_at = timezone.now() if attended else None
    reg.save(update_fields=["attended_at"])
    audit.record(actor=actor, action="event.attendance", obj=reg, organisation=reg.specialist.organisation,
                 before=before, after=audit.snapshot(reg))  # fmt: skip
    lesson = reg.event.lesson
    if attended and lesson is not None:
        enrolment, _created = CourseEnrolment.objects.get_or_create(
            course_id=lesson.course_id, specialist=reg.specialist, defaults={"enrolled_by": actor}
        )
        enrolment = CourseEnrolment.objects.select_for_update().select_related("course").get(pk=enrolment.pk)
        record_progress(actor=actor, enrolment=enrolment, lesson=lesson)
    return reg
