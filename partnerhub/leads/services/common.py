from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import EmailValidator
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from partnerhub.core import geo
from partnerhub.core.money import CURRENCIES, quantize
from partnerhub.core.tenancy import actor_for
from partnerhub.identity.models import Organisation, User
from partnerhub.identity.roles import OrgKind, Perm, Role
from partnerhub.identity.services import require_perm, vendor_organisation
from partnerhub.identity.validators import validate_inn
from partnerhub.programmes.models import ProductFamily, Programme

from ..models import Lead, LeadOffer

OS = LeadOffer.Status


MAX_TEXT = 5000


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
