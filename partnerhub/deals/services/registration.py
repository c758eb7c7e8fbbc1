from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerhub.core import audit
from partnerhub.core.money import CURRENCIES, quantize
from partnerhub.core.notify import notify
from partnerhub.identity.models import Organisation, User
from partnerhub.identity.roles import OrgKind, Perm
from partnerhub.identity.services import require_perm, vendor_organisation
from partnerhub.identity.validators import validate_inn
from partnerhub.programmes.models import ProductFamily, Programme
from partnerhub.programmes.selectors import version_in_force

from .. import keys
from ..matching import find_matches
from ..models import Claim, ClaimActivity, ClaimConflict, ClaimLine
from .claims import S, _activity, _deciders, _partner_users, _publish, _url
from .rules import business_deadline, protection_days, rules_for

REGISTRATION_LOCK = 0x50484431  # "PHD1": the advisory lock key of the claim registry


def _clean_lines(lines: list[dict], errors: dict) -> list[ClaimLine]:
    families = {f.code: f for f in ProductFamily.objects.all()}
    out = []
    if not lines:
        errors.setdefault("lines", []).append(ValidationError(_("Add at least one product."), code="required"))
    for i, raw in enumerate(lines or []):
        p = f"lines[{i}]."
        family = families.get(str(raw.get("product_family") or "").strip())
        if family is None:
            errors.setdefault(p + "product_family", []).append(
                ValidationError(
                    _("Unknown product family “%(code)s”.") % {"code": raw.get("product_family") or ""},
                    code="unknown_product",
                )
            )
        try:
            amount = quantize(Decimal(str(raw.get("amount"))))
        except (InvalidOperation, ValueError, TypeError):
            amount = None
        if amount is None or not amount.is_finite():
            errors.setdefault(p + "amount", []).append(ValidationError(_("Enter an amount."), code="invalid"))
        elif amount <= 0:
            errors.setdefault(p + "amount", []).append(
                ValidationError(_("The amount must be greater than zero."), code="not_positive")
            )
        quantity = raw.get("quantity", 1)
        if not isinstance(quantity, int) or quantity < 1:
            errors.setdefault(p + "quantity", []).append(ValidationError(_("At least 1."), code="min_value"))
        sale_type = raw.get("sale_type") or "new"
        if sale_type not in ClaimLine.SaleType.values:
            errors.setdefault(p + "sale_type", []).append(ValidationError(_("Choose new or renewal."), code="invalid"))
        out.append(ClaimLine(product_family=family, product=str(raw.get("product") or "")[:200], sale_type=sale_type,
                             quantity=quantity if isinstance(quantity, int) else 1, amount=amount or 0))  # fmt: skip
    return out


def _enrolment_for(organisation: Organisation, programme: Programme | None, errors: dict):
    from partnerhub.partners.models import Enrolment

    active = Enrolment.objects.filter(organisation=organisation, status=Enrolment.Status.ACTIVE).select_related(
        "programme"
    )
    if programme is not None:
        e = active.filter(programme=programme).first()
        if e is None:
            errors.setdefault("programme", []).append(
                ValidationError(_("The partner is not an active member of this programme."), code="not_enrolled")
            )
        return e
    enrolments = list(active)
    if len(enrolments) > 1:
        errors.setdefault("programme", []).append(
            ValidationError(_("Choose the programme this deal is registered under."), code="required")
        )
        return None
    return enrolments[0] if enrolments else None


def _lock_registry() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [REGISTRATION_LOCK])


