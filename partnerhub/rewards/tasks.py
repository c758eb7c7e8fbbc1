"""Celery wrappers of the rewards context's jobs (idempotent services underneath)."""

from celery import shared_task

from .services.rating import rate_pending


@shared_task(name="rewards.rate_pending")
def rate_pending_sales() -> dict:
    """Rate every active sale without a current rating and post the accruals; safe to run at any time."""
    run = rate_pending(actor=None)
    return {"rated": run.rated, "issues": run.issues, "entries": run.entries,
            "totals": {c: str(v) for c, v in run.totals.items()}}  # fmt: skip
