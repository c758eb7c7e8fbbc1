"""Celery wrappers of the support jobs (idempotent services underneath)."""

from celery import shared_task

from .services import mark_breaches


@shared_task(name="support.mark_breaches")
def support_mark_breaches() -> dict:
    """Stamp and announce the requests whose first response or resolution target has just been missed."""
    return {"marked": len(mark_breaches())}
