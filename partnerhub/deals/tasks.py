"""Celery wrappers of the deals context's jobs (plain idempotent services underneath)."""

from dataclasses import asdict

from celery import shared_task

from . import services


@shared_task(name="deals.sweep_protection")
def sweep_protection() -> dict:
    """Warn, flag and lapse deals without movement; escalate overdue approvals. Safe to repeat."""
    return asdict(services.sweep_protection())


@shared_task(name="deals.escalate_overdue")
def escalate_overdue() -> int:
    return services.escalate_overdue()
