"""Reward periods: months (quarters derived from them) and the lock of closed ones.

A month is open until finance closes it (a ``RewardPeriod`` row); months close in order, so everything up
to the end of the last closed month is locked. A posting dated in a locked month lands on the first day
after the last closed month (:func:`open_date`): a correction or reversal of a sale in a closed month is
posted in the open one and the closed statement stays as it was.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.http import Http404

from .models import RewardPeriod


def month_start(on: date) -> date:
    return on.replace(day=1)


def next_month(start: date) -> date:
    return date(start.year + (start.month == 12), start.month % 12 + 1, 1)


def month_end(start: date) -> date:
    return next_month(start) - timedelta(days=1)


def parse_month(period: str) -> date:
    """``YYYY-MM`` to the month's first day; anything else is a 404 (it is part of a path)."""
    try:
        if len(period) != 7:
            raise ValueError
        return date.fromisoformat(f"{period}-01")
    except ValueError:
        raise Http404 from None


def label(start: date) -> str:
    return start.strftime("%Y-%m")


def quarter_of(start: date) -> str:
    return f"{start.year}-Q{(start.month - 1) // 3 + 1}"


def last_closed() -> date | None:
    """The first day of the last closed month, or None."""
    return RewardPeriod.objects.order_by("-month").values_list("month", flat=True).first()


def locked_through() -> date | None:
    last = last_closed()
    return month_end(last) if last else None


def open_date(on: date) -> date:
    """The date a posting dated ``on`` is entered under: ``on`` itself, or the first open day after the lock."""
    locked = locked_through()
    if locked is not None and on <= locked:
        return locked + timedelta(days=1)
    return on
