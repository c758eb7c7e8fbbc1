"""The approval clock's calendar: Russia's production calendar, holidays and moved days included."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from partnerhub.core.workdays import add_working_hours, is_working_day, supported_countries

MSK = ZoneInfo("Europe/Moscow")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=MSK)


@pytest.fixture(autouse=True)
def _moscow(settings):
    settings.TIME_ZONE = "Europe/Moscow"


def test_weekends_do_not_count():
    assert add_working_hours(at(2026, 11, 20, 15), 24) == at(2026, 11, 23, 15)  # Friday → Monday
    assert add_working_hours(at(2026, 11, 21, 10), 24) == at(2026, 11, 24, 0)  # from a Saturday


def test_the_new_year_holidays_stop_the_clock():
    # 31 December 2025 is a day off (moved from 5 January); 1–8 January are holidays, 9 January is a day off
    # moved from Saturday 3 January, then the weekend: the clock resumes on Monday 12 January.
    assert [is_working_day(date(2026, 1, d)) for d in (2, 9, 12)] == [False, False, True]
    assert not is_working_day(date(2025, 12, 31))
    assert add_working_hours(at(2025, 12, 30, 15), 24) == at(2026, 1, 12, 15)


def test_the_may_holidays_stop_the_clock():
    # 2025: 1–4 May (2 May moved from 4 January) and 8–11 May (8 May moved from 23 February, 9 May Victory Day).
    assert add_working_hours(at(2025, 4, 30, 15), 24) == at(2025, 5, 5, 15)
    assert add_working_hours(at(2025, 5, 7, 12), 24) == at(2025, 5, 12, 12)


def test_a_transferred_working_saturday_counts():
    # Saturday 1 November 2025 was a working day (its day off moved to Monday 3 November; 4 November is a holiday).
    assert is_working_day(date(2025, 11, 1)) and not is_working_day(date(2025, 11, 3))
    assert add_working_hours(at(2025, 10, 31, 15), 24) == at(2025, 11, 1, 15)
    assert add_working_hours(at(2025, 10, 31, 15), 48) == at(2025, 11, 5, 15)


def test_the_calendar_is_per_country():
    assert "RU" in supported_countries() and "KZ" in supported_countries()
    assert is_working_day(date(2026, 1, 5), country="DE") and not is_working_day(date(2026, 1, 5), country="RU")
