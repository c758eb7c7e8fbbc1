"""Writing the audit log. Called by services, inside their transaction."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models

from . import request_context
from .models import AuditEntry


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The audited state of ``obj``: the named fields (default: the model's AUDIT_FIELDS)."""
    names = fields if fields is not None else getattr(obj, "AUDIT_FIELDS", ())
    return {name: _plain(getattr(obj, name)) for name in names}


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    return value


def record(
    *,
    actor,
    action: str,
    obj: models.Model,
    organisation=None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEntry:
    ctx = request_context.current()
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        actor=actor_obj,
        actor_label=(actor_obj.email if actor_obj else (ctx.via or "system")),
        organisation=organisation,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        before=before,
        after=after,
        reason=reason,
        via=ctx.via or "job",
        request_id=ctx.request_id,
        ip=ctx.ip,
    )
