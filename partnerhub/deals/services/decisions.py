from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerhub.core import audit, uploads
from partnerhub.core.notify import notify
from partnerhub.core.problems import Conflict
from partnerhub.identity.models import User
from partnerhub.identity.roles import Perm
from partnerhub.identity.services import require_perm

from ..models import Claim, ClaimActivity, ClaimConflict
from .claims import S, _activity, _locked, _partner_users, _publish, _set_status, _url
from .rules import claim_rules, protection_days


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
    evidence = uploads.EVIDENCE.accept(evidence, field="evidence")
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
