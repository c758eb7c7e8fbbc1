from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerhub.core import audit
from partnerhub.core.notify import notify
from partnerhub.identity.models import Organisation
from partnerhub.identity.services import vendor_organisation

from .. import routing
from ..models import Lead, LeadOffer
from .common import OS, _inbox_url, _lead_url, _managers_of, _partner_users, _publish, _set_lead_status, _vendor_admins


@dataclass
class RoutingResult:
    offered: int = 0
    unassigned: int = 0


def _offer(lead: Lead, *, organisation: Organisation, programme_id: int | None, tier_code: str, hours: int,
           area_level: str, score: Decimal, actor=None, manual: bool = False, now: datetime | None = None,
           ) -> LeadOffer:  # fmt: skip
    now = now or timezone.now()
    offer = LeadOffer.objects.create(
        lead=lead, organisation=organisation, programme_id=programme_id, tier_code=tier_code, area_level=area_level,
        score=score, manual=manual, offered_at=now, due_at=now + timedelta(hours=hours),
        offered_by=actor if getattr(actor, "is_authenticated", False) else None,
    )  # fmt: skip
    _set_lead_status(lead, Lead.Status.OFFERED)
    audit.record(actor=actor, action="lead.offered", obj=offer, organisation=organisation,
                 after=audit.snapshot(offer) | {"lead": lead.pk, "manual": manual})  # fmt: skip
    notify(
        users=_partner_users(organisation.pk), organisation=organisation, kind="lead.offered", url=_inbox_url(offer),
        title=_("New lead #%(id)s: %(customer)s — answer by %(due)s")
        % {"id": lead.pk, "customer": lead.customer_name,
           "due": timezone.localtime(offer.due_at).strftime("%Y-%m-%d %H:%M")},
        body=" · ".join(x for x in (lead.region, lead.city, lead.competence,
                                    str(lead.product_family) if lead.product_family_id else "") if x),
    )  # fmt: skip
    _publish("lead.offered", offer)
    return offer


def _offer_to(lead: Lead, cand: routing.Candidate, *, actor=None, manual=False, now=None) -> LeadOffer:
    return _offer(lead, organisation=cand.organisation, programme_id=cand.programme_id, tier_code=cand.tier_code,
                  hours=cand.accept_hours, area_level=cand.area_level, score=cand.score, actor=actor, manual=manual,
                  now=now)  # fmt: skip


def _route_on(lead: Lead, *, actor=None, now: datetime | None = None) -> LeadOffer | None:
    """Offer the (locked) lead to the best eligible partner, or mark it unassigned when nobody is left."""
    cand = routing.best(lead, now=now)
    if cand is not None:
        return _offer_to(lead, cand, actor=actor, now=now)
    before = audit.snapshot(lead)
    _set_lead_status(lead, Lead.Status.UNASSIGNED)
    audit.record(actor=actor, action="lead.unassigned", obj=lead, organisation=vendor_organisation(), before=before,
                 after=audit.snapshot(lead))  # fmt: skip
    users = _vendor_admins()
    if lead.created_by_id:
        users.append(lead.created_by)
    title = _("Lead #%(id)s (%(customer)s) has no eligible partner left")
    title %= {"id": lead.pk, "customer": lead.customer_name}
    notify(users=users, organisation=vendor_organisation(), kind="lead.unassigned", url=_lead_url(lead), title=title)
    return None


def _close_offer(offer: LeadOffer, status: str, *, actor=None, reason: str = "", now=None) -> None:
    before = audit.snapshot(offer)
    offer.status = status
    offer.responded_at = now or timezone.now()
    offer.responded_by = actor if getattr(actor, "is_authenticated", False) else None
    if status == OS.DECLINED:
        offer.decline_reason = reason
    offer.save()
    action = {OS.DECLINED: "lead.declined", OS.EXPIRED: "lead.offer_expired", OS.WITHDRAWN: "lead.offer_withdrawn",
              OS.ACCEPTED: "lead.accepted"}[status]  # fmt: skip
    audit.record(actor=actor, action=action, obj=offer, organisation=offer.organisation, before=before,
                 after=audit.snapshot(offer) | {"lead": offer.lead_id, "deal": offer.lead.claim_id},
                 reason=reason)  # fmt: skip


def _withdraw_open_offer(lead: Lead, *, actor, reason: str) -> None:
    open_offer = (
        lead.offers.select_for_update(of=("self",)).filter(status=OS.OFFERED).select_related("organisation").first()
    )
    if open_offer is None:
        return
    _close_offer(open_offer, OS.WITHDRAWN, actor=actor, reason=reason)
    notify(users=_partner_users(open_offer.organisation_id), organisation=open_offer.organisation,
           kind="lead.withdrawn", url=_inbox_url(open_offer), email=False,
           title=_("Lead #%(id)s was withdrawn by the vendor") % {"id": lead.pk})  # fmt: skip


@dataclass
class ExpiryRun:
    expired: int = 0
    offered: int = 0
    unassigned: int = 0


def expire_lead_offers(*, now: datetime | None = None) -> dict:
    """Expire the offers past their answer time and route each lead on. Idempotent: safe to repeat.

    Each lead is handled in its own transaction, locked first (skipped when another worker holds it).
    """
    now = now or timezone.now()
    out = ExpiryRun()
    lead_ids = list(
        LeadOffer.objects.filter(status=OS.OFFERED, due_at__lte=now)
        .order_by("due_at")
        .values_list("lead_id", flat=True)
    )
    for lead_id in lead_ids:
        with transaction.atomic():
            lead = (
                Lead.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("product_family", "created_by")
                .filter(pk=lead_id)
                .first()
            )
            if lead is None:
                continue
            offer = (
                lead.offers.select_for_update(of=("self",)).select_related("organisation__partner_manager")
                .filter(status=OS.OFFERED, due_at__lte=now).first()
            )  # fmt: skip
            if offer is None:
                continue
            _close_offer(offer, OS.EXPIRED, now=now)
            out.expired += 1
            notify(users=_managers_of(offer.organisation, lead), organisation=offer.organisation,
                   kind="lead.expired", url=_lead_url(lead),
                   title=_("%(partner)s let lead #%(id)s (%(customer)s) expire")
                   % {"partner": offer.organisation.name, "id": lead.pk, "customer": lead.customer_name})  # fmt: skip
            notify(users=_partner_users(offer.organisation_id), organisation=offer.organisation, kind="lead.expired",
                   url=_inbox_url(offer), email=False,
                   title=_("Your time to accept lead #%(id)s ran out; it was passed on") % {"id": lead.pk})  # fmt: skip
            _publish("lead.expired", offer)
            if _route_on(lead, now=now) is None:
                out.unassigned += 1
            else:
                out.offered += 1
    return asdict(out)
