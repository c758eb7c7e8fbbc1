"""Celery wrappers of the webhook jobs (plain idempotent services underneath)."""

from celery import shared_task

from . import services


@shared_task(name="webhooks.deliver_due")
def deliver_due() -> dict[str, int]:
    """Every minute: attempt each delivery whose (next) attempt is due. Safe to run concurrently."""
    return services.deliver_due_webhooks()


@shared_task(name="webhooks.send_deliveries")
def send_deliveries(delivery_ids: list[int]) -> dict[str, int]:
    """Right after a publishing transaction commits: attempt its deliveries (skips any no longer due)."""
    return services.send_deliveries(delivery_ids=delivery_ids)
