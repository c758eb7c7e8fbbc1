"""Every write of partner support: keyword-only, one transaction, permission checked, audited."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerhub.core import audit, uploads
from partnerhub.core.notify import notify
from partnerhub.core.tenancy import actor_for
from partnerhub.identity.models import Organisation, User
from partnerhub.identity.roles import Role
from partnerhub.programmes.models import Programme
from partnerhub.webhooks.services import publish_event

from .models import Attachment, Reply, SupportRequest, SupportTarget
from .rules import (
    PARTNER_ROLES,
    agents,
    due,
    is_agent,
    is_requester,
    require_agent,
    require_requester,
    targets_for,
)

MAX_FILES = 5
S = SupportRequest.Status
SNAPSHOT = ("status", "assignee_id", "rating")


def _text(value, *, field: str, errors: dict, message: str, limit: int = 20000) -> str:
    text = (value or "").strip()
    if not text:
        errors[field] = [ValidationError(message, code="required")]
    elif len(text) > limit:
        errors[field] = [ValidationError(_("At most %(n)s characters.") % {"n": limit}, code="max_length")]
    return text


def _files(files, errors: dict) -> list:
    files = [f for f in (files or []) if f]
    if len(files) > MAX_FILES:
        errors["files"] = [ValidationError(_("At most %(n)s files.") % {"n": MAX_FILES}, code="too_many")]
        return files
    for f in files:
        try:
            uploads.EVIDENCE.accept(f, field="files")
        except ValidationError as exc:
            errors.setdefault("files", []).extend(exc.error_dict["files"])
    return files


def _publish(event_type: str, req: SupportRequest, **extra) -> None:
    publish_event(event_type=event_type, organisation_ids=[req.organisation_id], payload={
        "support_request_id": req.pk, "kind": req.kind, "subject": req.subject, "status": req.status,
        "first_response_due": req.first_response_due, "resolution_due": req.resolution_due,
        "first_response_at": req.first_response_at, "resolved_at": req.resolved_at, **extra,
    })  # fmt: skip


def _partner_users(organisation_id: int):
    return User.objects.filter(
        memberships__organisation_id=organisation_id, memberships__role__in=PARTNER_ROLES, is_active=True
    ).distinct()


def _tell_partner(req: SupportRequest, *, kind: str, title: str, body: str = "") -> None:
    users = [req.opened_by] if req.opened_by and req.opened_by.is_active else list(_partner_users(req.organisation_id))
    notify(users=users, organisation=req.organisation, kind=kind, title=title, body=body, url=f"/support/{req.pk}/")


def _tell_vendor(req: SupportRequest, *, kind: str, title: str, body: str = "") -> None:
    """The assignee, else the partner's manager, else every vendor administrator."""
    if req.assignee_id:
        users = [req.assignee]
    elif req.organisation.partner_manager_id:
        users = [req.organisation.partner_manager]
    else:
        users = list(agents().filter(memberships__role="vendor_admin"))
    notify(users=users, organisation=req.organisation, kind=kind, title=title, body=body, url=f"/support/{req.pk}/")


def _add_reply(req: SupportRequest, actor: User, body: str, files: list, *, from_vendor: bool) -> Reply:
    reply = Reply.objects.create(
        organisation_id=req.organisation_id, request=req, author=actor, from_vendor=from_vendor, body=body
    )
    Attachment.attach(files, organisation_id=req.organisation_id, reply=reply)
    return reply


@transaction.atomic
def open_request(
    *, actor: User, organisation: Organisation, kind: str, subject: str, body: str, files=()
) -> SupportRequest:
    """A partner's staff open a request; its targets come from the partner's tier (the best enrolment)."""
    require_requester(actor, organisation)
    errors: dict = {}
    if kind not in SupportRequest.Kind.values:
        errors["kind"] = [ValidationError(_("Choose what the request is about."), code="invalid_choice")]
    subject = _text(subject, field="subject", errors=errors, message=_("Give the request a subject."), limit=200)
    body = _text(body, field="body", errors=errors, message=_("Describe what you need."))
    files = _files(files, errors)
    if errors:
        raise ValidationError(errors)
    programme_id, tier_code, first_hours, resolution_hours = targets_for(organisation)
    now = timezone.now()
    req = SupportRequest.objects.create(
        organisation=organisation, kind=kind, subject=subject, programme_id=programme_id, tier_code=tier_code,
        first_response_hours=first_hours, resolution_hours=resolution_hours,
        first_response_due=due(now, first_hours), resolution_due=due(now, resolution_hours), opened_by=actor,
    )  # fmt: skip
    _add_reply(req, actor, body, files, from_vendor=False)
    audit.record(actor=actor, action="support.opened", obj=req, organisation=organisation, after={
        "kind": kind, "tier_code": tier_code, "first_response_due": req.first_response_due,
        "resolution_due": req.resolution_due,
    })  # fmt: skip
    _tell_vendor(req, kind="support.opened", title=_("New support request: %(subject)s") % {"subject": subject})
    _publish("support.opened", req)
    return req


def _lock(req: SupportRequest) -> SupportRequest:
    return SupportRequest.objects.select_for_update().select_related("organisation").get(pk=req.pk)


