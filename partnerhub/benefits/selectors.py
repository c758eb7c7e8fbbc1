"""Every read of benefit requests takes the acting user and is scoped by tenancy (another partner's: 404)."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet
from django.utils import timezone

from partnerhub.identity.models import Organisation, User

from .entitlements import Entitlement, entitlements
from .models import BenefitRequest


def requests(
    *, actor: User, status: str = "", kind: str = "", organisation_id: int | None = None
) -> QuerySet[BenefitRequest]:
    qs = BenefitRequest.objects.visible_to(actor).select_related("organisation", "programme")
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if organisation_id:
        qs = qs.filter(organisation_id=organisation_id)
    return qs.order_by("-created_at", "-pk")


def request(*, actor: User, pk: int) -> BenefitRequest:
    return BenefitRequest.objects.select_related("organisation", "programme").get_visible_or_404(actor, pk=pk)


def organisation_entitlements(*, actor: User, organisation_id: int, on: date | None = None) -> list[Entitlement]:
    """A partner's entitlements with used and remaining this year (another's organisation: 404)."""
    org = Organisation.objects.get_visible_or_404(actor, pk=organisation_id)
    return entitlements(organisation=org, on=on or timezone.localdate())
