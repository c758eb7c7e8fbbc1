"""Obligations checked by evidence or by the partner manager (contract, reports, promotion…)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerhub.core import audit, uploads
from partnerhub.core.notify import notify
from partnerhub.core.tenancy import actor_for
from partnerhub.core.validators import clean_web_url
from partnerhub.identity.models import Organisation, User
from partnerhub.identity.roles import OrgKind, Role
from partnerhub.programmes.models import Requirement

from .models import ObligationRecord


def _is_manager_of(actor: User, org: Organisation) -> bool:
    who = actor_for(actor)
    return Role.VENDOR_ADMIN in who.vendor_roles or (who.is_partner_manager and org.partner_manager_id == actor.pk)


def _validate(
    obligation: str, valid_from: date | None, valid_until: date | None, evidence_file=None, evidence_url: str = ""
) -> str:
    """Every field's errors at once; returns the cleaned evidence URL."""
    errors: dict[str, list] = {}
    try:
        evidence_url = clean_web_url(evidence_url, field="evidence_url")
    except ValidationError as exc:
        errors.update(exc.error_dict)
    if obligation not in Requirement.Obligation.values:
        errors["obligation"] = [_("Unknown obligation.")]
    if valid_from is None:
        errors["valid_from"] = [_("This field is required.")]
    elif valid_until is not None and valid_until <= valid_from:
        errors["valid_until"] = [_("The end must be after the start.")]
    try:
        uploads.EVIDENCE.accept(evidence_file, field="evidence_file")
    except ValidationError as exc:
        errors.update(exc.error_dict)
    if errors:
        raise ValidationError(errors)
    return evidence_url


@transaction.atomic
def submit_evidence(
    *, actor: User, organisation: Organisation, obligation: str, valid_from: date, valid_until: date | None = None,
    note: str = "", evidence_url: str = "", evidence_file=None,
) -> ObligationRecord:  # fmt: skip
    """A partner's member submits evidence; the partner manager reviews it."""
    if not Organisation.objects.visible_to(actor).filter(pk=organisation.pk).exists():
        from django.http import Http404

        raise Http404
    manager = _is_manager_of(actor, organisation)
    if organisation.kind != OrgKind.PARTNER or (organisation.pk not in actor_for(actor).org_ids and not manager):
        raise PermissionDenied(_("Only the partner's members or its manager record obligations."))
    evidence_url = _validate(obligation, valid_from, valid_until, evidence_file, evidence_url)
    if not manager and not (note.strip() or evidence_url or evidence_file):
        raise ValidationError({"evidence_file": [_("Attach a file, give a link or describe the evidence.")]})
    record = ObligationRecord(
        organisation=organisation, obligation=obligation, valid_from=valid_from, valid_until=valid_until,
        note=note.strip(), evidence_url=evidence_url, submitted_by=actor,
        status=ObligationRecord.Status.ACCEPTED if manager else ObligationRecord.Status.SUBMITTED,
    )  # fmt: skip
    if manager:
        record.reviewed_by, record.reviewed_at = actor, timezone.now()
    if evidence_file is not None:
        record.evidence_file = evidence_file
    record.save()
    audit.record(actor=actor, action="obligation.recorded" if manager else "obligation.submitted", obj=record,
                 organisation=organisation, after=audit.snapshot(record))  # fmt: skip
    if not manager and organisation.partner_manager_id:
        notify(users=[organisation.partner_manager], organisation=organisation, kind="obligation.submitted",
               title=_("%(org)s submitted evidence: %(what)s") % {
                   "org": organisation.name, "what": Requirement.Obligation(obligation).label},
               url=reverse("obligation-list"))  # fmt: skip
    return record


@transaction.atomic
def review(*, actor: User, record: ObligationRecord, accept: bool, reason: str = "") -> ObligationRecord:
    r = ObligationRecord.objects.select_for_update().select_related("organisation").get(pk=record.pk)
    if not _is_manager_of(actor, r.organisation):
        raise PermissionDenied(_("Only the partner's manager or a vendor administrator reviews evidence."))
    if r.status != ObligationRecord.Status.SUBMITTED:
        raise ValidationError({"__all__": [_("This evidence has already been reviewed.")]})
    if not accept and not reason.strip():
        raise ValidationError({"reason": [_("Say why the evidence is rejected.")]})
    before = audit.snapshot(r)
    r.status = ObligationRecord.Status.ACCEPTED if accept else ObligationRecord.Status.REJECTED
    r.review_reason, r.reviewed_by, r.reviewed_at = reason.strip(), actor, timezone.now()
    r.save(update_fields=["status", "review_reason", "reviewed_by", "reviewed_at"])
    audit.record(actor=actor, action=f"obligation.{r.status}", obj=r, organisation=r.organisation, before=before,
                 after=audit.snapshot(r), reason=reason.strip())  # fmt: skip
    admins = User.objects.filter(memberships__organisation=r.organisation, memberships__role=Role.PARTNER_ADMIN)
    if r.submitted_by_id:
        admins = admins | User.objects.filter(pk=r.submitted_by_id)
    notify(users=list(admins.distinct()), organisation=r.organisation, kind=f"obligation.{r.status}",
           title=_("Evidence %(status)s: %(what)s") % {"status": r.get_status_display().lower(),
                                                        "what": Requirement.Obligation(r.obligation).label},
           body=reason.strip(), url=reverse("obligation-list"))  # fmt: skip
    return r
