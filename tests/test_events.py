"""Events: the calendar, registration with capacity, attendance counting toward a course, .ics files."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from partnerhub.core.models import Notification
from partnerhub.core.problems import Conflict
from partnerhub.enablement import ics, services
from partnerhub.enablement.models import EventRegistration, LessonProgress

from .enablement_builders import course, event, past_event, specialist_for

pytestmark = pytest.mark.django_db


def test_an_event_needs_a_web_join_address_or_an_address_and_an_end_after_its_start(world):
    start = timezone.now() + timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        services.event_create(actor=world.vendor_admin, title="W", starts_at=start, ends_at=start,
                              join_url="javascript:alert(1)")  # fmt: skip
    assert {"join_url", "ends_at"} <= set(exc.value.error_dict)
    with pytest.raises(ValidationError) as exc:
        services.event_create(actor=world.vendor_admin, title="S", format="onsite", starts_at=start,
                              ends_at=start + timedelta(hours=2), timezone="Mars/Olympus")  # fmt: skip
    assert {"address", "timezone"} <= set(exc.value.error_dict)
    naive = datetime(2030, 5, 1, 10, 0)
    e = services.event_create(actor=world.vendor_admin, title="S", format="onsite", address="Москва, Тверская, 1",
                              starts_at=naive, ends_at=naive + timedelta(hours=2),
                              timezone="Asia/Yekaterinburg")  # fmt: skip
    assert e.starts_at == datetime(2030, 5, 1, 5, 0, tzinfo=UTC)  # 10:00 in Yekaterinburg (UTC+5)


def test_a_partner_cannot_schedule_events(world):
    start = timezone.now() + timedelta(days=1)
    with pytest.raises(Exception) as exc:
        services.event_create(actor=world.a_admin, title="W", starts_at=start, ends_at=start + timedelta(hours=1),
                              join_url="https://x.example")  # fmt: skip
    assert exc.type.__name__ in ("PermissionDenied", "Http404")


def test_capacity_refuses_the_registration_past_the_last_place_and_a_cancellation_frees_it(world):
    e = event(capacity=1)
    a = specialist_for(world.a_admin, world.partner_a, "A one")
    b = specialist_for(world.b_admin, world.partner_b, "B one")
    reg = services.register(actor=world.a_admin, event=e, specialist=a)
    assert services.register(actor=world.a_admin, event=e, specialist=a) == reg  # again: the same registration
    with pytest.raises(Conflict) as exc:
        services.register(actor=world.b_admin, event=e, specialist=b)
    assert "1" in exc.value.detail
    services.cancel_registration(actor=world.a_admin, registration=reg)
    assert services.register(actor=world.b_admin, event=e, specialist=b).status == "registered"


def test_a_partner_registers_only_its_own_staff_and_not_for_a_cancelled_or_finished_event(world):
    from django.http import Http404

    b = specialist_for(world.b_admin, world.partner_b, "B one")
    e = event()
    with pytest.raises(Http404):
        services.register(actor=world.a_admin, event=e, specialist=b)
    services.event_cancel(actor=world.vendor_admin, event=e, reason="speaker ill")
    with pytest.raises(Conflict):
        services.register(actor=world.b_admin, event=e, specialist=b)
    with pytest.raises(Conflict):
        services.register(actor=world.b_admin, event=past_event(), specialist=b)


def test_registrants_are_told_of_a_change_and_a_cancellation(world):
    e = event()
    a = specialist_for(world.a_admin, world.partner_a, "A one")
    services.register(actor=world.a_admin, event=e, specialist=a)
    services.event_update(actor=world.vendor_admin, event=e, starts_at=e.starts_at + timedelta(days=1),
                          ends_at=e.ends_at + timedelta(days=1))  # fmt: skip
    services.event_cancel(actor=world.vendor_admin, event=e, reason="speaker ill")
    kinds = list(Notification.objects.filter(user=world.a_admin).values_list("kind", flat=True).order_by("id"))
    assert kinds == ["event.changed", "event.cancelled"]
    e.refresh_from_db()
    assert e.sequence == 2


def test_attendance_completes_the_linked_lesson_and_the_recording_is_linked_afterwards(world):
    c = course("webinar-course", lessons=1)
    lesson = c.lessons.get()
    e = past_event(lesson_id=lesson.pk)
    a = specialist_for(world.a_admin, world.partner_a, "A one")
    reg = EventRegistration.objects.create(event=e, specialist=a, registered_at=timezone.now())
    with pytest.raises(Exception) as exc:
        services.mark_attendance(actor=world.a_admin, registration=reg)
    assert exc.type.__name__ in ("PermissionDenied", "Http404")
    services.mark_attendance(actor=world.vendor_admin, registration=reg)
    progress = LessonProgress.objects.get(lesson=lesson)
    assert progress.enrolment.specialist == a and progress.enrolment.completed_at is not None
    services.event_update(actor=world.vendor_admin, event=e, recording_url="https://video.example/rec")
    assert Notification.objects.filter(user=world.a_admin, kind="event.recording").exists()
    with pytest.raises(ValidationError):
        services.event_update(actor=world.vendor_admin, event=e, recording_url="ftp://video.example/rec")


def test_attendance_cannot_be_marked_before_the_event_starts(world):
    e = event()
    a = specialist_for(world.a_admin, world.partner_a, "A one")
    reg = services.register(actor=world.a_admin, event=e, specialist=a)
    with pytest.raises(Conflict):
        services.mark_attendance(actor=world.vendor_admin, registration=reg)


def _unfold(body: str) -> list[str]:
    return body.replace("\r\n ", "").split("\r\n")


def test_the_ics_file_is_valid_icalendar(world):
    title = "Вебинар; новинки, релиз\\2 " + "очень длинное название " * 5
    e = event(title, description="Строка 1\nСтрока 2")
    raw = ics.calendar([e])
    body = raw.decode("utf-8")
    assert body.endswith("\r\n") and "\n" not in body.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    lines = _unfold(body)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR" and lines[-1] == ""
    assert "VERSION:2.0" in lines and any(line.startswith("PRODID:") for line in lines)
    assert lines.count("BEGIN:VEVENT") == 1 and lines.count("END:VEVENT") == 1
    props = dict(line.split(":", 1) for line in lines if ":" in line)
    assert props["UID"] == ics.uid(e) and "@" in props["UID"]
    assert re.fullmatch(r"\d{8}T\d{6}Z", props["DTSTAMP"])
    assert props["DTSTART"] == e.starts_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    assert props["DTEND"] == e.ends_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    assert props["SUMMARY"].startswith("Вебинар\\; новинки\\, релиз\\\\2 ")
    assert props["DESCRIPTION"].startswith("Строка 1\\nСтрока 2")
    assert props["LOCATION"] == "https://meet.example.com/w1" and props["STATUS"] == "CONFIRMED"


def test_a_folded_line_never_splits_a_utf8_character():
    line = "SUMMARY:" + "я" * 100
    folded = ics.fold(line)
    for piece in folded.split("\r\n"):
        piece.encode().decode("utf-8")
        assert len(piece.encode()) <= 75
    assert folded.replace("\r\n ", "") == line


def test_partner_pages_register_and_download_ics(world, ui):
    e = event("Webinar of the quarter", capacity=5)
    specialist_for(world.a_admin, world.partner_a, "A one")
    client = ui(world.a_admin)
    assert "Webinar of the quarter" in client.get("/learn/events/").content.decode()
    r = client.post(f"/learn/events/{e.pk}/", {"specialist_id": ""})
    assert r.status_code == 302 and EventRegistration.objects.filter(event=e, status="registered").count() == 1
    page = client.get(f"/learn/events/{e.pk}/").content.decode()
    assert "https://meet.example.com/w1" in page  # the joining address shown once registered
    one = client.get(f"/learn/events/{e.pk}/ics/")
    assert one.status_code == 200 and one["Content-Type"].startswith("text/calendar")
    mine = client.get("/learn/events/calendar.ics").content.decode()
    assert f"UID:{ics.uid(e)}" in mine.replace("\r\n ", "")
    reg = EventRegistration.objects.get(event=e)
    assert client.post(f"/learn/event-registrations/{reg.pk}/cancel/").status_code == 302
    reg.refresh_from_db()
    assert reg.status == "cancelled"


def test_vendor_console_creates_an_event_and_marks_attendance(world, ui):
    client = ui(world.vendor_admin)
    assert client.get("/enablement/events/").status_code == 200
    r = client.post("/enablement/events/", {"title": "Seminar", "kind": "seminar", "format": "onsite",
                                            "language": "ru", "starts_at": "2030-03-01T10:00",
                                            "ends_at": "2030-03-01T09:00", "timezone": "Europe/Moscow"})  # fmt: skip
    assert r.status_code == 200 and "error" in r.content.decode()  # the end before the start, no address
    r = client.post("/enablement/events/", {"title": "Seminar", "kind": "seminar", "format": "onsite",
                                            "language": "ru", "starts_at": "2030-03-01T10:00",
                                            "ends_at": "2030-03-01T12:00", "timezone": "Europe/Moscow",
                                            "address": "Москва", "capacity": "20", "is_published": "on"})  # fmt: skip
    assert r.status_code == 302
    e = past_event("Done")
    a = specialist_for(world.a_admin, world.partner_a, "A one")
    reg = EventRegistration.objects.create(event=e, specialist=a, registered_at=timezone.now())
    assert client.get(f"/enablement/events/{e.pk}/").status_code == 200
    assert client.post(f"/enablement/event-registrations/{reg.pk}/attendance/", {"attended": "1"}).status_code == 302
    reg.refresh_from_db()
    assert reg.attended_at is not None
    assert ui(world.a_admin).get("/enablement/events/").status_code in (403, 404)


def test_api_registers_lists_and_refuses_overbooking(world, api):
    e = event(capacity=1)
    a = specialist_for(world.a_admin, world.partner_a, "A one")
    b = specialist_for(world.b_admin, world.partner_b, "B one")
    r = api(world.a_admin).post(f"/enablement/events/{e.pk}/registrations", {"specialist_id": a.pk})
    assert r.status_code == 201, r.content
    r = api(world.b_admin).post(f"/enablement/events/{e.pk}/registrations", {"specialist_id": b.pk})
    assert r.status_code == 409 and r["Content-Type"] == "application/problem+json"
    listed = api(world.b_admin).get("/enablement/event-registrations").json()
    assert listed["count"] == 0
    assert api(world.a_admin).get("/enablement/events").json()["items"][0]["places_taken"] == 1
    r = api(world.vendor_admin).post("/enablement/events", {"title": "X", "starts_at": "2030-01-01T10:00:00",
                                                             "ends_at": "2030-01-01T11:00:00",
                                                             "join_url": "file:///etc/passwd"})  # fmt: skip
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "join_url"
    ics_r = api(world.a_admin).get(f"/enablement/events/{e.pk}/ics")
    assert ics_r.status_code == 200 and ics_r.content.startswith(b"BEGIN:VCALENDAR\r\n")
