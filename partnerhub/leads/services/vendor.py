from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerhub.core import audit
from partnerhub.core.problems import Conflict
from partnerhub.identity.models import Organisation, User
from partnerhub.identity.roles import OrgKind
from partnerhub.identity.services import vendor_organisation

from .. import routing
from ..models import Lead
from .common import MAX_TEXT, OS, _clean_lead, _locked_lead, _require_manager, _require_visible
from .offering import _offer_to, _route_on, _withdraw_open_offer


@transaction.atomic
def create_lead(*, actor: User, route: bool = True, **fields) -> Lead:
    """A lead entered by the vendor's staff; routed to the best eligible partner at once (``route``)."""
    _require_manager(actor)
    allowed = {"source", "customer_name", "customer_inn", "contact_name", "email", "phone", "domain", "region",
               "city", "competence", "product_family", "description", "amount", "currency", "programme"}  # fmt: skip
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError({f: [_("Unknown field.")] for f in sorted(unknown)})
    fields.setdefault("source", Lead.Source.OTHER)
    errors: dict[str, list] = {}
    data = _clean_lead(fields, errors)
    if errors:
        raise ValidationError(errors)
    lead = Lead.objects.create(created_by=actor, **{k: data[k] for k in allowed})
    audit.record(actor=actor, action="lead.created", obj=lead, organisation=vendor_organisation(),
                 after=audit.snapshot(lead))  # fmt: skip
    if route:
        _route_on(lead, actor=actor)
    return lead


@transaction.atomic
def route_lead(*, actor: User, lead: Lead, organisation: Organisation | None = None, reason: str = "") -> Lead:
    """Route by hand: to the partner chosen (the open offer, if any, is withdrawn), or automatically again.

    A partner chosen by hand must be eligible for vendor leads by its tier and must not have declined
    the lead or let it expire; competence, product family and area are the vendor's judgement.
    """
    _require_manager(actor)
    _require_visible(actor, lead)
    lead = _locked_lead(lead.pk)
    if lead.status in (Lead.Status.ACCEPTED, Lead.Status.CLOSED):
        raise Conflict(_("Lead #%(id)s is %(status)s and can no longer be routed.")
                       % {"id": lead.pk, "status": lead.get_status_display().lower()}, code="lead_closed")  # fmt: skip
    if organisation is None:
        if lead.status == Lead.Status.OFFERED:
            raise ValidationError({"organisation_id": [
                _("The lead is offered to a partner now: choose the partner to move it to.")]})  # fmt: skip
        _route_on(lead, actor=actor)
        return lead
    _require_manager(actor, organisation)  # 404 for a partner outside the manager's scope
    if organisation.kind != OrgKind.PARTNER or not organisation.is_active:
        raise ValidationError({"organisation_id": [_("Choose an active partner.")]})
    if organisation.pk in routing.passed_organisation_ids(lead):
        raise ValidationError({"organisation_id": [_("This partner already declined the lead or let it expire.")]})
    if lead.offers.filter(status=OS.OFFERED, organisation=organisation).exists():
        raise ValidationError({"organisation_id": [_("The lead is already offered to this partner.")]})
    found = routing.rank(lead, strict=False, organisation_ids=[organisation.pk])
    if not found:
        raise ValidationError({"organisation_id": [
            _("This partner's tier does not receive vendor leads (or it has no active enrolment).")]})  # fmt: skip
    _withdraw_open_offer(lead, actor=actor, reason=(reason or "").strip() or _("Routed to another partner."))
    _offer_to(lead, found[0], actor=actor, manual=True)
    return lead


@transaction.atomic
def close_lead(*, actor: User, lead: Lead, reason: str) -> Lead:
    _require_manager(actor)
    _require_visible(actor, lead)
    lead = _locked_lead(lead.pk)
    if not lead.is_open:
        raise Conflict(_("Lead #%(id)s is already %(status)s.") % {"id": lead.pk,
                                                                 "status": lead.get_status_display().lower()},
                       code="lead_closed")  # fmt: skip
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the lead is closed.")]})
    before = audit.snapshot(lead)
    _withdraw_open_offer(lead, actor=actor, reason=reason)
    lead.status, lead.close_reason, lead.closed_at = Lead.Status.CLOSED, reason[:MAX_TEXT], timezone.now()
    lead.save()
    audit.record(actor=actor, action="lead.closed", obj=lead, organisation=vendor_organisation(), before=before,
                 after=audit.snapshot(lead), reason=reason)  # fmt: skip
    return lead
