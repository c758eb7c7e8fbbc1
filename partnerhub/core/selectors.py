"""Reads of the audit log, scoped like every other read."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import AuditEntry
from .tenancy import actor_for


def audit_entries(
    *,
    actor,
    organisation_id: int | None = None,
    action: str = "",
    object_type: str = "",
    object_id: str = "",
    actor_email: str = "",
    since: date | None = None,
    until: date | None = None,
    search: str = "",
) -> QuerySet[AuditEntry]:
    """Entries the actor may read: the vendor's administrators read all; an organisation's
    administrators read their organisation's; everyone reads the entries they wrote."""
    who = actor_for(actor)
    if not who.is_authenticated:
        return AuditEntry.objects.none()
    if who.is_vendor_admin:
        qs = AuditEntry.objects.all()
    else:
        admin_orgs = sorted(who.admin_org_ids)
        managed = Q(organisation__partner_manager=actor) if who.is_partner_manager else Q(pk__in=[])
        qs = AuditEntry.objects.filter(Q(organisation_id__in=admin_orgs) | managed | Q(actor=actor))
    if organisation_id:
        qs = qs.filter(organisation_id=organisation_id)
    if action:
        qs = qs.filter(action__startswith=action)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if actor_email:
        qs = qs.filter(actor_label__iexact=actor_email)
    tz = timezone.get_current_timezone()
    if since:
        qs = qs.filter(at__gte=datetime.combine(since, time.min, tzinfo=tz))
    if until:
        qs = qs.filter(at__lt=datetime.combine(until + timedelta(days=1), time.min, tzinfo=tz))
    if search:
        qs = qs.filter(Q(object_repr__icontains=search) | Q(actor_label__icontains=search))
    return qs.select_related("organisation")
