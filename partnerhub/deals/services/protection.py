from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerhub.core import audit, uploads
from partnerhub.core.notify import notify
from partnerhub.core.problems import Conflict
from partnerhub.identity.models import User
from partnerhub.identity.roles import Role

from ..models import Claim, ClaimActivity, ExtensionRequest
from .claims import S, _activity, _deciders, _locked, _partner_users, _publish, _set_status, _url
from .decisions import _require_decider
from .pipeline import _require_owner, _touch
from .rules import claim_rules, inactivity_limit


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
    if timezone.now() <= inactivity_limit(claim.last_activity_at, rules):
        msg = _("Protection can be withdrawn only after more than %(months)s months without movement.")
        raise ValidationError({"__all__": [msg % {"months": rules.inactivity_months}]})
    claim.decision_reason, claim.decided_by, claim.decided_at = reason.strip(), actor, timezone.now()
    _expire(claim, actor, reason.strip(), "deal.protection_withdrawn")
    return claim


def _expire(claim: Claim, actor, reason: str, action: str) -> None:
    _set_status(claim, actor, S.EXPIRED, reason=reason, action=action)
    notify(users=_partner_users(claim.organisation_id), organisation=claim.organisation, kind="deal.protection_lapsed",
           url=_url(claim), title=_("Protection of deal #%(id)s ended") % {"id": claim.pk}, body=reason)  # fmt: skip
    _publish("deal.protection_lapsed", claim)


@transaction.atomic
def request_extension(*, actor: User, claim: Claim, reason: str, evidence=None) -> ExtensionRequest:
    claim = _locked(claim)
    _require_owner(actor, claim)
    if claim.status != S.PROTECTED or claim.protected_until is None:
        raise ValidationError({"__all__": [_("Only a protected deal can be extended.")]})
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Explain why the deal needs more time.")]})
    evidence = uploads.EVIDENCE.accept(evidence, field="evidence")
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
            limit = inactivity_limit(claim.last_activity_at, rules)
            if claim.protected_until is not None and claim.protected_until < today:
                _expire(claim, None, _("The protection period ended."), "deal.protection_expired")
                out.expired += 1
            elif claim.kind == Claim.Kind.REFERRAL:
                continue  # an attribution has no sales stages to move: it lasts its referral window
            elif now > limit:
                if rules.lapse_automatic:
                    reason = _("No movement for more than %(months)s months.") % {"months": rules.inactivity_months}
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
            elif now > limit - timedelta(days=rules.warning_days) and claim.stale_warned_at is None:
                claim.stale_warned_at = now
                claim.save(update_fields=["stale_warned_at", "updated_at"])
                left = math.ceil((limit - now) / timedelta(days=1))
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