@transaction.atomic
def register_claim(
    *,
    actor: User | None,
    organisation: Organisation,
    title: str = "",
    customer_name: str,
    customer_inn: str = "",
    customer_domain: str = "",
    customer_region: str = "",
    customer_city: str = "",
    lines: list[dict] | None = None,
    currency: str = "RUB",
    cooperation_model: str = "resale",
    expected_close_on: date | None = None,
    contact_name: str = "",
    contact_email: str = "",
    contact_phone: str = "",
    description: str = "",
    programme: Programme | None = None,
    kind: str = Claim.Kind.DEAL,
    origin: str = Claim.Origin.REGISTERED,
    customer_organisation: Organisation | None = None,
    approve: bool = False,
) -> Claim:
    """Register a claim on a customer; it is checked against every active claim of others.

    ``actor`` is None only for system callers (a referral attribution, an accepted lead
    routed by a job), which have checked their own permissions.
    ``approve``: grant protection at once when nothing holds the claim (accepted leads).
    """
    if actor is not None:
        require_perm(actor=actor, perm=Perm.DEALS_REGISTER, organisation=organisation)
    errors: dict[str, list] = {}

    def err(f: str, msg: str, code: str) -> None:
        errors.setdefault(f, []).append(ValidationError(msg, code=code))

    today = timezone.localdate()
    direct = kind == Claim.Kind.DIRECT
    if direct and organisation.kind != OrgKind.VENDOR:
        err("organisation", _("Direct opportunities belong to the vendor."), "invalid")
    if not direct and organisation.kind != OrgKind.PARTNER:
        err("organisation", _("Deals are registered by partner organisations."), "invalid")
    title, customer_name = (title or "").strip(), (customer_name or "").strip()
    customer_inn = (customer_inn or "").strip()
    if not customer_name:
        err("customer_name", _("Enter the customer's company name."), "required")
    elif not keys.name_key(customer_name):
        err("customer_name", _("The name has nothing but a legal form in it."), "invalid")
    if not title:
        title = customer_name[:200]
    inn_required = origin in (Claim.Origin.REGISTERED, Claim.Origin.DIRECT)
    if not customer_inn:
        if inn_required:
            err("customer_inn", _("Enter the customer's INN."), "required")
    else:
        try:
            validate_inn(customer_inn)
        except ValidationError as exc:
            errors.setdefault("customer_inn", []).extend(exc.error_list)
    if currency not in CURRENCIES:
        err("currency", _("Unknown currency."), "unknown_currency")
    if cooperation_model not in Claim.Model.values:
        err("cooperation_model", _("Choose resale or agency."), "invalid")
    if kind == Claim.Kind.DEAL and origin == Claim.Origin.REGISTERED and expected_close_on is None:
        err("expected_close_on", _("Enter the expected close date."), "required")
    if expected_close_on is not None and expected_close_on < today:
        err("expected_close_on", _("The expected close date cannot be in the past."), "past")
    claim_lines = _clean_lines(lines or [], errors) if kind == Claim.Kind.DEAL else []
    if kind != Claim.Kind.DEAL and lines:
        claim_lines = _clean_lines(lines, errors)
    enrolment = None if direct else _enrolment_for(organisation, programme, errors)
    if errors:
        raise ValidationError(errors)

    version = version_in_force(programme=enrolment.programme, on=today) if enrolment else None
    tier_code = (enrolment.override_tier_code or enrolment.tier_code or "") if enrolment else ""
    rules = rules_for(version, tier_code)
    domain_key = keys.domain_key(customer_domain)
    _lock_registry()
    now = timezone.now()  # after the lock: registration order is the order claims enter the registry
    matches = find_matches(name_key=keys.name_key(customer_name), inn=customer_inn, domain_key=domain_key,
                           exclude_organisation_id=organisation.pk)  # fmt: skip
    others = {
        c.pk: c for c in Claim.objects.filter(pk__in=[m.claim_id for m in matches]).select_related("organisation")
    }
    hold: list[str] = []
    if not direct:
        if any(others[m.claim_id].kind != Claim.Kind.DIRECT for m in matches):
            hold.append("conflict")
        if any(others[m.claim_id].kind == Claim.Kind.DIRECT for m in matches):
            hold.append("direct_customer")
        own_domain = keys.domain_key(organisation.website) or keys.domain_key(organisation.email)
        if domain_key and domain_key == own_domain:
            hold.append("own_domain")
        recent = Claim.objects.filter(organisation=organisation, registered_at__gte=now - timedelta(days=1)).count()
        if rules.burst_limit and recent >= rules.burst_limit:
            hold.append("burst")

    claim = Claim(
        organisation=organisation, programme=enrolment.programme if enrolment else None, version=version,
        tier_code=tier_code, kind=kind, origin=origin, cooperation_model=cooperation_model, title=title[:200],
        customer_name=customer_name[:300], customer_inn=customer_inn, customer_domain=(customer_domain or "")[:200],
        customer_region=(customer_region or "").strip(), customer_city=(customer_city or "").strip(),
        customer_organisation=customer_organisation, name_key=keys.name_key(customer_name)[:300],
        match_keys=keys.match_keys(keys.name_key(customer_name)[:300]),
        domain_key=domain_key, currency=currency, expected_close_on=expected_close_on,
        contact_name=contact_name.strip(), contact_email=contact_email.strip(), contact_phone=contact_phone.strip(),
        description=description.strip(), partner_manager=organisation.partner_manager if not direct else actor,
        registered_by=actor, registered_at=now, last_activity_at=now, hold_reasons=hold,
        uplift_percent=rules.uplift_percent if not direct else 0,
    )  # fmt: skip
    if direct or (approve and not hold):
        claim.status = S.PROTECTED
        claim.protected_until = None if direct else today + timedelta(days=protection_days(claim, rules))
        claim.decided_at = now
    else:
        claim.status = S.HELD if hold else S.PENDING
        claim.approval_due_at = business_deadline(now, rules.approval_hours, country=rules.calendar)
    claim.amount = sum((line.amount for line in claim_lines), Decimal(0))
    claim.save()
    for line in claim_lines:
        line.claim = claim
    ClaimLine.objects.bulk_create(claim_lines)
    ClaimConflict.objects.bulk_create(
        [ClaimConflict(claim=claim, other_id=m.claim_id, reasons=m.reasons, score=m.score) for m in matches]
    )
    _activity(claim, actor, ClaimActivity.Kind.STATUS, to=claim.status)
    audit.record(actor=actor, action=f"{claim.kind}.registered", obj=claim, organisation=organisation,
                 after=audit.snapshot(claim))  # fmt: skip
    if not direct:
        _announce_registration(claim)
    return claim


