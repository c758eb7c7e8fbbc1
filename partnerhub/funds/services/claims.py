"""Claims: after the activity the partner claims its actual cost with proof of performance; the vendor
approves (possibly less, with a reason), which posts the amount to the partner's payable account, or rejects."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerhub.core import audit, uploads
from partnerhub.core.formatting import money
from partnerhub.identity.models import User
from partnerhub.rewards.models import JournalEntry
from partnerhub.rewards.services import ledger

from ..models import ActivityRequest, Budget, Claim, ProofFile
from ..rules import parse_amount, require_decider, require_requester
from .notices import tell_partner

SNAPSHOT = ("status", "approved_amount", "decision_reason", "journal_entry_id")
MAX_FILES = 10


def _locked(claim: Claim) -> tuple[Claim, ActivityRequest, Budget]:
    """Budget, then request, then claim: every writer locks in this order."""
    budget = Budget.objects.select_for_update().get(pk=claim.request.budget_id)
    req = ActivityRequest.objects.select_for_update().get(pk=claim.request_id)
    return Claim.objects.select_for_update().get(pk=claim.pk), req, budget


def _undecided(claim: Claim) -> None:
    if claim.status != Claim.Status.PENDING:
        raise ValidationError({"status": [ValidationError(_("This claim has already been decided."), code="decided")]})


@transaction.atomic
def submit_claim(*, actor: User, request: ActivityRequest, actual_cost, note: str = "", files=()) -> Claim:
    """Claim an approved activity's actual cost (at most the approved amount) with at least one proof file."""
    require_requester(actor, request.budget.organisation)
    budget = Budget.objects.select_for_update().get(pk=request.budget_id)
    req = ActivityRequest.objects.select_for_update().get(pk=request.pk)
    errors: dict = {}
    cost = parse_amount(actual_cost, field="actual_cost", errors=errors)
    if cost is not None and req.approved_amount is not None and cost > req.approved_amount:
        errors["actual_cost"] = [
            ValidationError(
                _("At most the approved %(amount)s can be claimed.")
                % {"amount": money(req.approved_amount, budget.currency)},
                code="over_approved",
            )
        ]
    files = [f for f in (files or []) if f]
    if not files:
        errors["files"] = [ValidationError(_("Attach proof of performance (PDF, JPEG or PNG)."), code="required")]
    elif len(files) > MAX_FILES:
        errors["files"] = [ValidationError(_("At most %(n)s files.") % {"n": MAX_FILES}, code="too_many")]
    else:
        for f in files:
            try:
                uploads.PROOF_OF_PERFORMANCE.accept(f, field="files", required=True)
            except ValidationError as exc:
                errors.setdefault("files", []).extend(exc.error_dict["files"])
    if req.status != ActivityRequest.Status.APPROVED:
        errors["request"] = [ValidationError(_("Only an approved activity can be claimed."), code="not_approved")]
    elif req.claims.filter(status=Claim.Status.PENDING).exists():
        errors["request"] = [ValidationError(_("A claim for this activity is awaiting a decision."), code="pending")]
    elif req.ends_on > timezone.localdate():
        errors["request"] = [
            ValidationError(_("Claim once the activity has ended (%(day)s).") % {"day": req.ends_on}, code="too_early")
        ]
    if errors:
        raise ValidationError(errors)
    claim = Claim.objects.create(
        organisation_id=req.organisation_id,
        request=req,
        actual_cost=cost,
        note=(note or "").strip(),
        submitted_by=actor,
    )
    ProofFile.attach(files, organisation_id=req.organisation_id, claim=claim)
    audit.record(
        actor=actor,
        action="funds.claim_submitted",
        obj=claim,
        organisation=budget.organisation,
        after={"request": req.pk, "actual_cost": cost, "currency": budget.currency, "files": [f.name for f in files]},
    )
    return claim


