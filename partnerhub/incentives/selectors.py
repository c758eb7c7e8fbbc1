"""Reads of the incentives context, scoped to the acting user.

Figures in the standings: a reader sees its own (a partner: its organisations'; a partner manager: the
partners assigned to them; vendor administrators and finance: all), and everyone else's only when the
incentive shows amounts. Ranks and names are public to every participant.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerhub.core.tenancy import actor_for
from partnerhub.identity.models import Organisation, User
from partnerhub.identity.roles import Role

from . import standings
from .models import Award, Incentive, Prize, Rebate


def incentives(*, actor: User, kind: str = "", state: str = "") -> QuerySet[Incentive]:
    """The incentives the actor may see: every one for the vendor's administrators and finance, the
    eligible ones for a partner (newest first; ``state``: running, upcoming or past)."""
    qs = (
        Incentive.objects.visible_to(actor)
        .select_related("programme")
        .prefetch_related(Prefetch("prizes", queryset=Prize.objects.order_by("rank")))
    )
    if kind:
        qs = qs.filter(kind=kind)
    today = timezone.localdate()
    if state == "running":
        qs = qs.filter(starts_on__lte=today, ends_on__gte=today)
    elif state == "upcoming":
        qs = qs.filter(starts_on__gt=today)
    elif state == "past":
        qs = qs.filter(ends_on__lt=today)
    return qs.order_by("-ends_on", "-id")


def incentive(*, actor: User, pk: int) -> Incentive:
    return Incentive.objects.select_related("programme").get_visible_or_404(actor, pk=pk)


def _own_org_ids(actor: User) -> set[int] | None:
    """Whose figures the actor reads in any standings (None: everyone's)."""
    who = actor_for(actor)
    if who.sees_everything:
        return None
    own = set(who.org_ids)
    if who.is_partner_manager:
        own |= set(Organisation.objects.filter(partner_manager=actor).values_list("pk", flat=True))
    return own


@dataclass
class Standing:
    rank: int
    organisation_id: int
    name: str
    figure: object  # Decimal, or None when hidden from this reader
    is_own: bool


class StandingsPage:
    """Standings sliced in SQL (``ranked(...)[a:b]``); rivals' figures blanked for readers who may not see them."""

    def __init__(self, incentive: Incentive, own: set[int] | None):
        self.incentive, self.own = incentive, own
        self.qs = standings.ranked(incentive)

    def count(self) -> int:
        return self.qs.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, sl):
        return [self.row(r) for r in self.qs[sl]]

    def row(self, r: dict) -> Standing:
        mine = self.own is not None and r["organisation_id"] in self.own
        shown = self.own is None or mine or self.incentive.show_amounts
        figure = standings.as_decimal(r["figure"]) if shown else None
        return Standing(r["rank"], r["organisation_id"], r["organisation__name"], figure, mine)


def standings_page(*, actor: User, incentive: Incentive) -> StandingsPage:
    incentive = Incentive.objects.get_visible_or_404(actor, pk=incentive.pk)
    return StandingsPage(incentive, _own_org_ids(actor))


def own_standings(*, actor: User, incentive: Incentive) -> list[Standing]:
    """The reading partner's own rows (rank and figure), also when it is off the page or has no figure yet."""
    who = actor_for(actor)
    if who.is_vendor_staff:
        return []
    page = StandingsPage(incentive, set(who.org_ids))
    eligible = set(standings.participants(incentive).filter(pk__in=sorted(who.org_ids)).values_list("pk", flat=True))
    out = []
    for org in Organisation.objects.filter(pk__in=sorted(eligible)).order_by("name"):
        row = standings.standing_of(incentive, org.pk)
        out.append(page.row(row) if row else Standing(0, org.pk, org.name, standings.as_decimal(0), True))
    return out


def awards(*, actor: User, incentive: Incentive) -> QuerySet[Award]:
    """The awards of an incentive the actor may see (a partner: its own)."""
    return Award.objects.visible_to(actor).filter(incentive=incentive).select_related("organisation").order_by(
        "rank", "organisation__name")  # fmt: skip


def rebates(*, actor: User, year: int | None = None, quarter: int | None = None,
            organisation_id: int | None = None) -> QuerySet[Rebate]:  # fmt: skip
    """Posted rebates: a partner's own; every partner's for the vendor's staff in scope."""
    qs = Rebate.objects.visible_to(actor).select_related("organisation")
    if year:
        qs = qs.filter(year=year)
    if quarter:
        qs = qs.filter(quarter=quarter)
    if organisation_id:
        qs = qs.filter(organisation_id=organisation_id)
    return qs.order_by("-year", "-quarter", "organisation__name", "currency")


def can_manage(actor: User) -> bool:
    return Role.VENDOR_ADMIN in actor_for(actor).vendor_roles


def can_award(actor: User) -> bool:
    return bool(actor_for(actor).vendor_roles & {Role.VENDOR_ADMIN, Role.FINANCE})


def require_vendor(actor: User) -> None:
    if not actor_for(actor).is_vendor_staff:
        raise PermissionDenied(_("This page is for the vendor's staff."))
