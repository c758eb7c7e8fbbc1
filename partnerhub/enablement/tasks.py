"""Celery wrappers of the enablement context's jobs (plain idempotent services underneath)."""

from datetime import date

from celery import shared_task

from .services import close_expired_attempts, sweep_certifications


@shared_task(name="enablement.sweep_certifications")
def sweep_certifications_daily(on: str | None = None) -> dict:
    """Remind before expiry, announce expiries, close attempts whose time ran out; safe to run more than once."""
    done = sweep_certifications(on=date.fromisoformat(on) if on else None)
    return done | {"attempts_closed": close_expired_attempts()}
