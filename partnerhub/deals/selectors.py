"""Reads of the deals context, scoped to the acting user.

A partner reads its own claims and nothing of the conflicts: it learns only that its deal is
under review. Conflict candidates, with the other party, are read by vendor staff in scope.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from django.db.models import Count, F, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from partnerhub.core.querysets import count_per_row
from partnerhub.core.tenancy import actor_for
from partnerhub.identity.models import User

from .models import AWAITING_REVIEW, Claim, ClaimActivity, ClaimConflict, ExtensionRequest


def claims(
    *,
    actor: User,
    status: str = "",
    stage: str = "",
    organisation_id: int | None = None,
    kind: str = "",
    q: str = "",
    region: str = "",
    with_lines: bool = False,
) -> QuerySet[Claim]:
    """Claims the actor may read, filtered and ordered in SQL (newest first). ``with_lines``
    prefetches the product lines, for readers that show them (the API)."""
    qs = Claim.objects.visible_to(actor).select_related("organisation", "partner_manager")
    if with_lines:  # the API's full shape: programme and version numbers (not the version's document) and lines
        qs = (
            qs.select_related("programme", "version")
            .defer("version__document", "version__terms", "version__description")
            .prefetch_related("lines__product_family")
        )
    if not actor_for(actor).is_vendor_staff:
        qs = qs.exclude(kind=Claim.Kind.DIRECT)
    if status:
        qs = qs.filter(status__in=status.split(","))
    if stage:
        qs = qs.filter(stage=stage)
    if organisation_id:
        qs = qs.filter(organisation_id=organisation_id)
    if kind:
        qs = qs.filter(kind=kind)
    if region:
        qs = qs.filter(customer_region__iexact=region)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(customer_name__icontains=q) | Q(customer_inn=q))
    return qs


def claim(*, actor: User, pk: int) -> Claim:
    c = (
        Claim.objects.select_related("organisation", "partner_manager", "version", "programme")
        .prefetch_related("lines__product_family")
        .get_visible_or_404(actor, pk=pk)
    )
    if c.kind == Claim.Kind.DIRECT and not actor_for(actor).is_vendor_staff:
        raise Http404
    return c


def activity(*, actor: User, claim: Claim) -> QuerySet[ClaimActivity]:
    qs = ClaimActivity.objects.visible_to(actor).filter(claim=claim).select_related("actor")
    if not actor_for(actor).is_vendor_staff:
        qs = qs.filter(internal=False)
    return qs


def conflicts(*, actor: User, claim: Claim) -> QuerySet[ClaimConflict]:
    """The candidates a held claim may conflict with: vendor staff only (404 for partners)."""
    if not actor_for(actor).is_vendor_staff:
        raise Http404
    return (
        ClaimConflict.objects.visible_to(actor)
        .filter(claim=claim)
        .select_related("other__organisation", "other__partner_manager", "decided_by")
    )


def conflict(*, actor: User, pk: int) -> ClaimConflict:
    if not actor_for(actor).is_vendor_staff:
        raise Http404
    return ClaimConflict.objects.select_related("claim", "other").get_visible_or_404(actor, pk=pk)


def extensions(*, actor: User, claim: Claim) -> QuerySet[ExtensionRequest]:
    return ExtensionRequest.objects.visible_to(actor).filter(claim=claim).select_related("requested_by")


def extension(*, actor: User, pk: int) -> ExtensionRequest:
    return ExtensionRequest.objects.select_related("claim").get_visible_or_404(actor, pk=pk)


def review_queue(*, actor: User) -> QuerySet[Claim]:
    """Claims awaiting the actor's decision, oldest clock first; stale protected deals after them."""
    if not actor_for(actor).is_vendor_staff:
        raise Http404
    return (
        Claim.objects.visible_to(actor)
        .filter(AWAITING_REVIEW)
        .select_related("organisation", "partner_manager", "programme", "version")
        .defer("version__document", "version__terms", "version__description")
        .prefetch_related("lines__product_family")
        .annotate(open_conflicts=count_per_row(ClaimConflict.objects.filter(resolution="open"), link="claim"))
        .order_by("approval_due_at", "registered_at", "id")
    )  # fmt: skip


def pending_extensions(*, actor: User) -> QuerySet[ExtensionRequest]:
    if not actor_for(actor).is_vendor_staff:
        raise Http404
    return (
        ExtensionRequest.objects.visible_to(actor)
        .filter(status=ExtensionRequest.Status.PENDING)
        .select_related("claim__organisation", "requested_by")
    )


BOARD_CARDS_PER_STAGE = 12


def board(*, actor: User, organisation_id: int | None = None) -> list[tuple[str, int, list[Claim]]]:
    """Open deals by stage, the pipeline board: per stage its count and the first cards by expected
    close date. One grouped count, then one indexed ``LIMIT`` query per stage (``claim_active_board``):
    a fixed number of queries that read a few rows each, however many deals there are."""
    qs = claims(actor=actor, organisation_id=organisation_id, kind=Claim.Kind.DEAL).filter(
        status__in=[Claim.Status.PENDING, Claim.Status.HELD, Claim.Status.PROTECTED]
    )
    counts = dict(qs.order_by().values_list("stage").annotate(n=Count("id")))
    by_close = [F("expected_close_on").asc(nulls_last=True), "id"]
    return [
        (stage, counts.get(stage, 0), list(qs.filter(stage=stage).order_by(*by_close)[:BOARD_CARDS_PER_STAGE]))
        for stage in Claim.OPEN_STAGES
    ]


def overview(*, actor: User, days: int = 365) -> dict:
    """The vendor's overview: deals by stage, by partner and by region, with amounts per currency."""
    if not actor_for(actor).is_vendor_staff:
        raise Http404
    since = timezone.now() - timedelta(days=days)
    qs = Claim.objects.visible_to(actor).filter(kind=Claim.Kind.DEAL, registered_at__gte=since)
    by_status = Counter(dict(qs.values_list("status").annotate(n=Count("id")).order_by()))
    by_stage = list(
        qs.filter(status__in=Claim.ACTIVE).values("stage", "currency").annotate(n=Count("id"), total=Sum("amount"))
        .order_by("stage", "currency")
    )  # fmt: skip
    by_partner = list(
        qs.values("organisation_id", "organisation__name", "currency")
        .annotate(
            n=Count("id"),
            open=Count("id", filter=Q(status__in=Claim.ACTIVE)),
            won=Count("id", filter=Q(status=Claim.Status.WON)),
            won_total=Sum("amount", filter=Q(status=Claim.Status.WON)),
            pipeline=Sum("amount", filter=Q(status__in=Claim.ACTIVE)),
        )
        .order_by("-pipeline", "organisation__name")[:100]
    )
    by_region = list(
        qs.values("customer_region", "currency")
        .annotate(n=Count("id"), pipeline=Sum("amount", filter=Q(status__in=Claim.ACTIVE)))
        .order_by("-n")[:50]
    )
    return {"days": days, "by_status": dict(by_status), "by_stage": by_stage, "by_partner": by_partner,
            "by_region": by_region}  # fmt: skip


def won_deal_counts(*, organisation_ids: list[int], since: date) -> dict[int, int]:
    """Deals won per organisation since a date: a performance figure other contexts weigh (lead routing)."""
    return dict(
        Claim.objects.filter(
            organisation_id__in=organisation_ids, kind=Claim.Kind.DEAL, status=Claim.Status.WON, closed_on__gte=since
        )
        .values_list("organisation_id")
        .annotate(n=Count("id"))
        .order_by()
    )
