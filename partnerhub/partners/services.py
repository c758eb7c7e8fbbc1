"""Writes of the partners context: enrolment in programmes and tier state."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from partnerhub.core import audit
from partnerhub.identity.models import Organisation, User
from partnerhub.identity.roles import OrgKind
from partnerhub.programmes.models import Programme

from .models import Enrolment, TierChange


@transaction.atomic
def enrol(
    *,
    actor: User | None,
    organisation: Organisation,
    programme: Programme,
    role_code: str,
    starting_tier_code: str | None = None,
    joined_on: date,
    active: bool = False,
) -> Enrolment:
    """Enrol a partner organisation in a programme with a role and a starting tier.

    The role and tier are checked against the programme version in force on ``joined_on``.
    """
    from partnerhub.programmes.selectors import version_in_force

    if organisation.kind != OrgKind.PARTNER:
        raise ValidationError({"organisation": [_("Only partner organisations join programmes.")]})
    version = version_in_force(programme=programme, on=joined_on)
    if version is None:
        raise ValidationError({"programme": [_("The programme has no version in force on that date.")]})
    role = version.roles.filter(code=role_code).first()
    if role is None:
        raise ValidationError({"role_code": [_("The programme has no role %(code)s.") % {"code": role_code}]})
    if starting_tier_code:
        if not role.has_tiers:
            raise ValidationError({"starting_tier_code": [_("This role carries no tiers.")]})
        if not version.tiers.filter(code=starting_tier_code).exists():
            raise ValidationError(
                {"starting_tier_code": [_("The programme has no tier %(code)s.") % {"code": starting_tier_code}]}
            )
    if Enrolment.objects.filter(organisation=organisation, programme=programme).exists():
        raise ValidationError({"programme": [_("This partner is already enrolled in the programme.")]})
    enrolment = Enrolment.objects.create(
        organisation=organisation,
        programme=programme,
        role_code=role_code,
        joined_on=joined_on,
        status=Enrolment.Status.ACTIVE if active else Enrolment.Status.CONTRACT_PENDING,
        tier_code=starting_tier_code or None,
        tier_since=joined_on if starting_tier_code else None,
    )
    if starting_tier_code:
        TierChange.objects.create(
            enrolment=enrolment, effective_on=joined_on, from_tier_code=None, to_tier_code=starting_tier_code,
            version=version, cause=TierChange.Cause.ONBOARDING, actor=actor,
        )  # fmt: skip
    audit.record(
        actor=actor, action="enrolment.created", obj=enrolment, organisation=organisation,
        after=audit.snapshot(enrolment),
    )  # fmt: skip
    return enrolment


@transaction.atomic
def activate_enrolment(*, actor: User | None, enrolment: Enrolment) -> Enrolment:
    """Contract step done: the enrolment becomes active."""
    e = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if e.status == Enrolment.Status.ACTIVE:
        return e
    if e.status != Enrolment.Status.CONTRACT_PENDING:
        raise ValidationError({"status": [_("Only an enrolment awaiting its contract can be activated.")]})
    before = audit.snapshot(e)
    e.status = Enrolment.Status.ACTIVE
    e.save(update_fields=["status"])
    audit.record(
        actor=actor, action="enrolment.activated", obj=e, organisation=e.organisation_id and e.organisation,
        before=before, after=audit.snapshot(e),
    )  # fmt: skip
    return e
