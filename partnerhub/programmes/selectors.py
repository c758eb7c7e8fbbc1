"""Reads of programme definitions."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet
from django.http import Http404

from partnerhub.core.tenancy import actor_for

from .models import ProductFamily, Programme, ProgrammeRole, ProgrammeVersion, Tier


def versions_in_force_first(*, on: date, **programme) -> QuerySet[ProgrammeVersion]:
    """A programme's published versions in effect by ``on``, the one in force first (``programme`` filters, e.g.
    ``programme_id=OuterRef(...)`` to pick it in a subquery)."""
    return ProgrammeVersion.objects.filter(
        status=ProgrammeVersion.Status.PUBLISHED, effective_from__lte=on, **programme
    ).order_by("-effective_from", "-number")


def version_in_force(*, programme: Programme, on: date) -> ProgrammeVersion | None:
    """The published version whose effective date is the latest on or before ``on``."""
    return versions_in_force_first(on=on, programme=programme).first()


def programmes(*, actor) -> QuerySet[Programme]:
    """Vendor staff read every programme; a partner reads the programmes it is enrolled in."""
    who = actor_for(actor)
    if not who.is_authenticated:
        return Programme.objects.none()
    if who.is_vendor_staff:
        return Programme.objects.all()
    return Programme.objects.filter(enrolments__organisation_id__in=who.org_ids).distinct()


def programme(*, actor, code: str) -> Programme:
    p = programmes(actor=actor).filter(code=code).first()
    if p is None:
        raise Http404
    return p


def versions(*, actor, programme: Programme) -> QuerySet[ProgrammeVersion]:
    qs = programme.versions.order_by("-number")
    if not actor_for(actor).is_vendor_staff:
        qs = qs.filter(status=ProgrammeVersion.Status.PUBLISHED)
    return qs


def version(*, actor, programme: Programme, number: int) -> ProgrammeVersion:
    v = versions(actor=actor, programme=programme).filter(number=number).first()
    if v is None:
        raise Http404
    return v


def tiers_of(version: ProgrammeVersion) -> list:
    return list(
        version.tiers.order_by("rank").prefetch_related("requirements__product_family", "benefits",
                                                         "reward_rates__product_family")
    )  # fmt: skip


class Names:
    """Tier and role names of programmes' versions in force, by (programme id, code): what people read
    in place of ``tier_code`` and ``role_code``. Each name is read in the active language when asked for."""

    def __init__(self, tiers: dict[tuple[int, str], object], roles: dict[tuple[int, str], object]) -> None:
        self._tiers, self._roles = tiers, roles

    def tier(self, programme_id: int, code: str | None) -> str:
        """The tier's name; an unknown code (a tier dropped by a later version) is shown as it is stored."""
        if not code:
            return ""
        found = self._tiers.get((programme_id, code))
        return str(found) if found is not None else code

    def role(self, programme_id: int, code: str | None) -> str:
        if not code:
            return ""
        found = self._roles.get((programme_id, code))
        return str(found) if found is not None else code

    def tiers_of(self, programme_id: int) -> list[tuple[str, str]]:
        """(code, name) of one programme's tiers, by rank."""
        found = [(t.rank, code, str(t)) for (p, code), t in self._tiers.items() if p == programme_id]
        return [(code, name) for _rank, code, name in sorted(found)]


def names_in_force(*, programme_ids, on: date) -> Names:
    """The names of the tiers and roles in force on ``on`` for these programmes (three queries, however many)."""
    versions: dict[int, int] = {}  # version id -> programme id, the version in force of each programme
    in_force = ProgrammeVersion.objects.filter(
        programme_id__in=set(programme_ids), status=ProgrammeVersion.Status.PUBLISHED, effective_from__lte=on
    ).order_by("programme_id", "-effective_from", "-number")  # as version_in_force orders them
    for version_id, programme_id in in_force.values_list("pk", "programme_id"):
        if programme_id not in versions.values():
            versions[version_id] = programme_id
    tiers = {(versions[t.version_id], t.code): t for t in Tier.objects.filter(version_id__in=versions)}
    roles = {(versions[r.version_id], r.code): r for r in ProgrammeRole.objects.filter(version_id__in=versions)}
    return Names(tiers, roles)


def tiers_by_code(codes: set[str]) -> dict[str, Tier]:
    """Tiers by code, the latest version's where programmes share one: how an audit entry's tier codes are named."""
    return {t.code: t for t in Tier.objects.filter(code__in=codes).order_by("version_id")}


def roles_by_code(codes: set[str]) -> dict[str, ProgrammeRole]:
    return {r.code: r for r in ProgrammeRole.objects.filter(code__in=codes).order_by("version_id")}


def families_by_code(codes: set[str]) -> dict[str, ProductFamily]:
    return {f.code: f for f in ProductFamily.objects.filter(code__in=codes)}


def tiers_of_versions(pairs) -> dict[tuple[int, str], Tier]:
    """Tiers by (version id, code), in one query: names for rows that keep the version they were made under."""
    pairs = {(v, c) for v, c in pairs if v and c}
    tiers = Tier.objects.filter(version_id__in={v for v, _c in pairs}, code__in={c for _v, c in pairs})
    return {(t.version_id, t.code): t for t in tiers}


def family_choices() -> list[tuple[str, str]]:
    """Product families as form choices: code and name in the active language."""
    return [(f.code, str(f)) for f in ProductFamily.objects.all()]
