"""Working days by a country's production calendar.

The calendar comes from the ``holidays`` package (python-holidays): public holidays, the days off
moved by government decree (the New Year and May holidays) and the weekend days made working
days in exchange (``weekend_workdays``: a working Saturday). Its releases carry each year's
decree once it is published, so keeping the package up to date keeps the calendar right.
A programme version names its country (``deal_registration.calendar``, default ``RU``).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays
from django.utils import timezone

DEFAULT_COUNTRY = "RU"


@lru_cache(maxsize=8)
def supported_countries() -> frozenset[str]:
    return frozenset(holidays.list_supported_countries())


@lru_cache(maxsize=16)
def _calendar(country: str) -> holidays.HolidayBase:
    # Years are filled in on first use (expand=True), so one object serves every year.
    return holidays.country_holidays(country)


def is_working_day(day: date, *, country: str = DEFAULT_COUNTRY) -> bool:
    """Not a weekend day (unless made a working day), not a public holiday, not a day off moved there."""
    return _calendar(country).is_working_day(day)


def add_working_hours(start: datetime, hours: int, *, country: str = DEFAULT_COUNTRY) -> datetime:
    """``start`` plus ``hours`` counted on working days only, in the local time zone.

    Hours run round the clock on a working day; a day that is not a working day does not count.
    """
    at = timezone.localtime(start)
    remaining = timedelta(hours=hours)
    while remaining > timedelta(0):
        day_start = at.replace(hour=0, minute=0, second=0, microsecond=0)
        next_day = timezone.make_aware(datetime.combine(day_start.date() + timedelta(days=1), datetime.min.time()))
        if not is_working_day(at.date(), country=country):
            at = next_day
            continue
        step = min(remaining, next_day - at)
        at += step
        remaining -= step
    return at