def _announce_registration(claim: Claim) -> None:
    url = _url(claim)
    if claim.status == S.HELD:
        notify(users=_partner_users(claim.organisation_id), organisation=claim.organisation, kind="deal.held", url=url,
               title=_("Deal #%(id)s is under review: a possible conflict exists") % {"id": claim.pk},
               body=_("Your partner manager will decide; you keep your place in the queue."))  # fmt: skip
        notify(users=_deciders(claim), organisation=claim.organisation, kind="deal.review", url=url,
               title=_("Deal #%(id)s of %(org)s needs review (%(why)s)")
               % {"id": claim.pk, "org": claim.organisation.name,
                  "why": "; ".join(claim.hold_reasons_shown)})  # fmt: skip
        _publish("deal.conflict_detected", claim)
    elif claim.status == S.PENDING:
        notify(
            users=_deciders(claim),
            organisation=claim.organisation,
            kind="deal.review",
            url=url,
            title=_("Deal #%(id)s of %(org)s awaits approval") % {"id": claim.pk, "org": claim.organisation.name},
        )
    _publish("deal.registered", claim)


def register_direct(*, actor: User, **fields) -> Claim:
    """The vendor records its own direct opportunity; partners' claims on that customer are held."""
    vendor = vendor_organisation()
    if vendor is None:
        raise PermissionDenied
    return register_claim(actor=actor, organisation=vendor, kind=Claim.Kind.DIRECT, origin=Claim.Origin.DIRECT,
                          **fields)  # fmt: skip
