"""Reads of the webhooks context: scoped to the actor, and to what their role may read."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerhub.identity.models import User

from .events import EVENT_TYPES, EventType
from .models import WebhookDelivery, WebhookEndpoint
from .permissions import may_use_webhooks, require_view, viewable_endpoints_q


def event_types() -> list[EventType]:
    return list(EVENT_TYPES.values())


def endpoints(*, actor: User, organisation_id: int | None = None) -> QuerySet[WebhookEndpoint]:
    """The endpoints the actor may read (all of them for vendor administrators); 403 if none ever."""
    if not may_use_webhooks(actor):
        raise PermissionDenied(_("Your role does not allow this action."))
    qs = (
        WebhookEndpoint.objects.visible_to(actor)
        .filter(deleted_at__isnull=True)
        .filter(viewable_endpoints_q(actor))
        .select_related("organisation")
        .order_by("organisation__name", "-created_at", "-id")
    )
    if organisation_id is not None:
        qs = qs.filter(organisation_id=organisation_id)
    return qs


def endpoint(*, actor: User, pk: int) -> WebhookEndpoint:
    """404 outside the actor's tenants (or once deleted), 403 if their role may not read webhooks."""
    ep = WebhookEndpoint.objects.select_related("organisation").get_visible_or_404(actor, pk=pk, deleted_at=None)
    require_view(actor=actor, organisation=ep.organisation)
    return ep


def _day_start(d: date | datetime) -> datetime:
    if isinstance(d, datetime):
        return d if timezone.is_aware(d) else timezone.make_aware(d)
    return timezone.make_aware(datetime.combine(d, time.min))


def deliveries(
    *, actor: User, endpoint: WebhookEndpoint, status: str | None = None, event_type: str | None = None,
    since: date | datetime | None = None, until: date | datetime | None = None,
) -> QuerySet[WebhookDelivery]:  # fmt: skip
    """An endpoint's delivery log, newest first. ``until`` is inclusive for a date."""
    require_view(actor=actor, organisation=endpoint.organisation)
    qs = WebhookDelivery.objects.visible_to(actor).filter(endpoint=endpoint).select_related("endpoint")
    if status:
        qs = qs.filter(status=status)
    if event_type:
        qs = qs.filter(event_type=event_type)
    if since:
        qs = qs.filter(created_at__gte=_day_start(since))
    if until:
        if isinstance(until, datetime):
            qs = qs.filter(created_at__lte=_day_start(until))
        else:
            qs = qs.filter(created_at__lt=_day_start(until) + timedelta(days=1))
    return qs.defer("payload")


def delivery(*, actor: User, pk: int) -> WebhookDelivery:
    d = WebhookDelivery.objects.select_related("endpoint__organisation", "requested_by").get_visible_or_404(
        actor, pk=pk, endpoint__deleted_at=None
    )
    require_view(actor=actor, organisation=d.endpoint.organisation)
    return d