def _record(actor, action: str, req: SupportRequest, before: dict, **kw) -> None:
    audit.record(actor=actor, action=action, obj=req, organisation=req.organisation, before=before,
                 after=audit.snapshot(req, SNAPSHOT), **kw)  # fmt: skip


@transaction.atomic
def reply(*, actor: User, request: SupportRequest, body: str, files=(), waiting_for_partner: bool = False) -> Reply:
    """A message in the thread. The vendor's first one is the first response (the clock stops); the vendor may
    hand the request to the partner (waiting for the partner); the partner's reply hands it back."""
    req = _lock(request)
    vendor = is_agent(actor)
    if not vendor and not is_requester(actor, req.organisation_id):
        raise PermissionDenied(_("Only the partner's staff and the vendor's support answer a request."))
    errors: dict = {}
    body = _text(body, field="body", errors=errors, message=_("Write the message."))
    files = _files(files, errors)
    if req.status == S.CLOSED:
        errors["body"] = [ValidationError(_("This request is closed: reopen it to write."), code="closed")]
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(req, SNAPSHOT)
    now = timezone.now()
    message = _add_reply(req, actor, body, files, from_vendor=vendor)
    fields = ["status", "updated_at"]
    if vendor:
        if req.first_response_at is None:
            req.first_response_at = now
            fields.append("first_response_at")
            if now > req.first_response_due and req.response_breached_at is None:
                req.response_breached_at = now
                fields.append("response_breached_at")
        if req.assignee_id is None:
            req.assignee = actor
            fields.append("assignee")
        req.status = S.WAITING_PARTNER if waiting_for_partner else S.IN_PROGRESS
    elif req.status in (S.WAITING_PARTNER, S.RESOLVED):
        req.status = S.IN_PROGRESS if req.first_response_at else S.NEW
    req.save(update_fields=fields)
    _record(actor, "support.replied", req, before)
    title = _("New reply to your support request: %(subject)s") % {"subject": req.subject}
    if vendor:
        _tell_partner(req, kind="support.replied", title=title, body=body[:500])
        _publish("support.replied", req, from_vendor=True)
    else:
        title = _("The partner replied: %(subject)s") % {"subject": req.subject}
        _tell_vendor(req, kind="support.replied", title=title, body=body[:500])
    return message


@transaction.atomic
def assign(*, actor: User, request: SupportRequest, assignee_id: int | None) -> SupportRequest:
    require_agent(actor)
    req = _lock(request)
    assignee = agents().filter(pk=assignee_id).first() if assignee_id else None
    if assignee_id and assignee is None:
        raise ValidationError({"assignee_id": [ValidationError(
            _("Choose a vendor administrator or partner manager."), code="invalid_choice")]})  # fmt: skip
    before = audit.snapshot(req, SNAPSHOT)
    req.assignee = assignee
    if req.status == S.NEW and assignee is not None:
        req.status = S.IN_PROGRESS
    req.save(update_fields=["assignee", "status", "updated_at"])
    _record(actor, "support.assigned", req, before)
    if assignee is not None and assignee != actor:
        notify(users=[assignee], organisation=req.organisation, kind="support.assigned",
               title=_("Support request assigned to you: %(subject)s") % {"subject": req.subject},
               url=f"/support/{req.pk}/")  # fmt: skip
    return req


VENDOR_MOVES = {S.IN_PROGRESS, S.WAITING_PARTNER, S.RESOLVED, S.CLOSED}


@transaction.atomic
def set_status(*, actor: User, request: SupportRequest, status: str) -> SupportRequest:
    """The vendor moves a request: in progress, waiting for the partner, resolved, closed (without a rating)."""
    require_agent(actor)
    req = _lock(request)
    if status not in VENDOR_MOVES:
        raise ValidationError({"status": [ValidationError(_("Choose a status."), code="invalid_choice")]})
    if req.status == S.CLOSED:
        raise ValidationError({"status": [ValidationError(_("This request is closed."), code="closed")]})
    before = audit.snapshot(req, SNAPSHOT)
    now = timezone.now()
    req.status = status
    if status in (S.RESOLVED, S.CLOSED) and req.resolved_at is None:
        req.resolved_at = now
        if now > req.resolution_due and req.resolution_breached_at is None:
            req.resolution_breached_at = now
    if status == S.CLOSED:
        req.closed_at = now
    req.save()
    _record(actor, "support.status_changed", req, before)
    title = _("Support request %(subject)s: %(status)s") % {"subject": req.subject, "status": req.get_status_display()}
    _tell_partner(req, kind="support.status_changed", title=title)
    _publish("support.status_changed", req)
    return req


