"""Every read of partner support takes the acting user and is scoped by tenancy (another partner's: 404)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from partnerhub.core.tenancy import actor_for
from partnerhub.identity.models import User

from .models import Attachment, Reply, SupportRequest, SupportTarget
from .rules import breached_q


def requests(
    *,
    actor: User,
    status: str = "",
    kind: str = "",
    breached: bool | None = None,
    assignee_id: int | None = None,
    unassigned: bool = False,
    organisation_id: int | None = None,
    search: str = "",
) -> QuerySet[SupportRequest]:
    """The queue, filtered in SQL: status (``open``: every open status), kind, breached, assignee."""
    qs = SupportRequest.objects.visible_to(actor).select_related("organisation", "assignee")
    if status == "open":
        qs = qs.filter(status__in=SupportRequest.OPEN_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if breached is True:
        qs = qs.filter(breached_q())
    elif breached is False:
        qs = qs.exclude(breached_q())
    if unassigned:
        qs = qs.filter(assignee__isnull=True)
    elif assignee_id:
        qs = qs.filter(assignee_id=assignee_id)
    if organisation_id:
        qs = qs.filter(organisation_id=organisation_id)
    if search:
        qs = qs.filter(subject__icontains=search[:100])
    return qs.order_by("-created_at", "-pk")


def request(*, actor: User, pk: int) -> SupportRequest:
    return SupportRequest.objects.select_related("organisation", "assignee", "opened_by").get_visible_or_404(
        actor, pk=pk
    )


def replies(*, actor: User, request: SupportRequest) -> QuerySet[Reply]:
    return (
        Reply.objects.visible_to(actor)
        .filter(request=request)
        .select_related("author")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("pk")))
        .order_by("created_at", "pk")
    )


def attachment(*, actor: User, pk: int) -> Attachment:
    return Attachment.objects.get_visible_or_404(actor, pk=pk)


def targets(*, actor: User) -> QuerySet[SupportTarget]:
    """The vendor's configuration: vendor staff read it, partners see none."""
    if not actor_for(actor).is_vendor_staff:
        return SupportTarget.objects.none()
    return SupportTarget.objects.select_related("programme").order_by("programme__code", "tier_code", "pk")
