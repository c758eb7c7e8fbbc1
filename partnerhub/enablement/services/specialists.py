"""Writes of the enablement context: specialists and their certifications."""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerhub.core import audit
from partnerhub.identity.models import Organisation, User
from partnerhub.identity.roles import OrgKind, Perm
from partnerhub.identity.services import require_perm

from .. import signals
from ..models import Certification, CertificationType, Specialist


def _clean_specialist(s: Specialist) -> None:
    errors: dict[str, list] = {}
    try:
        s.full_clean(exclude=["organisation", "user"], validate_constraints=False)
    except ValidationError as exc:
        errors.update(exc.error_dict)
    if (
        s.email
        and Specialist.objects.filter(organisation_id=s.organisation_id, email__iexact=s.email)
        .exclude(pk=s.pk)
        .exists()
    ):
        errors.setdefault("email", []).append(
            ValidationError(_("A specialist with this e-mail is already listed."), code="duplicate")
        )
    if errors:
        raise ValidationError(errors)


def _member_with_email(organisation: Organisation, email: str) -> User | None:
    """The organisation's member with this e-mail: the specialist's own account (to enrol and sit exams)."""
    if not email:
        return None
    return User.objects.filter(email__iexact=email, memberships__organisation=organisation).first()


@transaction.atomic
def specialist_create(
    *, actor: User, organisation: Organisation, full_name: str, email: str = "", position: str = ""
) -> Specialist:
    require_perm(actor=actor, perm=Perm.ORG_CHANGE, organisation=organisation)
    if organisation.kind != OrgKind.PARTNER:
        raise ValidationError({"organisation": [_("Specialists belong to partner organisations.")]})
    s = Specialist(organisation=organisation, full_name=(full_name or "").strip(), email=(email or "").strip().lower(),
                   position=(position or "").strip())  # fmt: skip
    _clean_specialist(s)
    s.user = _member_with_email(organisation, s.email)
    s.save()
    audit.record(actor=actor, action="specialist.created", obj=s, organisation=organisation, after=audit.snapshot(s))
    return s


@transaction.atomic
def specialist_update(*, actor: User, specialist: Specialist, **changes) -> Specialist:
    s = Specialist.objects.select_for_update().select_related("organisation").get(pk=specialist.pk)
    require_perm(actor=actor, perm=Perm.ORG_CHANGE, organisation=s.organisation)
    unknown = set(changes) - {"full_name", "email", "position", "is_active"}
    if unknown:
        raise ValidationError({f: [_("This field cannot be changed here.")] for f in sorted(unknown)})
    before = audit.snapshot(s)
    for key, value in changes.items():
        setattr(s, key, value.strip() if isinstance(value, str) else value)
    s.email = s.email.lower()
    _clean_specialist(s)
    if audit.snapshot(s) == before:
        return s
    if "email" in changes:
        s.user = _member_with_email(s.organisation, s.email)
    s.save()
    audit.record(actor=actor, action="specialist.updated", obj=s, organisation=s.organisation, before=before,
                 after=audit.snapshot(s))  # fmt: skip
    return s


@transaction.atomic
def certification_add(
    *, actor: User, specialist: Specialist, type_code: str, issued_on: date, expires_on: date | None = None,
    number: str = "",
) -> Certification:  # fmt: skip
    s = Specialist.objects.select_related("organisation").get(pk=specialist.pk)
    require_perm(actor=actor, perm=Perm.ORG_CHANGE, organisation=s.organisation)
    errors: dict[str, list[str]] = {}
    ctype = CertificationType.objects.filter(code=type_code).first()
    if ctype is None:
        errors["type_code"] = [_("Unknown certification type.")]
    if issued_on is None:
        errors["issued_on"] = [_("This field is required.")]
    elif issued_on > timezone.localdate():
        errors["issued_on"] = [_("A certificate cannot be issued in the future.")]
    if expires_on is None and ctype is not None and ctype.validity_months and issued_on:
        expires_on = issued_on + relativedelta(months=ctype.validity_months)
    if expires_on is not None and issued_on is not None and expires_on <= issued_on:
        errors["expires_on"] = [_("The expiry date must be after the issue date.")]
    if errors:
        raise ValidationError(errors)
    c = Certification.objects.create(specialist=s, type=ctype, issued_on=issued_on, expires_on=expires_on,
                                     number=(number or "").strip())  # fmt: skip
    audit.record(actor=actor, action="certification.added", obj=c, organisation=s.organisation,
                 after=audit.snapshot(c) | {"specialist": s.full_name, "type": ctype.code})  # fmt: skip
    signals.announce(organisation_id=s.organisation_id, reason="issued")
    return c


@transaction.atomic
def certification_remove(*, actor: User, certification: Certification) -> None:
    c = Certification.objects.select_related("specialist__organisation", "type").get(pk=certification.pk)
    org = c.specialist.organisation
    require_perm(actor=actor, perm=Perm.ORG_CHANGE, organisation=org)
    audit.record(actor=actor, action="certification.removed", obj=c, organisation=org,
                 before=audit.snapshot(c) | {"specialist": c.specialist.full_name, "type": c.type.code})  # fmt: skip
    if c.attempt_id is not None:
        raise ValidationError({"certification": [_("A certificate earned in an exam is revoked, not removed.")]})
    c.delete()
    signals.announce(organisation_id=org.pk, reason="revoked")
