"""Reads of programme definitions."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet
from django.http import Http404

from partnerhub.core.tenancy import actor_for

from .models import Programme, ProgrammeVersion


def version_in_force(*, programme: Programme, on: date) -> ProgrammeVersion | None:
    """The published version whose effective date is the latest on or before ``on``."""
    return (
        ProgrammeVersion.objects.filter(
            programme=programme, status=ProgrammeVersion.Status.PUBLISHED, effective_from__lte=on
        )
        .order_by("-effective_from", "-number")
        .first()
    )


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