@transaction.atomic
def close(*, actor: User, request: SupportRequest, rating: int | None, comment: str = "") -> SupportRequest:
    """The partner closes its request with a satisfaction rating from 1 to 5 and an optional comment."""
    req = _lock(request)
    if not is_requester(actor, req.organisation_id):
        raise PermissionDenied(_("Only the partner's staff close their request with a rating."))
    errors: dict = {}
    if rating is None or not (1 <= int(rating) <= 5):
        errors["rating"] = [ValidationError(_("Rate the support from 1 to 5."), code="invalid")]
    if req.status == S.CLOSED:
        errors["status"] = [ValidationError(_("This request is closed."), code="closed")]
    if len(comment or "") > 2000:
        errors["comment"] = [ValidationError(_("At most %(n)s characters.") % {"n": 2000}, code="max_length")]
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(req, SNAPSHOT)
    now = timezone.now()
    if req.resolved_at is None:
        req.resolved_at = now
        if now > req.resolution_due and req.resolution_breached_at is None:
            req.resolution_breached_at = now
    req.status, req.closed_at, req.rating, req.rating_comment = S.CLOSED, now, int(rating), (comment or "").strip()
    req.save()
    _record(actor, "support.closed", req, before)
    title = _("Support request closed with rating %(n)s: %(subject)s") % {"n": req.rating, "subject": req.subject}
    _tell_vendor(req, kind="support.closed", title=title)
    return req


@transaction.atomic
def reopen(*, actor: User, request: SupportRequest, reason: str = "") -> SupportRequest:
    """The partner reopens a resolved or closed request: its resolution clock starts again from now."""
    req = _lock(request)
    if not is_requester(actor, req.organisation_id):
        raise PermissionDenied(_("Only the partner's staff reopen their request."))
    if req.status not in (S.RESOLVED, S.CLOSED):
        raise ValidationError({"status": [ValidationError(_("Only a resolved or closed request is reopened."),
                                                          code="not_resolved")]})  # fmt: skip
    before = audit.snapshot(req, SNAPSHOT)
    now = timezone.now()
    req.status, req.resolved_at, req.closed_at, req.rating, req.rating_comment = S.IN_PROGRESS, None, None, None, ""
    req.resolution_due, req.resolution_breached_at = due(now, req.resolution_hours), None
    req.save()
    _record(actor, "support.reopened", req, before, reason=(reason or "").strip())
    _tell_vendor(
        req, kind="support.reopened", title=_("Support request reopened: %(subject)s") % {"subject": req.subject}
    )
    _publish("support.status_changed", req)
    return req


@transaction.atomic
def set_target(
    *, actor: User, programme_code: str, tier_code: str, first_response_hours: int, resolution_hours: int
) -> SupportTarget:
    """The vendor's response-time targets for a programme's tier (vendor administrators)."""
    if Role.VENDOR_ADMIN not in actor_for(actor).vendor_roles:
        raise PermissionDenied(_("Only the vendor's administrators set support targets."))
    errors: dict = {}
    programme = Programme.objects.filter(code=programme_code).first()
    if programme is None:
        errors["programme_code"] = [ValidationError(_("No programme has this code."), code="invalid")]
    if not first_response_hours or first_response_hours < 1:
        errors["first_response_hours"] = [ValidationError(_("At least one hour."), code="invalid")]
    elif not resolution_hours or resolution_hours < first_response_hours:
        errors["resolution_hours"] = [ValidationError(_("Resolution cannot come before the first response."),
                                                      code="invalid")]  # fmt: skip
    if errors:
        raise ValidationError(errors)
    target, _created = SupportTarget.objects.update_or_create(
        programme=programme, tier_code=tier_code,
        defaults={"first_response_hours": first_response_hours, "resolution_hours": resolution_hours},
    )  # fmt: skip
    audit.record(actor=actor, action="support.target_set", obj=target, after={
        "tier_code": tier_code, "first_response_hours": first_response_hours, "resolution_hours": resolution_hours,
    })  # fmt: skip
    return target


def mark_breaches(*, now=None) -> list[int]:
    """Stamp the requests whose first response or resolution is overdue, tell both sides and publish the event.
    Idempotent: a guarded ``UPDATE … WHERE breached IS NULL`` claims each breach once."""
    now = now or timezone.now()
    open_statuses = list(SupportRequest.OPEN_STATUSES)
    marked: list[int] = []
    for field, due_field, done_field, what in (
        ("response_breached_at", "first_response_due", "first_response_at", _("first response")),
        ("resolution_breached_at", "resolution_due", "resolved_at", _("resolution")),
    ):
        candidates = SupportRequest.objects.filter(
            Q(**{f"{field}__isnull": True, f"{due_field}__lt": now, f"{done_field}__isnull": True}),
            status__in=open_statuses,
        ).values_list("pk", flat=True)
        for pk in list(candidates):
            with transaction.atomic():
                claimed = SupportRequest.objects.filter(pk=pk, **{f"{field}__isnull": True}).update(**{field: now})
                if not claimed:
                    continue
                req = SupportRequest.objects.select_related("organisation", "assignee", "opened_by").get(pk=pk)
                audit.record(actor=None, action="support.breached", obj=req, organisation=req.organisation,
                             after={"breach": str(what)})  # fmt: skip
                title = _("Support target missed (%(what)s): %(subject)s") % {"what": what, "subject": req.subject}
                _tell_vendor(req, kind="support.breached", title=title)
                _tell_partner(req, kind="support.breached", title=title)
                _publish("support.breached", req, breach=field.removesuffix("_breached_at"))
                marked.append(pk)
    return marked
