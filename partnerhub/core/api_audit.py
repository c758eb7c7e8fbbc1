from datetime import date, datetime
from typing import Any

from ninja import Query, Router, Schema
from ninja.pagination import paginate

from .api import Pagination
from .selectors import audit_entries

router = Router(tags=["audit"])


class AuditOut(Schema):
    id: int
    at: datetime
    actor_id: int | None
    actor_label: str
    organisation_id: int | None
    action: str
    object_type: str
    object_id: str
    object_repr: str
    before: Any | None
    after: Any | None
    reason: str
    via: str
    request_id: str


class AuditFilter(Schema):
    organisation_id: int | None = None
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    actor_email: str = ""
    since: date | None = None
    until: date | None = None
    search: str = ""


@router.get("/audit", response=list[AuditOut], summary="The audit log (what you may read of it)")
@paginate(Pagination)
def list_audit(request, filters: Query[AuditFilter]):
    return audit_entries(actor=request.auth, **filters.dict())


@router.get("/audit/{entry_id}", response=AuditOut)
def get_audit(request, entry_id: int):
    from django.shortcuts import get_object_or_404

    return get_object_or_404(audit_entries(actor=request.auth), pk=entry_id)
