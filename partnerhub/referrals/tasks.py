"""Celery wrappers of the referrals context's jobs (plain idempotent services underneath)."""

from celery import shared_task

from .services import settle_attributions


@shared_task(name="referrals.settle_attributions")
def settle_attributions_job() -> dict[str, int]:
    """Confirm or end attributions whose claim was decided; end those whose window is over."""
    return settle_attributions()
