"""Pages of events: the partner's calendar under Learn, .ics files, and the vendor's event console."""

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partnerhub.core.forms import add_service_errors
from partnerhub.core.pagination import Paginator
from partnerhub.core.problems import Problem
from partnerhub.identity.roles import Perm
from partnerhub.identity.services import has_perm

from . import ics, selectors, services
from .forms import EventForm, EventRegisterForm
from .models import Event, EventStatus, Lesson
from .views_training import _home_org


def _ics_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=ics.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def events_page(request: HttpRequest) -> HttpResponse:
    org = _home_org(request)
    upcoming = Paginator(selectors.events(actor=request.user, when="upcoming"), 20).get_page(request.GET.get("page"))
    ctx = {
        "org": org, "page": upcoming,
        "past": selectors.events(actor=request.user, when="past")[:20],
        "registrations": selectors.event_registrations(actor=request.user, organisation=org,
                                                       active_only=True)[:50] if org else [],
    }  # fmt: skip
    return render(request, "enablement/events.html", ctx)


@login_required
def event_page(request: HttpRequest, event_id: int) -> HttpResponse:
    event = selectors.event(actor=request.user, pk=event_id)
    org = _home_org(request)
    is_admin = org is not None and has_perm(actor=request.user, perm=Perm.ORG_CHANGE, organisation=org)
    specialists = selectors.specialists(actor=request.user, organisation=org) if is_admin else []
    form = EventRegisterForm(request.POST or None, specialists=specialists)
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["specialist_id"]
        specialist = (selectors.specialist(actor=request.user, pk=chosen) if chosen
                      else selectors.my_specialist(actor=request.user, organisation=org))  # fmt: skip
        if specialist is None:
            messages.error(request, _("You are not listed as a specialist of your organisation."))
            return redirect("learn-event", event_id=event.pk)
        try:
            services.register(actor=request.user, event=event, specialist=specialist)
        except Problem as exc:
            messages.error(request, exc.detail)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Registered."))
        return redirect("learn-event", event_id=event.pk)
    zone = ZoneInfo(event.timezone)
    ctx = {"event": event, "form": form, "org": org, "is_admin": is_admin,
           "local_start": timezone.localtime(event.starts_at, zone),
           "local_end": timezone.localtime(event.ends_at, zone),
           "registrations": selectors.event_registrations(actor=request.user, event=event, organisation=org,
                                                          active_only=True) if org else [],
           "open": event.status == EventStatus.SCHEDULED and event.ends_at > timezone.now()}  # fmt: skip
    return render(request, "enablement/event.html", ctx)


@login_required
def event_ics(request: HttpRequest, event_id: int) -> HttpResponse:
    event = selectors.event(actor=request.user, pk=event_id)
    return _ics_response(ics.calendar([event]), f"event-{event.pk}.ics")


@login_required
def registrations_ics(request: HttpRequest) -> HttpResponse:
    org = _home_org(request)
    regs = selectors.event_registrations(actor=request.user, organisation=org, active_only=True) if org else []
    events = {r.event_id: r.event for r in regs[:500]}
    return _ics_response(ics.calendar(events.values(), name="Partnerhub"), "registrations.ics")


@login_required
@require_POST
def registration_cancel(request: HttpRequest, registration_id: int) -> HttpResponse:
    reg = selectors.event_registration(actor=request.user, pk=registration_id)
    try:
        services.cancel_registration(actor=request.user, registration=reg)
    except Problem as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Registration cancelled."))
    return redirect("learn-event", event_id=reg.event_id)


# ------------------------------------------------------------------ the vendor's console


def _wall_clock(data: dict) -> dict:
    """The form's times as typed (no offset): the service reads them in the event's time zone."""
    for name in ("starts_at", "ends_at"):
        if data.get(name):
            data[name] = timezone.localtime(data[name]).replace(tzinfo=None)
    return data


def _lessons():
    return Lesson.objects.select_related("course").order_by("course__title", "position", "id")[:500]


@login_required
def event_console(request: HttpRequest) -> HttpResponse:
    services.require_author(request.user)
    form = EventForm(request.POST or None, lessons=_lessons())
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_create(actor=request.user, **_wall_clock(dict(form.cleaned_data)))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Event created."))
            return redirect("event-edit", event_id=event.pk)
    page = Paginator(selectors.events(actor=request.user).order_by("-starts_at", "-id"), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "enablement/console_events.html", {"page": page, "form": form})


def _initial(event: Event) -> dict:
    zone = ZoneInfo(event.timezone)
    data = {f: getattr(event, f) for f in services.events.EVENT_FIELDS}
    for name in ("starts_at", "ends_at"):
        data[name] = timezone.localtime(data[name], zone).replace(tzinfo=None).strftime("%Y-%m-%dT%H:%M")
    return data


@login_required
def event_edit(request: HttpRequest, event_id: int) -> HttpResponse:
    event = selectors.event(actor=request.user, pk=event_id)
    services.require_author(request.user)
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "cancel":
        services.event_cancel(actor=request.user, event=event, reason=request.POST.get("reason", "")[:500])
        messages.success(request, _("Event cancelled."))
        return redirect("event-edit", event_id=event.pk)
    form = EventForm(request.POST if action == "save" else None, initial=_initial(event), lessons=_lessons())
    if action == "save" and form.is_valid():
        try:
            services.event_update(actor=request.user, event=event, **_wall_clock(dict(form.cleaned_data)))
        except ValidationError as exc:
            add_service_errors(form, exc)
        except Problem as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(request, _("Saved."))
            return redirect("event-edit", event_id=event.pk)
    regs = Paginator(selectors.event_registrations(actor=request.user, event=event), 100).get_page(
        request.GET.get("page")
    )
    return render(request, "enablement/console_event.html", {"event": event, "form": form, "page": regs,
                                                             "started": event.starts_at <= timezone.now()})  # fmt: skip


@login_required
@require_POST
def attendance(request: HttpRequest, registration_id: int) -> HttpResponse:
    reg = selectors.event_registration(actor=request.user, pk=registration_id)
    try:
        services.mark_attendance(actor=request.user, registration=reg, attended=request.POST.get("attended") == "1")
    except Problem as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Attendance saved."))
    return redirect("event-edit", event_id=reg.event_id)
