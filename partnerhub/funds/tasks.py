"""Celery wrappers of the development funds' jobs (idempotent services underneath)."""

from datetime import date

from celery import shared_task

from .models import PeriodKind
from .services import close_expired, grant_from_tiers


@shared_task(name="funds.daily")
def funds_daily(on: str | None = None) -> dict:
    """Grant this quarter's and year's budgets from tier allowances, then close budgets whose period ended."""
    day = date.fromisoformat(on) if on else None
    granted = sum(len(grant_from_tiers(period_kind=k, on=day)) for k in PeriodKind.values)
    closed = close_expired(on=day)
    return {"granted": granted, "closed": len(closed)}
