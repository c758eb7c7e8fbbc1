from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerhub.core import audit
from partnerhub.core.notify import notify
from partnerhub.core.tenancy import actor_for
from partnerhub.identity.models import User
from partnerhub.identity.roles import Perm
from partnerhub.identity.services import require_perm

from ..models import Claim, ClaimActivity
from .claims import (
    STAGE_ORDER,
    S,
    _activity,
    _check_lock_version,
    _deciders,
    _locked,
    _publish,
    _require_open,
    _set_status,
    _url,
)
from .decisions import _require_decider
from .rules import claim_rules, protection_days


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
        from partnerhub.rewards.services import WonLine, record_won_deal

        record_won_deal(
            actor=actor, deal_id=claim.pk, organisation=claim.organisation, customer_name=claim.customer_name,
            customer_inn=claim.customer_inn, currency=claim.currency, closed_on=claim.closed_on,
            lines=[WonLine(line_id=line.pk, product_family=line.product_family, product=line.product,
                           sale_type=line.sale_type, amount=line.amount)
                   for line in claim.lines.select_related("product_family")],
            uplift_percent=claim.uplift_percent, share_percent=claim.benefit_share_percent,
            cooperation_model=claim.cooperation_model,
        )  # fmt: skip
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
