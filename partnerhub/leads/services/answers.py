from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerhub.core.money import quantize
from partnerhub.core.notify import notify
from partnerhub.core.problems import Conflict
from partnerhub.core.tenancy import actor_for
from partnerhub.identity.models import User
from partnerhub.identity.roles import Perm
from partnerhub.identity.services import require_perm
from partnerhub.programmes.models import ProductFamily, Programme

from ..models import Lead, LeadOffer
from .common import MAX_TEXT, OS, _lead_url, _locked_lead, _locked_offer, _managers_of, _publish
from .offering import _close_offer, _route_on


def _require_responder(actor: User, offer: LeadOffer) -> None:
    """The partner's administrators and sales people answer its offers (404 outside, 403 for other roles)."""
    require_perm(actor=actor, perm=Perm.LEADS_RESPOND, organisation=offer.organisation)
    if offer.organisation_id not in actor_for(actor).org_ids:
        raise PermissionDenied(_("Only the partner's own staff answer its lead offers."))


def _require_open(offer: LeadOffer, now: datetime) -> None:
    if offer.status == OS.OFFERED and offer.due_at > now:
        return
    if offer.status in (OS.OFFERED, OS.EXPIRED):
        raise Conflict(
            _("The time to accept this lead ran out at %(due)s; it has been passed on.")
            % {"due": timezone.localtime(offer.due_at).strftime("%Y-%m-%d %H:%M")},
            code="offer_expired",
        )
    raise Conflict(_("This offer is %(status)s and can no longer be answered.")
                   % {"status": offer.get_status_display().lower()}, code="offer_closed")  # fmt: skip


@transaction.atomic
def accept_offer(
    *, actor: User, offer: LeadOffer, product_family: str | None = None, amount: Decimal | str | None = None
) -> LeadOffer:
    """The partner takes the lead: it is registered as its deal (``origin=lead``), protected at once
    unless the claim registry holds it for a possible conflict.

    ``product_family`` and ``amount`` fill in what the lead does not say (a deal needs one product line).
    """
    from partnerhub.deals import services as deals

    _require_responder(actor, offer)
    now = timezone.now()
    lead = _locked_lead(offer.lead_id)
    offer = _locked_offer(offer.pk)
    offer.lead = lead
    _require_open(offer, now)
    errors: dict[str, list] = {}
    family = lead.product_family
    if family is None:
        code = (product_family or "").strip()
        family = ProductFamily.objects.filter(code=code).first() if code else None
        if family is None:
            msg = (_("Unknown product family “%(code)s”.") % {"code": code}) if code else _(
                "The lead names no product family: choose the one the customer needs.")  # fmt: skip
            errors["product_family"] = [ValidationError(msg, code="unknown_product" if code else "required")]
    value = lead.amount
    if value is None:
        try:
            value = quantize(Decimal(str(amount))) if amount not in (None, "") else None
        except (InvalidOperation, ValueError, TypeError):
            value = None
        if value is None or not value.is_finite() or value <= 0:
            msg = _("The lead names no amount: enter the expected amount (greater than zero).")
            errors["amount"] = [ValidationError(msg, code="required")]
    if errors:
        raise ValidationError(errors)
    contact = " · ".join(x for x in (lead.contact_name, lead.email, lead.phone) if x)
    description = "\n".join(x for x in (
        _("Lead #%(id)s (%(source)s).") % {"id": lead.pk, "source": lead.get_source_display()},
        _("Customer's contact: %(contact)s") % {"contact": contact} if contact else "",
        lead.description,
    ) if x)  # fmt: skip
    claim = deals.register_claim(
        actor=actor, organisation=offer.organisation, origin="lead", approve=True,
        programme=Programme.objects.filter(pk=offer.programme_id).first() if offer.programme_id else None,
        title=(_("Lead #%(id)s: %(customer)s") % {"id": lead.pk, "customer": lead.customer_name})[:200],
        customer_name=lead.customer_name, customer_inn=lead.customer_inn,
        customer_domain=lead.domain or lead.email, customer_region=lead.region, customer_city=lead.city,
        lines=[{"product_family": family.code, "amount": str(value), "quantity": 1}], currency=lead.currency,
        contact_name=actor.get_full_name() or actor.email, contact_email=actor.email, description=description,
    )  # fmt: skip
    lead.claim = claim
    lead.status = Lead.Status.ACCEPTED
    lead.save(update_fields=["claim", "status", "updated_at"])
    _close_offer(offer, OS.ACCEPTED, actor=actor, now=now)
    held = claim.status != "protected"
    notify(users=_managers_of(offer.organisation, lead), organisation=offer.organisation, kind="lead.accepted",
           url=_lead_url(lead), email=False,
           title=_("%(partner)s accepted lead #%(id)s (deal #%(deal)s%(held)s)")
           % {"partner": offer.organisation.name, "id": lead.pk, "deal": claim.pk,
              "held": _(", under review") if held else ""})  # fmt: skip
    _publish("lead.accepted", offer, with_contact=True)
    return offer


@transaction.atomic
def decline_offer(*, actor: User, offer: LeadOffer, reason: str) -> LeadOffer:
    """The partner passes, with a reason; the lead moves on to the next partner (never back to this one)."""
    _require_responder(actor, offer)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [ValidationError(_("Say why you decline the lead."), code="required")]})
    if len(reason) > MAX_TEXT:
        raise ValidationError({"reason": [_("At most %(n)s characters.") % {"n": MAX_TEXT}]})
    now = timezone.now()
    lead = _locked_lead(offer.lead_id)
    offer = _locked_offer(offer.pk)
    offer.lead = lead
    _require_open(offer, now)
    _close_offer(offer, OS.DECLINED, actor=actor, reason=reason, now=now)
    notify(users=_managers_of(offer.organisation, lead), organisation=offer.organisation, kind="lead.declined",
           url=_lead_url(lead), body=reason,
           title=_("%(partner)s declined lead #%(id)s (%(customer)s)")
           % {"partner": offer.organisation.name, "id": lead.pk, "customer": lead.customer_name})  # fmt: skip
    _publish("lead.declined", offer)
    _route_on(lead, actor=None, now=now)
    return offer
