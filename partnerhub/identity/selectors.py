"""Reads of the identity context. Each takes the acting user and returns what it may see."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from partnerhub.core.querysets import count_per_row
from partnerhub.core.tenancy import actor_for

from .models import ApiToken, Invitation, Membership, Organisation, User
from .roles import OrgKind, Role


def organisations(
    *, actor: User, kind: str | None = None, search: str = "", region: str = ""
) -> QuerySet[Organisation]:
    qs = Organisation.objects.visible_to(actor).select_related("partner_manager")
    if kind:
        qs = qs.filter(kind=kind)
    if region:
        qs = qs.filter(region__iexact=region)
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(legal_name__icontains=search) | Q(inn__startswith=search))
    return qs.annotate(member_count=count_per_row(Membership.objects.all(), link="organisation")).order_by("name", "id")


def organisation(*, actor: User, pk: int) -> Organisation:
    return Organisation.objects.get_visible_or_404(actor, pk=pk)


def members(*, actor: User, organisation: Organisation) -> QuerySet[Membership]:
    return (
        Membership.objects.visible_to(actor)
        .filter(organisation=organisation)
        .select_related("user", "organisation")
        .order_by("user__email")
    )


def membership(*, actor: User, organisation: Organisation, pk: int) -> Membership:
    return Membership.objects.select_related("user", "organisation").get_visible_or_404(
        actor, pk=pk, organisation=organisation
    )


def invitations(*, actor: User, organisation: Organisation, status: str = "") -> QuerySet[Invitation]:
    qs = Invitation.objects.visible_to(actor).filter(organisation=organisation).select_related("invited_by")
    if status:
        qs = qs.filter(status=status)
    return qs


def invitation(*, actor: User, organisation: Organisation, pk: int) -> Invitation:
    return Invitation.objects.select_related("organisation").get_visible_or_404(actor, pk=pk, organisation=organisation)


def tokens(*, actor: User) -> QuerySet[ApiToken]:
    """A user's own tokens; nobody sees another person's tokens."""
    return ApiToken.objects.filter(user=actor)


def token(*, actor: User, pk: int) -> ApiToken:
    from django.http import Http404

    found = tokens(actor=actor).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def partner_managers() -> QuerySet[User]:
    return User.objects.filter(
        memberships__organisation__kind=OrgKind.VENDOR, memberships__role=Role.PARTNER_MANAGER, is_active=True
    ).distinct()


def home_organisation(*, actor: User, preferred_id: int | None = None) -> Organisation | None:
    """The organisation the UI acts for: the preferred one if the user belongs to it, else the first."""
    memberships = actor_for(actor).memberships
    if not memberships:
        return None
    for m in memberships:
        if m.organisation_id == preferred_id:
            return m.organisation
    order = {OrgKind.VENDOR: 0, OrgKind.PARTNER: 1, OrgKind.CUSTOMER: 2}
    return sorted((m.organisation for m in memberships), key=lambda o: (order.get(o.kind, 9), o.pk))[0]


PICKS = 20  # a search-as-you-type picker offers at most this many partners


def partner_picks(*, actor: User, query: str, within: QuerySet[Organisation] | None = None,
                  limit: int = PICKS) -> list[Organisation]:  # fmt: skip
    """Partners whose name contains ``query`` or whose INN starts with it, for a picker: at most ``limit``,
    filtered and limited in SQL. Without ``within``, only the partners the actor may see are offered (a
    partner's user finds its own organisation at most); ``within`` is a form's own candidates, already
    scoped to the actor by the selector that made them (the network's candidates, say)."""
    query = (query or "").strip()[:100]
    if not query:
        return []
    qs = within if within is not None else Organisation.objects.visible_to(actor).filter(kind=OrgKind.PARTNER)
    match = Q(name__icontains=query) | Q(legal_name__icontains=query)
    if query.isdigit():
        match |= Q(inn__startswith=query)
    return list(qs.filter(match).only("pk", "name", "inn").order_by("name", "pk")[:limit])
