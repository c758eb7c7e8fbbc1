from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerhub.core import audit
from partnerhub.core.problems import Problem
from partnerhub.identity.models import Organisation, hash_secret
from partnerhub.identity.services import vendor_organisation

from .. import routing
from ..models import Lead
from .common import _clean_lead
from .offering import _offer, _offer_to


class TooManyContacts(Problem):
    status = 429
    code = "throttled"
    title = "Too many requests"


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
