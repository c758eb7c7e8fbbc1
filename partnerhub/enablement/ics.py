"""Events as iCalendar (RFC 5545), written by hand: the standard library has no writer and the format is small.

What a calendar needs and what is easy to get wrong: CRLF line ends; lines folded at 75 octets (never
inside a UTF-8 character) with a space starting each continuation; TEXT values with backslash,
semicolon, comma and new lines escaped; a stable UID per event; DTSTAMP; times in UTC (the ``Z`` form);
SEQUENCE raised on every change and STATUS:CANCELLED for a cancelled event, so a calendar that
imported the file before updates its copy.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from .models import Event, EventFormat, EventStatus

PRODID = "-//Partnerhub//Events//RU"


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma escaped; any line break as ``\\n``."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """``line`` folded into pieces of at most 75 octets (RFC 5545 §3.1), joined by CRLF and a space."""
    raw = line.encode()
    if len(raw) <= 75:
        return line
    parts, start, limit = [], 0, 75
    while start < len(raw):
        end = min(start + limit, len(raw))
        while end < len(raw) and (raw[end] & 0xC0) == 0x80:  # never split a UTF-8 sequence
            end -= 1
        parts.append(raw[start:end].decode())
        start, limit = end, 74  # a continuation line starts with a space
    return "\r\n ".join(parts)


def utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def uid(event: Event) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "partnerhub"
    return f"event-{event.pk}@{host}"


def _vevent(event: Event, stamp: datetime) -> list[str]:
    url = f"{settings.SITE_URL}{reverse('learn-event', args=[event.pk])}"
    description = event.description
    if event.format == EventFormat.ONLINE and event.join_url:
        description = f"{description}\n\n{event.join_url}".strip()
    lines = [
        "BEGIN:VEVENT",
        f"UID:{uid(event)}",
        f"DTSTAMP:{utc(stamp)}",
        f"DTSTART:{utc(event.starts_at)}",
        f"DTEND:{utc(event.ends_at)}",
        f"SEQUENCE:{event.sequence}",
        f"SUMMARY:{escape_text(event.title)}",
        f"STATUS:{'CANCELLED' if event.status == EventStatus.CANCELLED else 'CONFIRMED'}",
        f"URL:{url}",
    ]
    if description:
        lines.append(f"DESCRIPTION:{escape_text(description)}")
    location = event.address if event.format == EventFormat.ONSITE else event.join_url
    if location:
        lines.append(f"LOCATION:{escape_text(location)}")
    lines.append("END:VEVENT")
    return lines


def calendar(events: Iterable[Event], *, name: str = "") -> bytes:
    """An iCalendar file (``text/calendar``) with one VEVENT per event."""
    stamp = timezone.now()
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
    if name:
        lines.append(f"X-WR-CALNAME:{escape_text(name)}")
    for event in events:
        lines += _vevent(event, stamp)
    lines.append("END:VCALENDAR")
    return ("\r\n".join(fold(line) for line in lines) + "\r\n").encode()


CONTENT_TYPE = "text/calendar; charset=utf-8"
