"""Celery wrappers of the marketplace's jobs (plain idempotent services underneath)."""

from celery import shared_task

from .services import provisioning


@shared_task(name="marketplace.provision_request")
def provision_request(request_id: int) -> str | None:
    """Right after an order or a change commits: send its provisioning request (skipped if no longer due)."""
    return provisioning.process_request(request_id)


@shared_task(name="marketplace.provision_due")
def provision_due() -> dict:
    """Every minute: the requests whose (next) attempt is due, retries and polls. Safe to run concurrently."""
    return provisioning.process_due()


@shared_task(name="marketplace.escalate_manual")
def escalate_manual() -> int:
    """Every quarter of an hour: manual requests past their service-level target escalate."""
    return provisioning.escalate_manual()
