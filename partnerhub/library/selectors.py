"""Reads of the content library, scoped to the acting user; search and filters run in SQL."""

from __future__ import annotations

from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from partnerhub.identity.models import User

from .models import Contribution, Material, MaterialKind, MaterialVersion, fold


def materials(*, actor: User, q: str = "", kind: str = "", tag: str = "") -> QuerySet[Material]:
    """The materials the actor may see, newest first; ``q`` searches title, description and tags."""
    qs = Material.objects.visible_to(actor).select_related("programme").annotate(version_count=Count("versions"))
    q = (q or "").strip()[:200]
    if q:
        qs = qs.filter(search_text__contains=fold(q))
    if kind:
        qs = qs.filter(kind=kind)
    if tag:
        qs = qs.filter(tags__contains=f",{tag.strip().lower()},")
    return qs.order_by("-updated_at", "-id")


def material(*, actor: User, pk: int) -> Material:
    return get_object_or_404(materials(actor=actor), pk=pk)


def templates(*, actor: User) -> QuerySet[Material]:
    return materials(actor=actor, kind=MaterialKind.COBRANDING)


def versions(*, material: Material) -> QuerySet[MaterialVersion]:
    return material.versions.select_related("uploaded_by").order_by("-number")


def version(*, material: Material, number: int) -> MaterialVersion:
    return get_object_or_404(material.versions, number=number)


def contributions(*, actor: User, status: str = "", organisation_id: int | None = None) -> QuerySet[Contribution]:
    qs = Contribution.objects.visible_to(actor).select_related("organisation", "material")
    if status:
        qs = qs.filter(status=status)
    if organisation_id:
        qs = qs.filter(organisation_id=organisation_id)
    return qs.order_by("-submitted_at", "-id")


def contribution(*, actor: User, pk: int) -> Contribution:
    return Contribution.objects.select_related("organisation", "material").get_visible_or_404(actor, pk=pk)