@transaction.atomic
def approve_claim(*, actor: User, claim: Claim, amount=None, reason: str = "") -> Claim:
    """Approve a claim for its actual cost or less (a lower amount needs a reason); the amount is posted to
    the ledger (Dr vendor expense, Cr the partner's payable) and the request's reservation ends."""
    require_decider(actor)
    claim, req, budget = _locked(claim)
    _undecided(claim)
    errors: dict = {}
    value = claim.actual_cost if amount in (None, "") else parse_amount(amount, field="amount", errors=errors)
    reason = (reason or "").strip()
    if value is not None and value > claim.actual_cost:
        errors["amount"] = [
            ValidationError(
                _("At most the claimed %(amount)s can be approved.")
                % {"amount": money(claim.actual_cost, budget.currency)},
                code="over_claimed",
            )
        ]
    elif value is not None and value < claim.actual_cost and not reason:
        errors["reason"] = [ValidationError(_("Say why less than claimed is approved."), code="required")]
    if errors:
        raise ValidationError(errors)
    entries = ledger.post_many(
        kind=JournalEntry.Kind.FUND_CLAIM,
        actor=actor,
        key_prefix=f"fund-claim:{claim.pk}",
        postings=[ledger.Posting(budget.organisation_id, budget.currency, value)],
        memo=_("Development funds: %(title)s") % {"title": req.title},
    )
    before = audit.snapshot(claim, SNAPSHOT)
    claim.status, claim.approved_amount, claim.decision_reason = Claim.Status.APPROVED, value, reason
    claim.journal_entry = entries[(budget.organisation_id, budget.currency)]
    claim.decided_by, claim.decided_at = actor, timezone.now()
    claim.save(
        update_fields=["status", "approved_amount", "decision_reason", "journal_entry", "decided_by", "decided_at"]
    )
    ActivityRequest.objects.filter(pk=req.pk).update(status=ActivityRequest.Status.PAID, paid_amount=value)
    if budget.status == Budget.Status.CLOSED:  # decided after the period closed: the rest of the reservation expires
        Budget.objects.filter(pk=budget.pk).update(expired_amount=F("expired_amount") + req.approved_amount - value)
    audit.record(
        actor=actor,
        action="funds.claim_approved",
        obj=claim,
        organisation=budget.organisation,
        before=before,
        after=audit.snapshot(claim, SNAPSHOT),
        reason=reason,
    )
    tell_partner(
        organisation=budget.organisation,
        kind="funds.claim_approved",
        title=_("Claim approved: %(title)s") % {"title": req.title},
        body=(_("%(amount)s is payable to you.") % {"amount": money(value, budget.currency)})
        + (f"\n{reason}" if reason else ""),
    )
    return claim


@transaction.atomic
def reject_claim(*, actor: User, claim: Claim, reason: str) -> Claim:
    """Reject a claim with a reason; the activity stays approved (a new claim may follow) until its period ends."""
    require_decider(actor)
    if not (reason or "").strip():
        raise ValidationError({"reason": [ValidationError(_("Give the reason."), code="required")]})
    claim, req, budget = _locked(claim)
    _undecided(claim)
    before = audit.snapshot(claim, SNAPSHOT)
    claim.status, claim.decision_reason = Claim.Status.REJECTED, reason.strip()
    claim.decided_by, claim.decided_at = actor, timezone.now()
    claim.save(update_fields=["status", "decision_reason", "decided_by", "decided_at"])
    if budget.status == Budget.Status.CLOSED:  # no further claim: the reservation is released and expires
        ActivityRequest.objects.filter(pk=req.pk).update(status=ActivityRequest.Status.EXPIRED)
        Budget.objects.filter(pk=budget.pk).update(
            expired_amount=F("expired_amount") + req.approved_amount,
            released_amount=F("released_amount") + req.approved_amount,
        )
    audit.record(
        actor=actor,
        action="funds.claim_rejected",
        obj=claim,
        organisation=budget.organisation,
        before=before,
        after=audit.snapshot(claim, SNAPSHOT),
        reason=claim.decision_reason,
    )
    tell_partner(
        organisation=budget.organisation,
        kind="funds.claim_rejected",
        title=_("Claim rejected: %(title)s") % {"title": req.title},
        body=claim.decision_reason,
    )
    return claim
