"""Celery wrappers of the partners context's jobs (plain idempotent services underneath)."""

from datetime import date

from celery import shared_task

from .tiers import evaluate_all


@shared_task(name="partners.evaluate_tiers_daily")
def evaluate_tiers_daily(on: str | None = None) -> list[dict]:
    """Re-evaluate every partner of every programme; safe to run more than once a day."""
    day = date.fromisoformat(on) if on else None
    return [vars(s) | {"on": s.on.isoformat()} for s in evaluate_all(on=day)]
