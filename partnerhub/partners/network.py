"""The multi-level network: which distributor a reseller buys through and which partner recruited it.

Set by the vendor (the partner's manager or a vendor administrator) on the partner's enrolment, audited.
The rewards context reads these links to give the distributor and the recruiter their overrides
(``partnerhub.rewards.network``); the percentages and the recruiter's months are the programme's.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from partnerhub.core import audit
from partnerhub.core.tenancy import actor_for
from partnerhub.identity.models import Organisation, User
from partnerhub.identity.roles import OrgKind, Role

from .models import Enrolment


def _require_manager(actor: User, e: Enrolment) -> None:
    who = actor_for(actor)
    if Role.VENDOR_ADMIN in who.vendor_roles or (who.is_partner_manager and
                                                   e.organisation.partner_manager_id == actor.pk):  # fmt: skip
        return
    raise PermissionDenied(_("Only the partner's manager or a vendor administrator sets its network."))


def candidates(*, actor: User, enrolment: Enrolment) -> QuerySet[Organisation]:
    """The other partners of the programme: who may be this one's distributor or recruiter. Offered to the
    vendor's staff who manage this partner (a distributor is usually another manager's partner), never to
    partners."""
    _require_manager(actor, enrolment)
    enrolled = Enrolment.objects.filter(programme_id=enrolment.programme_id)
    return (
        Organisation.objects.filter(kind=OrgKind.PARTNER, pk__in=enrolled.values("organisation_id"))
        .exclude(pk=enrolment.organisation_id).order_by("name", "pk")
    )  # fmt: skip


def _state(e: Enrolment) -> dict:
    return {
        "distributor": e.distributor.name if e.distributor_id else None, "distributor_since": e.distributor_since,
        "recruited_by": e.recruited_by.name if e.recruited_by_id else None, "recruited_on": e.recruited_on,
    }  # fmt: skip


@transaction.atomic
def set_network(*, actor: User, enrolment: Enrolment, distributor: Organisation | None,
                distributor_since: date | None, recruited_by: Organisation | None, recruited_on: date | None,
                reason: str = "") -> Enrolment:  # fmt: skip
    """Attach the partner to a distributor (from a date) and name its recruiter (with the recruitment date);
    ``None`` detaches. Lines already rated stay as they are; the links apply to sales dated from then on."""
    e = Enrolment.objects.select_for_update(of=("self",)).select_related(
        "organisation", "programme", "distributor", "recruited_by").get(pk=enrolment.pk)  # fmt: skip
    _require_manager(actor, e)
    allowed = set(candidates(actor=actor, enrolment=e).values_list("pk", flat=True))
    errors: dict[str, list[str]] = {}
    if distributor is not None:
        if distributor.pk not in allowed:
            errors["distributor"] = [_("Choose another partner of this programme.")]
        elif Enrolment.objects.filter(organisation=distributor, distributor=e.organisation).exists():
            errors["distributor"] = [_("This partner is that distributor's own distributor.")]
        if distributor_since is None:
            errors["distributor_since"] = [_("Give the date the partner buys through the distributor from.")]
    if recruited_by is not None:
        if recruited_by.pk not in allowed:
            errors["recruited_by"] = [_("Choose another partner of this programme.")]
        if recruited_on is None:
            errors["recruited_on"] = [_("Give the date of the recruitment.")]
    if errors:
        raise ValidationError(errors)
    before = _state(e)
    e.distributor, e.distributor_since = distributor, distributor_since if distributor is not None else None
    e.recruited_by, e.recruited_on = recruited_by, recruited_on if recruited_by is not None else None
    e.save(update_fields=["distributor", "distributor_since", "recruited_by", "recruited_on"])
    after = _state(e)
    if before != after:
        audit.record(actor=actor, action="enrolment.network_changed", obj=e, organisation=e.organisation,
                     before=before, after=after, reason=(reason or "").strip())  # fmt: skip
    return e
