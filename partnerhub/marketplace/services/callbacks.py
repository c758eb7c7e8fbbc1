"""A vendor's callback on a provisioning request: a hint that its operation finished, never trusted.

The body the vendor posts is not read for the outcome: a valid callback only makes the request due
now (and sends it to the worker), which GETs the operation's status URL and records what the vendor's
API says there. A callback that arrives while the worker is still waiting for the vendor's 202 answer
is remembered (``callback_at``): the worker then polls at once instead of after the poll interval.
Repeated callbacks change nothing more; a callback for a finished request is accepted and ignored.
"""

from __future__ import annotations

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from partnerhub.core import audit

from ..choices import ProvisioningMode
from ..models import ProvisioningRequest
from ..provisioning import callbacks
from .provisioning import DUE, send_after_commit


@transaction.atomic
def callback_receive(*, request_id: int, token: str) -> bool:
    """Wake the request the callback URL names; True when it was woken. A wrong token or id is a 404."""
    req = (
        ProvisioningRequest.objects.select_for_update(of=("self",))
        .select_related("subscription__vendor")
        .filter(pk=request_id, mode=ProvisioningMode.API)
        .first()
    )
    if req is None or not callbacks.is_valid(req.pk, req.idempotency_key, token):
        raise Http404
    if req.status not in DUE:  # finished (approved, failed, revoked): nothing to confirm
        return False
    now = timezone.now()
    first = req.callback_at is None
    req.callback_at = now
    wake = bool(req.operation_url) and (req.next_attempt_at is None or req.next_attempt_at > now)
    if wake:
        req.next_attempt_at = now
    req.save(update_fields=["callback_at", "next_attempt_at", "updated_at"])
    if first:
        audit.record(actor=None, action="provisioning.callback_received", obj=req,
                     organisation=req.subscription.vendor, after={"woken": wake})  # fmt: skip
    if wake:
        send_after_commit(req.pk)
    return wake
