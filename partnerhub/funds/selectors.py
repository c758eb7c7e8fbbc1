"""Every read of the development funds takes the acting user and is scoped by tenancy (another's: 404)."""

from __future__ import annotations

from django.db.models import QuerySet

from partnerhub.core.tenancy import actor_for
from partnerhub.identity.models import User

from .models import ActivityRequest, Budget, Claim, FundAllowance, ProofFile
from .rules import with_figures


def budgets(*, actor: User, organisation_id: int | None = None, status: str = "") -> QuerySet[Budget]:
    qs = with_figures(Budget.objects.visible_to(actor)).select_related("organisation")
    if organisation_id:
        qs = qs.filter(organisation_id=organisation_id)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-period_start", "organisation__name", "kind", "pk")


def budget(*, actor: User, pk: int) -> Budget:
    return with_figures(Budget.objects.select_related("organisation")).get_visible_or_404(actor, pk=pk)


def requests(*, actor: User, status: str = "", organisation_id: int | None = None) -> QuerySet[ActivityRequest]:
    qs = ActivityRequest.objects.visible_to(actor).select_related("budget", "organisation")
    if status:
        qs = qs.filter(status=status)
    if organisation_id:
        qs = qs.filter(organisation_id=organisation_id)
    return qs.order_by("-created_at", "-pk")


def request(*, actor: User, pk: int) -> ActivityRequest:
    return ActivityRequest.objects.select_related("budget", "organisation").get_visible_or_404(actor, pk=pk)


def claims(*, actor: User, status: str = "", organisation_id: int | None = None) -> QuerySet[Claim]:
    qs = Claim.objects.visible_to(actor).select_related("request__budget", "organisation")
    if status:
        qs = qs.filter(status=status)
    if organisation_id:
        qs = qs.filter(organisation_id=organisation_id)
    return qs.prefetch_related("files").order_by("-created_at", "-pk")


def claim(*, actor: User, pk: int) -> Claim:
    return (
        Claim.objects.select_related("request__budget", "organisation")
        .prefetch_related("files")
        .get_visible_or_404(actor, pk=pk)
    )


def proof_file(*, actor: User, pk: int) -> ProofFile:
    return ProofFile.objects.get_visible_or_404(actor, pk=pk)


def allowances(*, actor: User) -> QuerySet[FundAllowance]:
    """The tier allowances are the vendor's configuration: vendor staff read them, partners see none."""
    if not actor_for(actor).is_vendor_staff:
        return FundAllowance.objects.none()
    return FundAllowance.objects.select_related("programme").order_by("programme__name", "tier_code", "kind", "pk")
