"""Writes of the deals context: registration, decisions, protection and the deal's progress.

Every function runs in one transaction and writes the audit log. Registration serialises on
one database lock (PostgreSQL advisory lock) between the match and the insert, so of two
partners registering the same customer at the same moment exactly one is first and the
other sees the conflict.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerhub.core import audit
from partnerhub.core.money import CURRENCIES, quantize
from partnerhub.core.notify import notify
from partnerhub.core.problems import Conflict
from partnerhub.core.tenancy import actor_for
from partnerhub.identity.models import Organisation, User
from partnerhub.identity.roles import OrgKind, Perm, Role
from partnerhub.identity.services import require_perm, vendor_organisation
from partnerhub.identity.validators import validate_inn
from partnerhub.programmes.models import Benefit, ProductFamily, Programme, ProgrammeVersion
from partnerhub.programmes.selectors import version_in_force

from . import keys
from .matching import find_matches
from .signals import claim_status_changed
from .models import Claim, ClaimActivity, ClaimConflict, ClaimLine, ExtensionRequest

REGISTRATION_LOCK = 0x50484431  # "PHD1": the advisory lock key of the claim registry
S = Claim.Status
STAGE_ORDER = list(Claim.OPEN_STAGES)


# ---------------------------------------------------------------------------- rules


@dataclass(frozen=True)
class DealRules:
    protection_days: int = 180
    approval_hours: int = 24
    inactivity_days: int = 90
    lapse_automatic: bool = False
    warning_days: int = 14
    extension_days: int = 30
    uplift_percent: Decimal = Decimal(0)
    second_partner_percent: Decimal | None = None
    burst_limit: int = 20


def rules_for(version: ProgrammeVersion | None, tier_code: str = "") -> DealRules:
    """The deal rules of a programme version; the tier's ``deal_protection`` benefit overrides."""
    if version is None:
        return DealRules()
    days, hours, uplift = version.deal_protection_days, version.deal_approval_hours, version.deal_uplift_percent
    benefit = (
        Benefit.objects.filter(tier__version=version, tier__code=tier_code, kind=Benefit.Kind.DEAL_PROTECTION).first()
        if tier_code
        else None
    )
    if benefit is not None:
        days = benefit.days if benefit.days is not None else days
        hours = benefit.hours if benefit.hours is not None else hours
        uplift = benefit.percent if benefit.percent is not None else uplift
    return DealRules(
        protection_days=days,
        approval_hours=hours,
        inactivity_days=version.deal_inactivity_days,
        lapse_automatic=version.deal_lapse_automatic,
        warning_days=version.deal_warning_days,
        extension_days=version.deal_extension_days,
        uplift_percent=uplift,
        second_partner_percent=version.deal_second_partner_percent,
        burst_limit=version.deal_burst_limit,
    )


def claim_rules(claim: Claim) -> DealRules:
    return rules_for(claim.version, claim.tier_code)


def protection_days(claim: Claim, rules: DealRules) -> int:
    """A referral attribution is protected for the programme's referral window; a deal by its rules."""
    if claim.kind == Claim.Kind.REFERRAL:
        return claim.version.referral_window_days if claim.version else 90
    return rules.protection_days


