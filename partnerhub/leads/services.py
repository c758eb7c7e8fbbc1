"""Writes of the leads context: creating leads, routing them, the partner's answer, the expiry job.

Every function takes keyword arguments, runs in one transaction, checks the actor's permission,
validates fully before writing and records every state change in the audit log. A lead is locked
(``SELECT … FOR UPDATE``) before its offers, by every writer, so an accept racing the expiry job
is decided by whichever comes first and the other sees the outcome.

What a partner learns about a lead: while the offer is open, who the customer is, where, what it
needs and the estimated amount; the contact person, e-mail and phone once it accepts.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import EmailValidator
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerhub.core import audit, geo
from partnerhub.core.money import CURRENCIES, quantize
from partnerhub.core.notify import notify
from partnerhub.core.problems import Conflict, Problem
from partnerhub.core.tenancy import actor_for
from partnerhub.identity.models import Organisation, User, hash_secret
from partnerhub.identity.roles import OrgKind, Perm, Role
from partnerhub.identity.services import require_perm, vendor_organisation
from partnerhub.identity.validators import validate_inn
from partnerhub.programmes.models import ProductFamily, Programme

from . import routing
from .models import Lead, LeadOffer

OS = LeadOffer.Status
MAX_TEXT = 5000


class TooManyContacts(Problem):
    status = 429
    code = "throttled"
    title = "Too many requests"


# ---------------------------------------------------------------------------- helpers


def _partner_users(org_id: int) -> list[User]:
    return list(
        User.objects.filter(
            memberships__organisation_id=org_id, memberships__role__in=[Role.PARTNER_ADMIN, Role.SALES], is_active=True
        ).distinct()
    )


def _vendor_admins() -> list[User]:
    return list(
        User.objects.filter(
            memberships__organisation__kind=OrgKind.VENDOR, memberships__role=Role.VENDOR_ADMIN, is_active=True
        ).distinct()
    )


def _managers_of(org: Organisation, lead: Lead) -> list[User]:
    """Who hears of a partner's answer: its partner manager (else the vendor administrators) and the lead's author."""
    users = [org.partner_manager] if org.partner_manager_id else _vendor_admins()
    if lead.created_by_id and lead.created_by.is_active:
        users.append(lead.created_by)
    return users


def _inbox_url(offer: LeadOffer) -> str:
    return reverse("lead-offer-detail", args=[offer.pk])


def _lead_url(lead: Lead) -> str:
    return reverse("lead-detail", args=[lead.pk])


def offer_payload(offer: LeadOffer, *, with_contact: bool = False) -> dict:
    """What the partner may know about its own offer (never another partner)."""
    lead = offer.lead
    data = {
        "offer_id": offer.pk,
        "lead_id": lead.pk,
        "organisation_id": offer.organisation_id,
        "status": offer.status,
        "source": lead.source,
        "customer_name": lead.customer_name,
        "customer_inn": lead.customer_inn,
        "region": lead.region,
        "city": lead.city,
        "competence": lead.competence,
        "product_family": lead.product_family.code if lead.product_family_id else None,
        "amount": str(lead.amount) if lead.amount is not None else None,
        "currency": lead.currency,
        "offered_at": offer.offered_at.isoformat(),
        "due_at": offer.due_at.isoformat(),
        "deal_id": lead.claim_id if offer.status == OS.ACCEPTED else None,
    }
    if with_contact:
        data |= {"contact_name": lead.contact_name, "email": lead.email, "phone": lead.phone, "domain": lead.domain}
    return data


def _publish(event_type: str, offer: LeadOffer, *, with_contact: bool = False) -> None:
    """Outgoing webhooks, when the webhooks context is installed."""
    try:
        from partnerhub.webhooks.services import publish_event
    except ImportError:  # pragma: no cover - built in parallel; absent in some deployments
        return
    publish_event(event_type=event_type, organisation_ids=[offer.organisation_id],
                  payload=offer_payload(offer, with_contact=with_contact))  # fmt: skip


def _require_manager(actor: User, organisation: Organisation | None = None) -> None:
    """Vendor administrators, and partner managers for the partners they manage; 403 for other roles."""
    if not actor_for(actor).is_vendor_staff:
        raise PermissionDenied(_("Leads are created and routed by the vendor's staff."))
    target = organisation or vendor_organisation()
    if target is None:
        raise PermissionDenied
    require_perm(actor=actor, perm=Perm.LEADS_MANAGE, organisation=target)


def _require_visible(actor: User, lead: Lead) -> None:
    if not Lead.objects.visible_to(actor).filter(pk=lead.pk).exists():
        raise Http404


def _locked_lead(pk: int) -> Lead:
    return (
        Lead.objects.select_for_update(of=("self",))
        .select_related("product_family", "programme", "created_by")
        .get(pk=pk)
    )


def _locked_offer(pk: int) -> LeadOffer:
    return LeadOffer.objects.select_for_update(of=("self",)).select_related("organisation__partner_manager").get(pk=pk)


def _set_lead_status(lead: Lead, status: str) -> None:
    lead.status = status
    lead.save(update_fields=["status", "updated_at"])


# ---------------------------------------------------------------------------- validation


def _clean_lead(data: dict, errors: dict, *, contact_required: str = "email_or_phone") -> dict:
    """Trim and check a lead's fields; put every problem into ``errors`` (field -> list)."""

    def err(f: str, msg: str, code: str) -> None:
        errors.setdefault(f, []).append(ValidationError(msg, code=code))

    out = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}
    for f, n in (("customer_name", 300), ("customer_inn", 12), ("contact_name", 200), ("email", 254),
                 ("phone", 40), ("domain", 200), ("region", 100), ("city", 100), ("competence", 100),
                 ("description", MAX_TEXT)):  # fmt: skip
        out[f] = out.get(f) or ""
        if len(out[f]) > n:
            err(f, _("At most %(n)s characters.") % {"n": n}, "max_length")
    if not out["customer_name"]:
        err("customer_name", _("Enter the customer's company name."), "required")
    if out["customer_inn"]:
        try:
            validate_inn(out["customer_inn"])
        except ValidationError as exc:
            errors.setdefault("customer_inn", []).extend(exc.error_list)
    if out["email"]:
        out["email"] = out["email"].lower()
        try:
            EmailValidator()(out["email"])
        except ValidationError:
            err("email", _("Enter a valid e-mail address."), "invalid")
    if contact_required == "email" and not out["email"]:
        err("email", _("Enter an e-mail address to reply to."), "required")
    elif contact_required == "email_or_phone" and not out["email"] and not out["phone"]:
        for f in ("email", "phone"):
            err(f, _("Give the customer's e-mail address or phone number."), "contact_required")
    if out["region"]:
        name = geo.canonical_region(out["region"]) or geo.region_of_city(out["region"])
        if name is None:
            err("region", _("Unknown region “%(name)s”: choose one from the list.") % {"name": out["region"]},
                "unknown_region")  # fmt: skip
        else:
            out["region"] = name
    elif out["city"]:
        out["region"] = geo.region_of_city(out["city"]) or ""
    code = out.get("product_family")
    out["product_family"] = None
    if code:
        family = ProductFamily.objects.filter(code=str(code).strip()).first()
        if family is None:
            err("product_family", _("Unknown product family “%(code)s”.") % {"code": code}, "unknown_product")
        out["product_family"] = family
    pcode = out.get("programme")
    out["programme"] = None
    if pcode:
        programme = Programme.objects.filter(code=str(pcode).strip()).first()
        if programme is None:
            err("programme", _("Unknown programme “%(code)s”.") % {"code": pcode}, "unknown_programme")
        out["programme"] = programme
    amount = out.get("amount")
    if amount in ("", None):
        out["amount"] = None
    else:
        try:
            out["amount"] = quantize(Decimal(str(amount)))
        except (InvalidOperation, ValueError, TypeError):
            out["amount"] = None
            err("amount", _("Enter an amount."), "invalid")
        else:
            if not out["amount"].is_finite() or out["amount"] <= 0:
                err("amount", _("The amount must be greater than zero."), "not_positive")
            elif out["amount"] >= Decimal(10) ** (settings.MONEY_MAX_DIGITS - settings.MONEY_DECIMAL_PLACES):
                err("amount", _("The amount is too large."), "max_value")
    out["currency"] = (out.get("currency") or settings.DEFAULT_CURRENCY).upper()
    if out["currency"] not in CURRENCIES:
        err("currency", _("Unknown currency."), "unknown_currency")
    if out.get("source", Lead.Source.OTHER) not in Lead.Source.values:
        err("source", _("Choose a source."), "invalid")
    return out


