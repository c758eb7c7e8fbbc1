"""Celery wrappers of the enablement context's jobs (plain idempotent services underneath)."""

from datetime import date

from celery import shared_task

from .services import sweep_certifications


@shared_task(name="enablement.sweep_certifications")
def sweep_certifications_daily(on: str | None = None) -> dict:
    """Remind before expiry and announce expiries; safe to run more than once a day."""
    return sweep_certifications(on=date.fromisoformat(on) if on else None)
