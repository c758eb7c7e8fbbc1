"""Every write of benefit requests: keyword-only, one transaction, permission checked, audited.

A request is checked against the partner's tier *now* and what it has used this year, under a lock of its
enrolment row (two requests at once cannot both take the last licence). A downgrade therefore stops new
requests beyond the new tier's limits; nothing already issued is revoked.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from partnerhub.core import audit
from partnerhub.core.notify import notify
from partnerhub.identity.models import Organisation, User
from partnerhub.identity.roles import OrgKind, Role
from partnerhub.partners.models import Enrolment
from partnerhub.programmes.models import Benefit
from partnerhub.webhooks.services import publish_event

from .entitlements import REQUESTERS, entitlements, require_decider, require_requester, year_start
from .models import LICENSED, BenefitRequest, Kind

SNAPSHOT = ("status", "decision_reason", "expires_on", "modules_expire_on")
MAX_QUANTITY = 10000


def _error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: [ValidationError(message, code=code)]})


def _refusal(ent, quantity: int) -> ValidationError:
    left = ent.remaining or 0
    message = ngettext(
        "Your tier allows %(limit)s %(unit)s of “%(benefit)s” a year; %(left)s remains, you asked for %(asked)s.",
        "Your tier allows %(limit)s %(unit)s of “%(benefit)s” a year; %(left)s remain, you asked for %(asked)s.",
        left,
    ) % {"limit": ent.limit, "unit": ent.unit, "benefit": ent.kind_label, "left": left, "asked": quantity}
    return _error("quantity", message, "over_entitlement")


def _tell_partner(req: BenefitRequest, *, kind: str, title: str, body: str = "") -> None:
    users = [req.requested_by] if req.requested_by and req.requested_by.is_active else list(
        User.objects.filter(memberships__organisation_id=req.organisation_id, memberships__role__in=REQUESTERS,
                            is_active=True).distinct()
    )  # fmt: skip
    notify(users=users, organisation=req.organisation, kind=kind, title=title, body=body, url="/benefits/")


def _tell_vendor(req: BenefitRequest, title: str) -> None:
    manager = req.organisation.partner_manager
    users = [manager] if manager else list(
        User.objects.filter(memberships__organisation__kind=OrgKind.VENDOR, memberships__role=Role.VENDOR_ADMIN,
                            is_active=True).distinct()
    )  # fmt: skip
    notify(users=users, organisation=req.organisation, kind="benefits.requested", title=title,
           url=f"/benefits/requests/{req.pk}/")  # fmt: skip


def _publish(event_type: str, req: BenefitRequest) -> None:
    """The licence key is never sent in a webhook: the partner reads it on its page or through the API."""
    publish_event(event_type=event_type, organisation_ids=[req.organisation_id], payload={
        "benefit_request_id": req.pk, "kind": req.kind, "quantity": req.quantity, "status": req.status,
        "tier_code": req.tier_code, "expires_on": req.expires_on, "reason": req.decision_reason,
    })  # fmt: skip


@transaction.atomic
def submit_request(
    *, actor: User, organisation: Organisation, kind: str, quantity: int = 1, note: str = "",
    programme_id: int | None = None, on: date | None = None,
) -> BenefitRequest:  # fmt: skip
    """The partner asks for a benefit of its tier; beyond what remains this year it is refused, saying what
    remains. The enrolment row is locked first, so concurrent requests are counted one after the other."""
    require_requester(actor, organisation)
    on = on or timezone.localdate()
    if kind not in Kind.values:
        raise _error("kind", _("Choose a benefit of your tier."), "invalid_choice")
    try:
        quantity = int(quantity)
    except (TypeError, ValueError):
        quantity = 0
    if not 1 <= quantity <= MAX_QUANTITY:
        raise _error("quantity", _("Give a whole number from 1 to %(n)s.") % {"n": MAX_QUANTITY}, "invalid")
    if len(note or "") > 5000:
        raise _error("note", _("At most %(n)s characters.") % {"n": 5000}, "max_length")
    locked = Enrolment.objects.select_for_update().filter(organisation=organisation, status=Enrolment.Status.ACTIVE)
    list(locked.order_by("pk").values_list("pk", flat=True))  # lock every active enrolment, in one order
    ents = [e for e in entitlements(organisation=organisation, on=on, programme_id=programme_id) if e.kind == kind]
    if not ents:
        raise _error("kind", _("Your current tier does not include this benefit."), "not_entitled")
    ent = ents[0]
    if ent.limit is not None and quantity > (ent.remaining or 0):
        raise _refusal(ent, quantity)
    req = BenefitRequest.objects.create(
        organisation=organisation, programme=ent.programme, tier_code=ent.tier.code, benefit_code=ent.benefit.code,
        kind=kind, quantity=quantity, note=(note or "").strip(), period_start=year_start(on), requested_by=actor,
    )  # fmt: skip
    audit.record(actor=actor, action="benefits.requested", obj=req, organisation=organisation, after={
        "kind": kind, "quantity": quantity, "tier_code": ent.tier.code, "period_start": req.period_start,
    })  # fmt: skip
    _tell_vendor(req, _("%(partner)s requests: %(benefit)s × %(n)s") % {
        "partner": organisation.name, "benefit": req.get_kind_display(), "n": quantity})  # fmt: skip
    return req


def _lock(req: BenefitRequest) -> BenefitRequest:
    return BenefitRequest.objects.select_for_update().select_related("organisation").get(pk=req.pk)


def _decided(req: BenefitRequest, actor: User, action: str, before: dict) -> None:
    audit.record(actor=actor, action=action, obj=req, organisation=req.organisation, before=before,
                 after=audit.snapshot(req, SNAPSHOT), reason=req.decision_reason)  # fmt: skip


@transaction.atomic
def approve(*, actor: User, request: BenefitRequest, reason: str = "") -> BenefitRequest:
    require_decider(actor)
    req = _lock(request)
    if req.status != BenefitRequest.Status.PENDING:
        raise _error("status", _("This request has already been decided."), "decided")
    before = audit.snapshot(req, SNAPSHOT)
    req.status, req.decision_reason = BenefitRequest.Status.APPROVED, (reason or "").strip()
    req.decided_by, req.decided_at = actor, timezone.now()
    req.save(update_fields=["status", "decision_reason", "decided_by", "decided_at"])
    _decided(req, actor, "benefits.approved", before)
    _tell_partner(req, kind="benefits.approved", title=_("Benefit request approved: %(benefit)s") % {
        "benefit": req.get_kind_display()})  # fmt: skip
    _publish("benefit.decided", req)
    return req


@transaction.atomic
def reject(*, actor: User, request: BenefitRequest, reason: str) -> BenefitRequest:
    """Refuse a pending or approved (not yet fulfilled) request; what it counted is released."""
    require_decider(actor)
    if not (reason or "").strip():
        raise _error("reason", _("Give the reason."), "required")
    req = _lock(request)
    if req.status not in (BenefitRequest.Status.PENDING, BenefitRequest.Status.APPROVED):
        raise _error("status", _("This request has already been decided."), "decided")
    before = audit.snapshot(req, SNAPSHOT)
    req.status, req.decision_reason = BenefitRequest.Status.REJECTED, reason.strip()
    req.decided_by, req.decided_at = actor, timezone.now()
    req.save(update_fields=["status", "decision_reason", "decided_by", "decided_at"])
    _decided(req, actor, "benefits.rejected", before)
    _tell_partner(req, kind="benefits.rejected", title=_("Benefit request rejected: %(benefit)s") % {
        "benefit": req.get_kind_display()}, body=req.decision_reason)  # fmt: skip
    _publish("benefit.decided", req)
    return req


@transaction.atomic
def fulfil(
    *, actor: User, request: BenefitRequest, licence_key: str = "", expires_on: date | None = None, note: str = ""
) -> BenefitRequest:
    """Deliver an approved (or pending: approved at once) request: a licence kind records its key, kept
    encrypted, and its expiry (default: the benefit's term, a year; an NFR's modules its trial days)."""
    require_decider(actor)
    req = _lock(request)
    if req.status not in (BenefitRequest.Status.PENDING, BenefitRequest.Status.APPROVED):
        raise _error("status", _("Only a pending or approved request is fulfilled."), "not_open")
    key = (licence_key or "").strip()
    if req.kind in LICENSED and not key:
        raise _error("licence_key", _("Record the licence key issued."), "required")
    if len(key) > 5000 or len(note or "") > 5000:
        raise _error("licence_key", _("At most %(n)s characters.") % {"n": 5000}, "max_length")
    today = timezone.localdate()
    if expires_on is not None and expires_on < today:
        raise _error("expires_on", _("The expiry date is in the past."), "past")
    before = audit.snapshot(req, SNAPSHOT)
    benefit = Benefit.objects.filter(tier__version__programme_id=req.programme_id, tier__code=req.tier_code,
                                     code=req.benefit_code).order_by("-tier__version__number").first()  # fmt: skip
    if req.kind in LICENSED:
        term = (benefit.term_days if benefit and benefit.term_days else None) or 365
        req.expires_on = expires_on or today + timedelta(days=term)
        if req.kind == Kind.NFR_LICENCES and benefit and benefit.days:
            req.modules_expire_on = min(today + timedelta(days=benefit.days), req.expires_on)
    else:
        req.expires_on = expires_on
    if req.status == BenefitRequest.Status.PENDING:
        req.decided_by, req.decided_at = actor, timezone.now()
    req.status, req.licence_key, req.fulfilment_note = BenefitRequest.Status.FULFILLED, key, (note or "").strip()
    req.fulfilled_at = timezone.now()
    req.save()
    _decided(req, actor, "benefits.fulfilled", before)
    _tell_partner(req, kind="benefits.fulfilled", title=_("Benefit delivered: %(benefit)s") % {
        "benefit": req.get_kind_display()})  # fmt: skip
    _publish("benefit.fulfilled", req)
    return req
