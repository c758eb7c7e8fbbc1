"""Writes of the webhooks context: endpoints, publishing events and delivering them.

Other contexts call :func:`publish_event` inside their own transaction. It writes one
delivery per receiving endpoint and, once that transaction commits, hands them to the
``webhooks.send_deliveries`` task; nothing is sent for work that is rolled back. A delivery
that fails is retried with backoff by the every-minute job :func:`deliver_due_webhooks`.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerhub.core import audit
from partnerhub.core.jobs import enqueue
from partnerhub.core.notify import notify
from partnerhub.identity.models import Organisation, User
from partnerhub.identity.roles import ORG_ADMIN_ROLES, OrgKind

from . import sending, signing
from .events import EVENT_TYPES, TEST_EVENT, WILDCARD
from .models import WebhookDelivery, WebhookEndpoint
from .permissions import require_manage

logger = logging.getLogger(__name__)

EDITABLE_FIELDS = ("url", "description", "event_types", "is_active")
DUE_STATUSES = (WebhookDelivery.Status.PENDING, WebhookDelivery.Status.FAILED)
# How long a claimed delivery stays out of other workers' reach while it is being sent (then it is retried).
LEASE = timedelta(seconds=settings.WEBHOOKS_CLAIM_LEASE_SECONDS)
USER_AGENT = "Partnerhub-Webhooks/1"


def retry_delays() -> list[timedelta]:
    """The waits before the 2nd, 3rd, … attempt; after the last one a delivery is given up."""
    return [timedelta(seconds=int(s)) for s in settings.WEBHOOKS_RETRY_DELAYS]


# ------------------------------------------------------------------------------- endpoints


def clean_event_types(value: Any) -> list[str]:
    if value is None or isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise ValidationError(_("Give a list of event types."), code="invalid")
    names = [str(v).strip() for v in value]
    unknown = [n for n in names if n != WILDCARD and n not in EVENT_TYPES]
    if unknown:
        raise ValidationError(
            _("Unknown event type: %(names)s."), code="unknown_event_type", params={"names": ", ".join(unknown)}
        )
    if not names:
        raise ValidationError(_("Choose at least one event type."), code="required")
    if WILDCARD in names:
        return [WILDCARD]
    return [n for n in EVENT_TYPES if n in names]  # the registry's order, without repeats


def _apply(ep: WebhookEndpoint, changes: Mapping[str, Any]) -> None:
    """Set the editable fields from ``changes``; a ValidationError names every bad field."""
    errors: dict[str, list[ValidationError]] = {}
    unknown = set(changes) - set(EDITABLE_FIELDS)
    for name in sorted(unknown):
        errors[name] = [ValidationError(_("This field cannot be changed here."), code="read_only")]
    for name, value in changes.items():
        try:
            if name == "url":
                ep.url = sending.validate_url(value or "")
            elif name == "description":
                ep.description = (value or "").strip()
                if len(ep.description) > 200:
                    raise ValidationError(_("200 characters at most."), code="max_length")
            elif name == "event_types":
                ep.event_types = clean_event_types(value)
            elif name == "is_active":
                if value is None:
                    raise ValidationError(_("This field cannot be empty."), code="null")
                ep.is_active = bool(value)
        except ValidationError as exc:
            errors.setdefault(name, []).extend(exc.error_list)
    if errors:
        raise ValidationError(errors)


def _lock(endpoint: WebhookEndpoint) -> WebhookEndpoint:
    ep = (
        WebhookEndpoint.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .filter(pk=endpoint.pk, deleted_at__isnull=True)
        .first()
    )
    if ep is None:
        raise Http404
    return ep


def _set_secret(ep: WebhookEndpoint) -> str:
    secret = signing.new_secret()
    ep.secret = secret
    ep.secret_hint = secret[: len(signing.SECRET_PREFIX) + 4]
    return secret


@transaction.atomic
def endpoint_create(
    *, actor: User, organisation: Organisation, url: str, event_types: list[str], description: str = "",
    is_active: bool = True,
) -> tuple[WebhookEndpoint, str]:  # fmt: skip
    """A new endpoint and its secret, which is shown to the caller this once."""
    require_manage(actor=actor, organisation=organisation)
    errors: dict[str, list] = {}
    if organisation.kind not in (OrgKind.PARTNER, OrgKind.VENDOR):
        errors["organisation_id"] = [
            ValidationError(_("Only partners and the vendor can receive webhooks."), code="invalid_organisation")
        ]
    limit = settings.WEBHOOKS_MAX_ENDPOINTS_PER_ORGANISATION
    if WebhookEndpoint.objects.filter(organisation=organisation, deleted_at__isnull=True).count() >= limit:
        errors["__all__"] = [
            ValidationError(
                _("An organisation can have at most %(n)d endpoints."), code="too_many", params={"n": limit}
            )
        ]
    creator = actor if getattr(actor, "is_authenticated", False) else None
    ep = WebhookEndpoint(organisation=organisation, created_by=creator)
    try:
        _apply(ep, {"url": url, "description": description, "event_types": event_types, "is_active": is_active})
    except ValidationError as exc:
        errors.update(exc.error_dict)
    if errors:
        raise ValidationError(errors)
    secret = _set_secret(ep)
    ep.save()
    audit.record(actor=actor, action="webhook.endpoint_created", obj=ep, organisation=organisation,
                 after=audit.snapshot(ep))  # fmt: skip
    ep.shown_secret = secret
    return ep, secret


@transaction.atomic
def endpoint_update(*, actor: User, endpoint: WebhookEndpoint, **changes) -> WebhookEndpoint:
    ep = _lock(endpoint)
    require_manage(actor=actor, organisation=ep.organisation)
    before = audit.snapshot(ep)
    _apply(ep, changes)
    if audit.snapshot(ep) == before:
        return ep
    if ep.is_active and not before["is_active"]:
        ep.disabled_reason = ""
        ep.consecutive_dead = 0
    ep.save()
    audit.record(actor=actor, action="webhook.endpoint_updated", obj=ep, organisation=ep.organisation,
                 before=before, after=audit.snapshot(ep))  # fmt: skip
    return ep


@transaction.atomic
def endpoint_delete(*, actor: User, endpoint: WebhookEndpoint) -> None:
    """Mark the endpoint deleted; its deliveries stay in the log, the waiting ones are given up."""
    ep = _lock(endpoint)
    require_manage(actor=actor, organisation=ep.organisation)
    now = timezone.now()
    before = audit.snapshot(ep)
    ep.deleted_at = now
    ep.is_active = False
    ep.secret = ""  # nothing will be signed for it again
    ep.save()
    WebhookDelivery.objects.filter(endpoint=ep, status__in=DUE_STATUSES).update(
        status=WebhookDelivery.Status.DEAD, next_attempt_at=None, completed_at=now, updated_at=now,
        last_error=_("The endpoint was deleted."),
    )  # fmt: skip
    audit.record(actor=actor, action="webhook.endpoint_deleted", obj=ep, organisation=ep.organisation, before=before)


@transaction.atomic
def endpoint_rotate_secret(*, actor: User, endpoint: WebhookEndpoint) -> str:
    """A new secret, shown this once; the old one stops working at once (retries use the new one)."""
    ep = _lock(endpoint)
    require_manage(actor=actor, organisation=ep.organisation)
    before = {"secret_hint": ep.secret_hint}
    secret = _set_secret(ep)
    ep.secret_rotated_at = timezone.now()
    ep.save(update_fields=["secret", "secret_hint", "secret_rotated_at", "updated_at"])
    audit.record(actor=actor, action="webhook.secret_rotated", obj=ep, organisation=ep.organisation, before=before,
                 after={"secret_hint": ep.secret_hint})  # fmt: skip
    return secret


# ------------------------------------------------------------------------------ publishing


def _envelope(*, event_id: uuid.UUID, event_type: str, at: datetime, organisation_ids: list[int], data) -> dict:
    return {
        "id": str(event_id),
        "type": event_type,
        "created_at": at.isoformat(),
        "organisation_ids": organisation_ids,
        "data": data,
    }


def publish_event(
    *, event_type: str, organisation_ids: Iterable[int], payload: Mapping[str, Any]
) -> list[WebhookDelivery]:
    """Queue ``event_type`` for every active endpoint that should receive it; send after commit.

    ``organisation_ids`` are the organisations the event belongs to. Each of their active
    endpoints subscribed to the event gets it, and so does every subscribed endpoint of the
    vendor (which receives every organisation's events); no other partner's endpoint ever
    does. Each receiver gets the same ``payload``, so it must hold only what every listed
    organisation may see: publish once per organisation when that differs. A partner's
    delivery lists only its own organisation id.

    Call it inside the transaction of the change it reports: the deliveries are written in
    it and sent only once it commits. ``payload`` must be JSON-serialisable (Django's encoder:
    dates, decimals and UUIDs become strings). An unknown ``event_type`` is a programming
    error (ValueError). Returns the deliveries written.
    """
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown webhook event type {event_type!r}; add it to partnerhub/webhooks/events.py")
    if not isinstance(payload, Mapping):
        raise TypeError("payload must be a mapping")
    data = json.loads(json.dumps(payload, cls=DjangoJSONEncoder))  # fail now, in the caller's transaction
    org_ids = sorted({int(i) for i in organisation_ids})
    now = timezone.now()
    event_id = uuid.uuid4()
    receivers = (
        WebhookEndpoint.objects.filter(is_active=True, deleted_at__isnull=True, organisation__is_active=True)
        .filter(Q(organisation_id__in=org_ids) | Q(organisation__kind=OrgKind.VENDOR))
        .select_related("organisation")
        .order_by("pk")
    )
    attempts = 1 + len(retry_delays())
    deliveries = []
    for ep in receivers:
        if not ep.subscribes_to(event_type):
            continue
        visible = org_ids if ep.organisation.kind == OrgKind.VENDOR else [ep.organisation_id]
        envelope = _envelope(event_id=event_id, event_type=event_type, at=now, organisation_ids=visible, data=data)
        delivery = WebhookDelivery(endpoint=ep, event_id=event_id, event_type=event_type, payload=envelope,
                                   max_attempts=attempts, next_attempt_at=now)  # fmt: skip
        deliveries.append(delivery)
    if not deliveries:
        return []
    with transaction.atomic():
        created = WebhookDelivery.objects.bulk_create(deliveries)
    _send_after_commit([d.pk for d in created])
    return created


def _send_after_commit(delivery_ids: list[int]) -> None:
    def send() -> None:
        try:
            enqueue("webhooks.send_deliveries", delivery_ids)
        except Exception:  # the data is committed; the every-minute job sends what is left
            logger.exception("webhook deliveries %s not sent now; the scheduled job will retry", delivery_ids)

    transaction.on_commit(send)


@transaction.atomic
def send_test_event(*, actor: User, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """A ``webhook.test`` event for this endpoint only, whatever it subscribes to; one attempt."""
    ep = _lock(endpoint)
    require_manage(actor=actor, organisation=ep.organisation)
    now = timezone.now()
    event_id = uuid.uuid4()
    data = {"message": "This is a test event from Partnerhub.", "endpoint_id": ep.pk}
    delivery = WebhookDelivery.objects.create(
        endpoint=ep, event_id=event_id, event_type=TEST_EVENT, manual=True, max_attempts=1, next_attempt_at=now,
        requested_by=actor,
        payload=_envelope(event_id=event_id, event_type=TEST_EVENT, at=now, organisation_ids=[ep.organisation_id],
                          data=data),
    )  # fmt: skip
    audit.record(actor=actor, action="webhook.test_sent", obj=ep, organisation=ep.organisation,
                 after={"delivery": str(delivery.delivery_id)})  # fmt: skip
    _send_after_commit([delivery.pk])
    return delivery


@transaction.atomic
def redeliver(*, actor: User, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery's event again, as a new delivery (same event id and body, new delivery id); one attempt."""
    original = WebhookDelivery.objects.select_related("endpoint__organisation").get(pk=delivery.pk)
    ep = _lock(original.endpoint)
    require_manage(actor=actor, organisation=ep.organisation)
    again = WebhookDelivery.objects.create(
        endpoint=ep, event_id=original.event_id, event_type=original.event_type, payload=original.payload,
        manual=True, max_attempts=1, next_attempt_at=timezone.now(), requested_by=actor,
        redelivery_of_id=original.redelivery_of_id or original.pk,
    )  # fmt: skip
    audit.record(actor=actor, action="webhook.redelivered", obj=ep, organisation=ep.organisation,
                 after={"delivery": str(again.delivery_id), "of": str(original.delivery_id),
                        "event": original.event_type})  # fmt: skip
    _send_after_commit([again.pk])
    return again


# ------------------------------------------------------------------------------- delivering


def deliver_due_webhooks(*, now: datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Attempt every delivery whose time has come. Idempotent; safe with several workers.

    Each delivery is claimed in its own short transaction (``SELECT … FOR UPDATE SKIP
    LOCKED`` on PostgreSQL; SQLite serialises writers) by moving its next attempt past a
    lease, so a second worker neither waits for nor sends it; the HTTP request is made
    outside any transaction.
    """
    now = now or timezone.now()
    due = (
        WebhookDelivery.objects.filter(status__in=DUE_STATUSES, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return _attempt_all(list(due), due_by=now)


def send_deliveries(*, delivery_ids: Iterable[int], now: datetime | None = None) -> dict[str, int]:
    """Attempt the given deliveries now, if they are still due (what publishing schedules)."""
    return _attempt_all(list(delivery_ids), due_by=now or timezone.now())


def _attempt_all(ids: list[int], *, due_by: datetime) -> dict[str, int]:
    counts = {s: 0 for s in WebhookDelivery.Status.values if s != WebhookDelivery.Status.PENDING} | {"skipped": 0}
    for pk in ids:
        outcome = attempt_delivery(pk, due_by=due_by)
        counts[outcome or "skipped"] += 1
    return counts


def _claim(pk: int, *, due_by: datetime, at: datetime) -> WebhookDelivery | None:
    with transaction.atomic():
        qs = WebhookDelivery.objects.filter(pk=pk, status__in=DUE_STATUSES, next_attempt_at__lte=due_by)
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True, of=("self",))
        d = qs.select_related("endpoint__organisation").first()
        if d is None:
            return None
        ep = d.endpoint
        if ep.deleted_at is not None or (not d.manual and not (ep.is_active and ep.organisation.is_active)):
            _finish(d, WebhookDelivery.Status.DEAD, at, error=_("The endpoint is disabled."))
            return None
        if d.attempts >= d.max_attempts:  # a worker stopped during the last attempt
            _finish(d, WebhookDelivery.Status.DEAD, at, error=_("No answer was recorded for the last attempt."))
            return None
        d.attempts += 1
        d.last_attempt_at = at
        d.next_attempt_at = at + LEASE
        d.save(update_fields=["attempts", "last_attempt_at", "next_attempt_at", "updated_at"])
        return d


def _finish(d: WebhookDelivery, status: str, at: datetime, *, error: str) -> None:
    d.status = status
    d.next_attempt_at = None
    d.completed_at = at
    d.last_error = error[:500]
    d.save(update_fields=["status", "next_attempt_at", "completed_at", "last_error", "updated_at"])


def body_of(delivery: WebhookDelivery) -> str:
    """The exact request body: the stored envelope as compact JSON with sorted keys."""
    return json.dumps(delivery.payload, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False)  # fmt: skip


def request_headers(delivery: WebhookDelivery, *, secret: str, body: str, timestamp: str | None = None) -> dict:
    timestamp = timestamp or str(int(time.time()))
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-Partnerhub-Event": delivery.event_type,
        "X-Partnerhub-Delivery": str(delivery.delivery_id),
        "X-Partnerhub-Timestamp": timestamp,
        "X-Partnerhub-Signature": signing.signature(secret=secret, timestamp=timestamp, body=body),
    }


def attempt_delivery(pk: int, *, due_by: datetime | None = None) -> str | None:
    """Claim and send one delivery if it is due; the status it ends in, or None if not attempted."""
    due_by = due_by or timezone.now()
    at = max(due_by, timezone.now())
    d = _claim(pk, due_by=due_by, at=at)
    if d is None:
        return None
    body = body_of(d)
    headers = request_headers(d, secret=d.endpoint.secret, body=body)
    result = sending.post(d.endpoint.url, body.encode(), headers, timeout=settings.WEBHOOKS_TIMEOUT_SECONDS)
    return _record(d.pk, result, at)


@transaction.atomic
def _record(pk: int, result: sending.Result, at: datetime) -> str:
    S = WebhookDelivery.Status
    # Endpoint row first, then the delivery: the order endpoint_delete takes them in (no deadlock).
    endpoint_id = WebhookDelivery.objects.values_list("endpoint_id", flat=True).get(pk=pk)
    ep = WebhookEndpoint.objects.select_for_update().get(pk=endpoint_id)
    d = WebhookDelivery.objects.select_for_update().get(pk=pk)
    if d.is_final:  # given up meanwhile (the endpoint was deleted)
        return d.status
    d.last_response_status = result.status
    d.last_response_body = result.body
    d.last_error = result.error[:500]
    d.last_duration_ms = result.duration_ms
    d.attempt_log = [
        *d.attempt_log,
        {"attempt": d.attempts, "at": at.isoformat(), "status": result.status, "error": result.error[:200],
         "duration_ms": result.duration_ms},
    ][-20:]  # fmt: skip
    if result.ok:
        d.status, d.next_attempt_at, d.completed_at = S.SUCCEEDED, None, timezone.now()
    elif d.attempts >= d.max_attempts:
        d.status, d.next_attempt_at, d.completed_at = S.DEAD, None, timezone.now()
    else:
        delays = retry_delays()
        d.status = S.FAILED
        d.next_attempt_at = at + delays[min(d.attempts, len(delays)) - 1]
    d.save()
    if result.ok or (d.status == S.DEAD and not d.manual):
        _track_endpoint(ep, succeeded=result.ok)
    return d.status


def _track_endpoint(ep: WebhookEndpoint, *, succeeded: bool) -> None:
    """Count deliveries given up in a row; past the limit, disable the endpoint and tell its admins."""
    if succeeded:
        if ep.consecutive_dead:
            ep.consecutive_dead = 0
            ep.save(update_fields=["consecutive_dead"])
        return
    ep.consecutive_dead += 1
    limit = settings.WEBHOOKS_DISABLE_AFTER_DEAD
    if not (limit and ep.is_active and ep.deleted_at is None and ep.consecutive_dead >= limit):
        ep.save(update_fields=["consecutive_dead"])
        return
    before = audit.snapshot(ep)
    ep.is_active = False
    ep.disabled_reason = _("Disabled automatically: %(n)d deliveries in a row were given up.") % {
        "n": ep.consecutive_dead
    }
    ep.save(update_fields=["consecutive_dead", "is_active", "disabled_reason", "updated_at"])
    audit.record(actor=None, action="webhook.endpoint_disabled", obj=ep, organisation=ep.organisation, before=before,
                 after=audit.snapshot(ep), reason=ep.disabled_reason)  # fmt: skip
    admins = User.objects.filter(
        is_active=True, memberships__organisation=ep.organisation, memberships__role__in=ORG_ADMIN_ROLES
    ).distinct()
    notify(
        users=admins, organisation=ep.organisation, kind="webhook.endpoint_disabled",
        title=_("Webhook endpoint disabled: %(url)s") % {"url": ep.url},
        body=_("%(reason)s Check the receiver, then activate the endpoint again; events published while it was "
               "disabled are not sent.") % {"reason": ep.disabled_reason},
        url=reverse("webhook-detail", args=[ep.pk]),
    )  # fmt: skip
