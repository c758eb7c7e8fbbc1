"""Reads of programme definitions."""

from __future__ import annotations

from datetime import date

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