# ---------------------------------------------------------------------------- offering


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
                                    lead.product_family.name if lead.product_family_id else "") if x),
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


# ---------------------------------------------------------------------------- the vendor


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


# ---------------------------------------------------------------------------- the partner's answer


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


# ---------------------------------------------------------------------------- the job


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


# ---------------------------------------------------------------------------- the public partner locator


def _throttle(ip: str | None) -> None:
    if not ip:
        return
    limit = getattr(settings, "LEADS_CONTACTS_PER_IP", 5)
    window = getattr(settings, "LEADS_CONTACTS_WINDOW_SECONDS", 3600)
    key = f"locator-contact:{hash_secret(ip)}"
    if cache.add(key, 1, timeout=window):
        return
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=window)
        return
    if count > limit:
        raise TooManyContacts(_("Too many requests from your address. Try again in an hour."))


# The contact form's names for the lead's fields.
CONTACT_FIELDS = {"contact_name": "name", "customer_name": "company", "customer_inn": "inn", "description": "message"}


@transaction.atomic
def contact_partner(
    *, organisation_id: int, name: str, company: str, email: str, phone: str = "", inn: str = "", message: str = "",
    consent: bool = False, ip: str | None = None,
) -> Lead:  # fmt: skip
    """A prospective customer writes to a partner from the public locator: a lead offered to that partner.

    Only partners listed in the catalogue can be written to (404 for every other). The partner gets
    the lead regardless of its tier — the customer chose it; if it declines or lets the offer expire,
    the lead is routed on like any other.
    """
    from partnerhub.onboarding.selectors import catalogue_entry

    catalogue_entry(org_id=organisation_id)  # 404 unless listed
    _throttle(ip)
    errors: dict[str, list] = {}
    data = _clean_lead(
        {"customer_name": company, "contact_name": name, "email": email, "phone": phone, "customer_inn": inn,
         "description": message, "source": Lead.Source.LOCATOR},
        errors, contact_required="email",
    )  # fmt: skip
    if not data["contact_name"]:
        errors.setdefault("contact_name", []).append(ValidationError(_("Enter your name."), code="required"))
    if not consent:
        errors.setdefault("consent", []).append(
            ValidationError(_("We need your consent to pass your request to the partner."), code="required")
        )
    if errors:
        raise ValidationError({CONTACT_FIELDS.get(k, k): v for k, v in errors.items()})
    org = Organisation.objects.select_related("partner_manager").get(pk=organisation_id)
    lead = Lead.objects.create(
        source=Lead.Source.LOCATOR, customer_name=data["customer_name"], customer_inn=data["customer_inn"],
        contact_name=data["contact_name"], email=data["email"], phone=data["phone"], description=data["description"],
    )  # fmt: skip
    audit.record(actor=None, action="lead.created", obj=lead, organisation=vendor_organisation(),
                 after=audit.snapshot(lead) | {"partner": org.pk})  # fmt: skip
    found = routing.rank(lead, strict=False, organisation_ids=[org.pk])
    if found:
        _offer_to(lead, found[0])
    else:
        from partnerhub.partners.models import Enrolment
        from partnerhub.programmes.selectors import version_in_force

        enrolment = Enrolment.objects.filter(organisation=org, status=Enrolment.Status.ACTIVE).select_related(
            "programme").order_by("joined_on", "pk").first()  # fmt: skip
        version = version_in_force(programme=enrolment.programme, on=timezone.localdate()) if enrolment else None
        _offer(lead, organisation=org, programme_id=enrolment.programme_id if enrolment else None,
               tier_code=(enrolment.override_tier_code or enrolment.tier_code or "") if enrolment else "",
               hours=getattr(version, "lead_accept_hours", None) or routing.DEFAULT_ACCEPT_HOURS,
               area_level=routing.area_level(lead, org), score=Decimal(0))  # fmt: skip
    return lead