def business_deadline(start: datetime, hours: int) -> datetime:
    """``start`` plus ``hours`` counted on working days only (Saturday and Sunday do not count)."""
    at = timezone.localtime(start)
    remaining = timedelta(hours=hours)
    while remaining > timedelta(0):
        if at.weekday() >= 5:
            at = (at + timedelta(days=7 - at.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
            continue
        day_end = (at + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        step = min(remaining, day_end - at)
        at += step
        remaining -= step
    return at


# ---------------------------------------------------------------------------- helpers


def _partner_users(org_id: int) -> list[User]:
    return list(
        User.objects.filter(
            memberships__organisation_id=org_id, memberships__role__in=[Role.PARTNER_ADMIN, Role.SALES], is_active=True
        ).distinct()
    )


def _deciders(claim: Claim) -> list[User]:
    if claim.partner_manager_id:
        return [claim.partner_manager]
    return list(User.objects.filter(memberships__role=Role.VENDOR_ADMIN, is_active=True).distinct())


def _url(claim: Claim) -> str:
    return reverse("deal-detail", args=[claim.pk])


def _activity(claim: Claim, actor, kind: str, text: str = "", *, frm: str = "", to: str = "", internal=False) -> None:
    ClaimActivity.objects.create(
        claim=claim, actor=actor if getattr(actor, "is_authenticated", False) else None, kind=kind, text=text,
        from_value=frm, to_value=to, internal=internal,
    )  # fmt: skip


def _publish(event_type: str, claim: Claim) -> None:
    """Outgoing webhooks, when the webhooks context is installed."""
    try:
        from partnerhub.webhooks.services import publish_event
    except ImportError:  # pragma: no cover - the webhooks app is part of the product
        return
    publish_event(event_type=event_type, organisation_ids=[claim.organisation_id], payload=claim_payload(claim))


def claim_payload(claim: Claim) -> dict:
    """What a partner may know about its own claim (never another party)."""
    return {
        "id": claim.pk,
        "kind": claim.kind,
        "status": claim.status,
        "stage": claim.stage,
        "title": claim.title,
        "customer_name": claim.customer_name,
        "customer_inn": claim.customer_inn,
        "amount": str(claim.amount),
        "currency": claim.currency,
        "protected_until": claim.protected_until.isoformat() if claim.protected_until else None,
        "organisation_id": claim.organisation_id,
    }


def _set_status(claim: Claim, actor, status: str, *, reason: str = "", action: str) -> None:
    before = audit.snapshot(claim)
    old = claim.status
    claim.status = status
    claim.lock_version += 1
    claim.save()
    _activity(claim, actor, ClaimActivity.Kind.STATUS, reason, frm=old, to=status)
    audit.record(actor=actor, action=action, obj=claim, organisation=claim.organisation, before=before,
                 after=audit.snapshot(claim), reason=reason)  # fmt: skip
    # Contexts built on the registry (referrals applies the decision to its attribution) react at once.
    claim_status_changed.send(sender=Claim, claim=claim, actor=actor, old_status=old)


def _check_lock_version(claim: Claim, lock_version: int | None) -> None:
    if lock_version is not None and lock_version != claim.lock_version:
        raise Conflict(_("This deal was changed by someone else; reload it and try again."), code="stale_version")


def _locked(claim: Claim) -> Claim:
    return (
        Claim.objects.select_for_update(of=("self",))
        .select_related("organisation", "version", "partner_manager")
        .get(pk=claim.pk)
    )


def _require_open(claim: Claim) -> None:
    if not claim.is_open:
        raise Conflict(
            _("This deal is %(status)s and can no longer be changed.") % {"status": claim.get_status_display()},
            code="deal_closed",
        )


# ---------------------------------------------------------------------------- registration


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
        claim.approval_due_at = business_deadline(now, rules.approval_hours)
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
               % {"id": claim.pk, "org": claim.organisation.name, "why": ", ".join(claim.hold_reasons)})  # fmt: skip
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


# ---------------------------------------------------------------------------- decisions


def _require_decider(actor: User, claim: Claim) -> None:
    require_perm(actor=actor, perm=Perm.DEALS_DECIDE, organisation=claim.organisation)


def _grant_protection(claim: Claim, actor, reason: str, action: str) -> None:
    rules = claim_rules(claim)
    claim.protected_until = timezone.localdate() + timedelta(days=protection_days(claim, rules))
    claim.decided_at, claim.decided_by = timezone.now(), actor
    claim.decision_reason = reason
    claim.last_activity_at = timezone.now()
    _set_status(claim, actor, S.PROTECTED, reason=reason, action=action)
    notify(users=_partner_users(claim.organisation_id), organisation=claim.organisation, kind="deal.approved",
           url=_url(claim), title=_("Deal #%(id)s is protected until %(date)s")
           % {"id": claim.pk, "date": claim.protected_until.isoformat()})  # fmt: skip
    _publish("deal.approved", claim)


@transaction.atomic
def approve(*, actor: User, claim: Claim, reason: str = "") -> Claim:
    claim = _locked(claim)
    _require_decider(actor, claim)
    if claim.status not in (S.PENDING, S.HELD):
        raise Conflict(_("Only a deal awaiting a decision can be approved."), code="invalid_transition")
    if claim.conflicts.filter(resolution=ClaimConflict.Resolution.OPEN).exists():
        raise ValidationError({"__all__": [_("Settle the possible conflicts of this deal first.")]})
    _grant_protection(claim, actor, reason.strip(), "deal.approved")
    return claim


@transaction.atomic
def reject(*, actor: User, claim: Claim, reason: str) -> Claim:
    claim = _locked(claim)
    _require_decider(actor, claim)
    if claim.status not in (S.PENDING, S.HELD):
        raise Conflict(_("Only a deal awaiting a decision can be rejected."), code="invalid_transition")
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Give the partner a reason.")]})
    _reject(claim, actor, reason.strip())
    return claim


def _reject(claim: Claim, actor, reason: str) -> None:
    claim.decided_at, claim.decided_by, claim.decision_reason = timezone.now(), actor, reason
    _set_status(claim, actor, S.REJECTED, reason=reason, action="deal.rejected")
    claim.conflicts.filter(resolution=ClaimConflict.Resolution.OPEN).update(
        resolution=ClaimConflict.Resolution.KEEP_EXISTING, decided_by=actor, decided_at=timezone.now(), reason=reason
    )
    notify(users=_partner_users(claim.organisation_id), organisation=claim.organisation, kind="deal.rejected",
           url=_url(claim), title=_("Deal #%(id)s was not approved") % {"id": claim.pk}, body=reason)  # fmt: skip
    _publish("deal.rejected", claim)


@transaction.atomic
def resolve_conflict(
    *, actor: User, conflict: ClaimConflict, resolution: str, reason: str = "", evidence=None
) -> ClaimConflict:
    """The BDM's decision on one possible conflict of a held claim."""
    conflict = ClaimConflict.objects.select_for_update().get(pk=conflict.pk)
    claim = _locked(conflict.claim)
    _require_decider(actor, claim)
    R = ClaimConflict.Resolution
    if conflict.resolution != R.OPEN or claim.status != S.HELD:
        raise Conflict(_("This conflict is already settled."), code="already_decided")
    reason = (reason or "").strip()
    if resolution not in (R.KEEP_EXISTING, R.SECOND_PARTNER, R.CUSTOMER_CHOICE, R.NOT_A_CONFLICT):
        raise ValidationError({"resolution": [_("Choose a decision.")]})
    if resolution in (R.KEEP_EXISTING, R.CUSTOMER_CHOICE) and not reason:
        raise ValidationError({"reason": [_("Give a reason.")]})
    if resolution == R.CUSTOMER_CHOICE and not evidence:
        raise ValidationError({"evidence": [_("Attach the customer's written choice.")]})
    rules = claim_rules(claim)
    if resolution == R.SECOND_PARTNER and rules.second_partner_percent is None:
        raise ValidationError({"resolution": [_("This programme gives a second partner nothing.")]})
    conflict.resolution, conflict.decided_by, conflict.decided_at, conflict.reason = (
        resolution,
        actor,
        timezone.now(),
        reason,
    )
    if evidence:
        conflict.evidence = evidence
    conflict.save()
    audit.record(actor=actor, action="deal.conflict_resolved", obj=claim, organisation=claim.organisation,
                 after={"conflict": conflict.pk, "other": conflict.other_id, "resolution": resolution},
                 reason=reason)  # fmt: skip
    _activity(claim, actor, ClaimActivity.Kind.NOTE, f"{conflict.get_resolution_display()}: {reason}", internal=True)
    if resolution == R.KEEP_EXISTING:
        _reject(claim, actor, reason)
        return conflict
    if resolution == R.CUSTOMER_CHOICE:
        other = _locked(conflict.other)
        if other.status in Claim.ACTIVE:
            other.decided_at, other.decided_by = timezone.now(), actor
            other.decision_reason = _("The customer chose another partner in writing.")
            _set_status(other, actor, S.EXPIRED, reason=other.decision_reason, action="deal.protection_withdrawn")
            notify(users=_partner_users(other.organisation_id), organisation=other.organisation,
                   kind="deal.protection_lapsed", url=_url(other), title=_("Protection of deal #%(id)s ended")
                   % {"id": other.pk}, body=other.decision_reason)  # fmt: skip
            _publish("deal.protection_lapsed", other)
    if resolution == R.SECOND_PARTNER:
        claim.benefit_share_percent = rules.second_partner_percent
    if not claim.conflicts.filter(resolution=R.OPEN).exists() and resolution != R.NOT_A_CONFLICT:
        _grant_protection(claim, actor, reason, "deal.approved")
    else:
        claim.save()
    return conflict


@transaction.atomic
def withdraw_protection(*, actor: User, claim: Claim, reason: str) -> Claim:
    """The BDM ends the protection of a deal without movement for longer than the programme allows."""
    claim = _locked(claim)
    _require_decider(actor, claim)
    if claim.status != S.PROTECTED or claim.kind == Claim.Kind.DIRECT:
        raise Conflict(_("Only a protected deal can lose its protection."), code="invalid_transition")
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Give the partner a reason.")]})
    rules = claim_rules(claim)
    if claim.last_activity_at > timezone.now() - timedelta(days=rules.inactivity_days):
        msg = _("Protection can be withdrawn only after %(days)s days without movement.")
        raise ValidationError({"__all__": [msg % {"days": rules.inactivity_days}]})
    claim.decision_reason, claim.decided_by, claim.decided_at = reason.strip(), actor, timezone.now()
    _expire(claim, actor, reason.strip(), "deal.protection_withdrawn")
    return claim


def _expire(claim: Claim, actor, reason: str, action: str) -> None:
    _set_status(claim, actor, S.EXPIRED, reason=reason, action=action)
    notify(users=_partner_users(claim.organisation_id), organisation=claim.organisation, kind="deal.protection_lapsed",
           url=_url(claim), title=_("Protection of deal #%(id)s ended") % {"id": claim.pk}, body=reason)  # fmt: skip
    _publish("deal.protection_lapsed", claim)


# ---------------------------------------------------------------------------- the partner's work on a deal


def _require_owner(actor: User, claim: Claim) -> None:
    require_perm(actor=actor, perm=Perm.DEALS_REGISTER, organisation=claim.organisation)


def _touch(claim: Claim) -> None:
    """Movement by the partner keeps protection alive."""
    claim.last_activity_at = timezone.now()
    claim.stale_warned_at = claim.stale_flagged_at = None
    if claim.status == S.PROTECTED and claim.protected_until is not None:
        renewed = timezone.localdate() + timedelta(days=protection_days(claim, claim_rules(claim)))
        claim.protected_until = max(claim.protected_until, renewed)


def allowed_stages(claim: Claim) -> list[str]:
    """The stages the deal may move to from where it is."""
    if claim.status != S.PROTECTED or claim.stage not in STAGE_ORDER:
        return []
    i = STAGE_ORDER.index(claim.stage)
    nxt = [STAGE_ORDER[j] for j in (i - 1, i + 1) if 0 <= j < len(STAGE_ORDER)]
    if claim.stage in (Claim.Stage.PROPOSAL, Claim.Stage.NEGOTIATION):
        nxt.append(Claim.Stage.WON)
    return [*nxt, Claim.Stage.LOST]


@transaction.atomic
def move_stage(*, actor: User, claim: Claim, stage: str, lock_version: int | None = None, note: str = "") -> Claim:
    claim = _locked(claim)
    _require_owner(actor, claim)
    _check_lock_version(claim, lock_version)
    _require_open(claim)
    if stage not in Claim.Stage.values:
        raise ValidationError({"stage": [_("Unknown stage.")]})
    if claim.status != S.PROTECTED:
        raise ValidationError({"stage": [_("The stage can change once the deal is protected.")]})
    if stage not in allowed_stages(claim):
        raise ValidationError({"stage": [
            _("A deal cannot move from %(from)s to %(to)s.")
            % {"from": claim.get_stage_display(), "to": Claim.Stage(stage).label}
        ]})  # fmt: skip
    before = audit.snapshot(claim)
    old = claim.stage
    claim.stage = stage
    _touch(claim)
    event = "deal.stage_changed"
    if stage == Claim.Stage.WON:
        claim.status, claim.closed_on = S.WON, timezone.localdate()
        event = "deal.won"
    elif stage == Claim.Stage.LOST:
        claim.status, claim.closed_on = S.LOST, timezone.localdate()
        event = "deal.lost"
    claim.lock_version += 1
    claim.save()
    _activity(claim, actor, ClaimActivity.Kind.STAGE, note.strip(), frm=old, to=stage)
    audit.record(actor=actor, action=event, obj=claim, organisation=claim.organisation, before=before,
                 after=audit.snapshot(claim))  # fmt: skip
    if stage == Claim.Stage.WON:
        from partnerhub.rewards.services import record_won_deal

        record_won_deal(claim=claim, actor=actor)
    notify(users=_deciders(claim), organisation=claim.organisation, kind=event, url=_url(claim), email=False,
           title=_("Deal #%(id)s: %(stage)s") % {"id": claim.pk, "stage": claim.get_stage_display()})  # fmt: skip
    _publish(event, claim)
    return claim


EDITABLE = ("title", "expected_close_on", "contact_name", "contact_email", "contact_phone", "description")


@transaction.atomic
def update_claim(*, actor: User, claim: Claim, lock_version: int | None = None, **changes) -> Claim:
    claim = _locked(claim)
    _require_owner(actor, claim)
    _check_lock_version(claim, lock_version)
    _require_open(claim)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError({f: [_("This field cannot be changed after registration.")] for f in sorted(unknown)})
    if "expected_close_on" in changes:
        d = changes["expected_close_on"]
        if d is None or d < timezone.localdate():
            raise ValidationError({"expected_close_on": [_("The expected close date cannot be in the past.")]})
    if "title" in changes and not (changes["title"] or "").strip():
        raise ValidationError({"title": [_("This field is required.")]})
    before = audit.snapshot(claim)
    for k, v in changes.items():
        setattr(claim, k, v.strip() if isinstance(v, str) else v)
    _touch(claim)
    claim.lock_version += 1
    claim.save()
    _activity(claim, actor, ClaimActivity.Kind.NOTE, _("Deal details updated."))
    audit.record(actor=actor, action="deal.updated", obj=claim, organisation=claim.organisation, before=before,
                 after=audit.snapshot(claim))  # fmt: skip
    return claim


@transaction.atomic
def add_note(*, actor: User, claim: Claim, text: str) -> ClaimActivity:
    claim = _locked(claim)
    who = actor_for(actor)
    is_owner = claim.organisation_id in who.org_ids
    if is_owner:
        _require_owner(actor, claim)
    else:
        _require_decider(actor, claim)
    _require_open(claim)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": [_("Write the note.")]})
    if is_owner:
        _touch(claim)
        claim.save()
    entry = ClaimActivity.objects.create(claim=claim, actor=actor, kind=ClaimActivity.Kind.NOTE, text=text[:5000])
    audit.record(actor=actor, action="deal.note_added", obj=claim, organisation=claim.organisation,
                 after={"note": text[:300]})  # fmt: skip
    return entry


@transaction.atomic
def withdraw(*, actor: User, claim: Claim, reason: str = "") -> Claim:
    claim = _locked(claim)
    _require_owner(actor, claim)
    _require_open(claim)
    _set_status(claim, actor, S.WITHDRAWN, reason=(reason or "").strip(), action="deal.withdrawn")
    return claim


@transaction.atomic
def request_extension(*, actor: User, claim: Claim, reason: str, evidence=None) -> ExtensionRequest:
    claim = _locked(claim)
    _require_owner(actor, claim)
    if claim.status != S.PROTECTED or claim.protected_until is None:
        raise ValidationError({"__all__": [_("Only a protected deal can be extended.")]})
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Explain why the deal needs more time.")]})
    if claim.extensions.filter(status=ExtensionRequest.Status.PENDING).exists():
        raise ValidationError({"__all__": [_("An extension request is already waiting for a decision.")]})
    req = ExtensionRequest.objects.create(
        claim=claim, requested_by=actor, reason=reason.strip(), evidence=evidence or ""
    )
    _touch(claim)
    claim.save()
    _activity(claim, actor, ClaimActivity.Kind.EXTENSION, reason.strip())
    audit.record(actor=actor, action="deal.extension_requested", obj=claim, organisation=claim.organisation,
                 after={"request": req.pk})  # fmt: skip
    notify(users=_deciders(claim), organisation=claim.organisation, kind="deal.extension", url=_url(claim),
           title=_("Extension requested for deal #%(id)s") % {"id": claim.pk}, body=reason.strip())  # fmt: skip
    return req


@transaction.atomic
def decide_extension(*, actor: User, request: ExtensionRequest, grant: bool, reason: str = "") -> ExtensionRequest:
    req = ExtensionRequest.objects.select_for_update().get(pk=request.pk)
    claim = _locked(req.claim)
    _require_decider(actor, claim)
    if req.status != ExtensionRequest.Status.PENDING:
        raise Conflict(_("This request is already decided."), code="already_decided")
    if not grant and not (reason or "").strip():
        raise ValidationError({"reason": [_("Give the partner a reason.")]})
    before = audit.snapshot(claim)
    req.decided_by, req.decided_at, req.decision_reason = actor, timezone.now(), (reason or "").strip()
    if grant and claim.status == S.PROTECTED and claim.protected_until:
        req.status, req.days = ExtensionRequest.Status.GRANTED, claim_rules(claim).extension_days
        claim.protected_until += timedelta(days=req.days)
        claim.lock_version += 1
        claim.save()
    else:
        req.status = ExtensionRequest.Status.REFUSED
    req.save()
    _activity(claim, actor, ClaimActivity.Kind.EXTENSION, req.decision_reason, to=req.status)
    audit.record(actor=actor, action=f"deal.extension_{req.status}", obj=claim, organisation=claim.organisation,
                 before=before, after=audit.snapshot(claim), reason=req.decision_reason)  # fmt: skip
    notify(users=_partner_users(claim.organisation_id), organisation=claim.organisation, kind="deal.extension",
           url=_url(claim), title=_("Extension of deal #%(id)s: %(status)s")
           % {"id": claim.pk, "status": req.get_status_display()})  # fmt: skip
    return req


# ---------------------------------------------------------------------------- the vendor's own customers


def register_direct(*, actor: User, **fields) -> Claim:
    """The vendor records its own direct opportunity; partners' claims on that customer are held."""
    vendor = vendor_organisation()
    if vendor is None:
        raise PermissionDenied
    return register_claim(actor=actor, organisation=vendor, kind=Claim.Kind.DIRECT, origin=Claim.Origin.DIRECT,
                          **fields)  # fmt: skip


# ---------------------------------------------------------------------------- jobs


@dataclass
class ProtectionSweep:
    warned: int = 0
    flagged: int = 0
    lapsed: int = 0
    expired: int = 0
    escalated: int = 0


def sweep_protection(*, now: datetime | None = None) -> ProtectionSweep:
    """Daily job: warn, flag and lapse deals without movement; end protection past its date.

    Idempotent: each step is recorded on the claim, so a second run the same day does nothing.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    out = ProtectionSweep()
    ids = Claim.objects.filter(status=S.PROTECTED).exclude(kind=Claim.Kind.DIRECT).values_list("id", flat=True)
    for pk in ids.iterator():
        with transaction.atomic():
            claim = Claim.objects.select_for_update(skip_locked=True).filter(pk=pk, status=S.PROTECTED).first()
            if claim is None:
                continue
            rules = claim_rules(claim)
            idle = now - claim.last_activity_at
            if claim.protected_until is not None and claim.protected_until < today:
                _expire(claim, None, _("The protection period ended."), "deal.protection_expired")
                out.expired += 1
            elif claim.kind == Claim.Kind.REFERRAL:
                continue  # an attribution has no sales stages to move: it lasts its referral window
            elif idle > timedelta(days=rules.inactivity_days):
                if rules.lapse_automatic:
                    reason = _("No movement for more than %(days)s days.") % {"days": rules.inactivity_days}
                    _expire(claim, None, reason, "deal.protection_lapsed")
                    out.lapsed += 1
                elif claim.stale_flagged_at is None:
                    claim.stale_flagged_at = now
                    claim.save(update_fields=["stale_flagged_at", "updated_at"])
                    _activity(claim, None, ClaimActivity.Kind.WARNING,
                              _("No movement for %(days)s days: protection may be withdrawn.")
                              % {"days": idle.days})  # fmt: skip
                    audit.record(actor=None, action="deal.flagged_stale", obj=claim, organisation=claim.organisation)
                    notify(users=_deciders(claim), organisation=claim.organisation, kind="deal.stale", url=_url(claim),
                           title=_("Deal #%(id)s of %(org)s shows no movement")
                           % {"id": claim.pk, "org": claim.organisation.name})  # fmt: skip
                    out.flagged += 1
            elif idle > timedelta(days=rules.inactivity_days - rules.warning_days) and claim.stale_warned_at is None:
                claim.stale_warned_at = now
                claim.save(update_fields=["stale_warned_at", "updated_at"])
                left = rules.inactivity_days - idle.days
                msg = _("Update deal #%(id)s: protection is at risk in %(days)s days.") % {"id": claim.pk, "days": left}
                _activity(claim, None, ClaimActivity.Kind.WARNING, msg)
                notify(users=_partner_users(claim.organisation_id), organisation=claim.organisation,
                       kind="deal.protection_expiring", url=_url(claim), title=msg)  # fmt: skip
                _publish("deal.protection_expiring", claim)
                out.warned += 1
    out.escalated = escalate_overdue(now=now)
    return out


def escalate_overdue(*, now: datetime | None = None) -> int:
    """Deals whose approval clock ran out go to the BDM's manager (or the vendor administrators)."""
    now = now or timezone.now()
    n = 0
    overdue = Claim.objects.filter(status__in=[S.PENDING, S.HELD], approval_due_at__lt=now, escalated_at__isnull=True)
    for pk in overdue.values_list("id", flat=True):
        with transaction.atomic():
            claim = (
                Claim.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(pk=pk, escalated_at__isnull=True)
                .select_related("partner_manager__reports_to", "organisation")
                .first()
            )
            if claim is None:
                continue
            claim.escalated_at = now
            claim.save(update_fields=["escalated_at", "updated_at"])
            boss = claim.partner_manager.reports_to if claim.partner_manager else None
            users = [boss] if boss else list(
                User.objects.filter(memberships__role=Role.VENDOR_ADMIN, is_active=True).distinct()
            )  # fmt: skip
            audit.record(actor=None, action="deal.escalated", obj=claim, organisation=claim.organisation,
                         after={"to": [u.pk for u in users]})  # fmt: skip
            notify(users=users, organisation=claim.organisation, kind="deal.escalated", url=_url(claim),
                   title=_("Overdue decision: deal #%(id)s of %(org)s")
                   % {"id": claim.pk, "org": claim.organisation.name})  # fmt: skip
            n += 1
    return n
