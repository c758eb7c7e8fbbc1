"""Celery wrappers of the leads context's jobs (plain idempotent services underneath)."""

from celery import shared_task

from . import services


@shared_task(name="leads.expire_offers")
def expire_lead_offers() -> dict:
    """Expire lead offers past their answer time and route each lead on. Safe to repeat."""
    return services.expire_lead_offers()
