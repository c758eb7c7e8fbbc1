"""REST endpoints for enrolments and tiers."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from partnerhub.core.api import InputSchema, Pagination, model_type
from partnerhub.core.i18n import localized
from partnerhub.core.tenancy import actor_for
from partnerhub.identity.models import Organisation
from partnerhub.identity.roles import OrgKind
from partnerhub.programmes.models import Tier

from . import network, selectors, tiers
from .evaluation import evaluate_enrolment
from .models import Enrolment, ObligationRecord
from .tiers import evaluate_programme

router = Router(tags=["tiers"])


class EnrolmentOut(Schema):
    id: int
    organisation_id: int
    organisation_name: str
    programme_id: int
    programme_code: str
    role_code: str
    status: str
    joined_on: date
    tier_code: str | None
    tier_since: date | None
    evaluated_tier_code: str | None
    evaluated_on: date | None
    evaluated_version_id: int | None
    downgrade_due_on: date | None
    override_tier_code: str | None
    override_until: date | None
    override_reason: str
    distributor_id: int | None
    distributor_since: date | None
    recruited_by_id: int | None
    recruited_on: date | None

    @staticmethod
    def resolve_organisation_name(obj) -> str:
        return obj.organisation.name

    @staticmethod
    def resolve_programme_code(obj) -> str:
        return obj.programme.code


class EnrolmentFilter(Schema):
    programme_id: int | None = None
    tier_code: str = ""
    status: str = ""
    search: str = ""


class EvaluationOut(Schema):
    enrolment_id: int
    on: date
    version_id: int | None
    version_number: int | None
    tier_code: str | None
    qualified_tier_code: str | None
    next_tier_code: str | None
    missing_for_next: list[dict[str, Any]]
    tiers: list[dict[str, Any]]


class TierChangeOut(Schema):
    id: int
    at: Any
    effective_on: date
    from_tier_code: str | None
    to_tier_code: str | None
    version_id: int
    cause: str
    actor_id: int | None
    reason: str


class OverrideIn(InputSchema):
    tier_code: model_type(Tier, "code")
    until: date
    reason: model_type(Enrolment, "override_reason")


class NetworkIn(InputSchema):
    distributor_id: int | None = Field(None, description="the distributor this reseller buys through; null: none")
    distributor_since: date | None = Field(None, description="its sales from this date give the distributor its "
                                           "override")  # fmt: skip
    recruited_by_id: int | None = Field(None, description="the partner that recruited it; null: none")
    recruited_on: date | None = None
    reason: str = ""


class DistributionRow(Schema):
    programme_id: int
    programme__name: str
    tier_code: str | None
    n: int


@router.get("/enrolments", response=list[EnrolmentOut], summary="Programme enrolments visible to you")
@paginate(Pagination)
def list_enrolments(request, filters: Query[EnrolmentFilter]):
    return selectors.enrolments(actor=request.auth, **filters.dict()).order_by("organisation__name", "pk")


@router.get("/enrolments/{enrolment_id}", response=EnrolmentOut)
def get_enrolment(request, enrolment_id: int):
    return selectors.enrolment(actor=request.auth, pk=enrolment_id)


@router.get(
    "/enrolments/{enrolment_id}/evaluation", response=EvaluationOut,
    summary="Live evaluation: per requirement have / need / met, and what is missing for the next tier",
)  # fmt: skip
def get_evaluation(request, enrolment_id: int, on: date | None = None):
    e = selectors.enrolment(actor=request.auth, pk=enrolment_id)
    day = on or timezone.localdate()
    ev = evaluate_enrolment(e, day)
    nxt = ev.next_tier(e.tier_code) if ev else None
    return {
        "enrolment_id": e.pk, "on": day, "version_id": ev.version_id if ev else None,
        "version_number": ev.version_number if ev else None, "tier_code": e.tier_code,
        "qualified_tier_code": ev.qualified if ev else None, "next_tier_code": nxt.code if nxt else None,
        "missing_for_next": [r.as_dict() for r in nxt.missing] if nxt else [],
        "tiers": [t.as_dict() for t in ev.tiers] if ev else [],
    }  # fmt: skip


class GapOut(Schema):
    code: str
    label: str
    metric: str
    unit: str
    have: str
    need: str
    add: str = Field(description="the smallest addition, in the current window, that meets the requirement")


class ObligationNeedOut(Schema):
    code: str
    label: str
    obligation: str


class NeedsOut(Schema):
    enrolment_id: int
    on: date
    tier_code: str | None
    next_tier_code: str | None
    next_tier_name: str | None
    gaps: list[GapOut]
    obligations: list[ObligationNeedOut] = Field(description="obligations still to be confirmed once the gaps close")
    reached: bool = Field(description="closing the gaps alone reaches the next tier")


class WhatIfIn(InputSchema):
    sales: Decimal = Field(Decimal(0), ge=0, max_digits=18, decimal_places=2,
                           description="additional sales in the programme's currency")  # fmt: skip
    product_family: str = Field("", max_length=50, description="product family code of those sales; empty: any")
    certified: int = Field(0, ge=0, le=1000, description="more certified specialists")
    registered_deals: int = Field(0, ge=0, le=100000)
    won_deals: int = Field(0, ge=0, le=100000)


class WhatIfOut(Schema):
    enrolment_id: int
    on: date
    tier_code: str | None
    qualified_tier_code: str | None = Field(description="the tier the figures plus the additions qualify for")
    tiers: list[dict[str, Any]]


@router.get(
    "/enrolments/{enrolment_id}/needs", response=NeedsOut,
    summary="What would I need: the smallest additional sales, certified specialists or deals reaching the next tier",
    description="Read-only. 404 (problem document) when the enrolment is not visible to you.",
)  # fmt: skip
def get_needs(request, enrolment_id: int):
    e = selectors.enrolment(actor=request.auth, pk=enrolment_id)
    day = timezone.localdate()
    needs = selectors.what_would_i_need(enrolment=e, on=day)
    nxt = needs.next_tier if needs else None
    return {
        "enrolment_id": e.pk, "on": day, "tier_code": e.tier_code, "next_tier_code": nxt.code if nxt else None,
        "next_tier_name": localized(nxt) if nxt else None,
        "gaps": [{**g.as_dict(), "label": localized(g.requirement, "label")} for g in needs.gaps] if needs else [],
        "obligations": [{"code": r.code, "label": localized(r, "label"), "obligation": r.metric}
                        for r in needs.obligations]
        if needs else [],
        "reached": bool(needs and needs.reached),
    }  # fmt: skip


@router.post(
    "/enrolments/{enrolment_id}/what-if", response=WhatIfOut,
    summary="What if: the evaluation with additional sales, certificates or deals — evaluated, never saved",
    description="Nothing is written. 404 when the enrolment is not visible to you; 422 with field errors for "
                "negative or malformed figures or an unknown product family.",
)  # fmt: skip
def what_if(request, enrolment_id: int, payload: WhatIfIn):
    e = selectors.enrolment(actor=request.auth, pk=enrolment_id)
    day = timezone.localdate()
    ev = selectors.what_if(enrolment=e, on=day, **payload.dict())
    return {"enrolment_id": e.pk, "on": day, "tier_code": e.tier_code,
            "qualified_tier_code": ev.qualified if ev else None,
            "tiers": [t.as_dict() for t in ev.tiers] if ev else []}  # fmt: skip


@router.get("/enrolments/{enrolment_id}/history", response=list[TierChangeOut])
@paginate(Pagination)
def get_history(request, enrolment_id: int):
    e = selectors.enrolment(actor=request.auth, pk=enrolment_id)
    return selectors.tier_history(actor=request.auth, enrolment=e)


@router.post("/enrolments/{enrolment_id}/evaluate", response=EnrolmentOut, summary="Evaluate and apply now")
def evaluate_now(request, enrolment_id: int):
    e = selectors.enrolment(actor=request.auth, pk=enrolment_id)
    if not actor_for(request.auth).is_vendor_staff:
        raise PermissionDenied(_("Only the vendor's staff run an evaluation."))
    evaluate_programme(programme=e.programme, on=timezone.localdate(), enrolment_ids=[e.pk], actor=request.auth)
    e.refresh_from_db()
    return e


@router.post("/enrolments/{enrolment_id}/override", response=EnrolmentOut, summary="Override the tier until a date")
def override(request, enrolment_id: int, payload: OverrideIn):
    e = selectors.enrolment(actor=request.auth, pk=enrolment_id)
    return tiers.override_tier(actor=request.auth, enrolment=e, **payload.dict())


@router.post(
    "/enrolments/{enrolment_id}/network",
    response=EnrolmentOut,
    summary="Set the partner's distributor and recruiter (the multi-level network)",
)
def set_network(request, enrolment_id: int, payload: NetworkIn):
    e = selectors.enrolment(actor=request.auth, pk=enrolment_id)
    data = payload.dict()
    orgs = {}
    for key in ("distributor", "recruited_by"):
        pk = data.pop(f"{key}_id")
        orgs[key] = None if pk is None else Organisation.objects.filter(pk=pk, kind=OrgKind.PARTNER).first()
        if pk is not None and orgs[key] is None:
            raise ValidationError({f"{key}_id": [_("Choose another partner of this programme.")]})
    return network.set_network(actor=request.auth, enrolment=e, **orgs, **data)


@router.post("/enrolments/{enrolment_id}/override/end", response=EnrolmentOut)
def end_override(request, enrolment_id: int):
    e = selectors.enrolment(actor=request.auth, pk=enrolment_id)
    return tiers.end_override(actor=request.auth, enrolment=e)


@router.get("/tiers/distribution", response=list[DistributionRow], summary="Active partners per programme and tier")
def distribution(request, programme_id: int | None = None):
    if not actor_for(request.auth).is_vendor_staff:
        raise PermissionDenied(_("The tier overview is for the vendor's staff."))
    return selectors.distribution(actor=request.auth, programme_id=programme_id)


class ObligationOut(Schema):
    id: int
    organisation_id: int
    obligation: str
    valid_from: date
    valid_until: date | None
    status: str
    note: str
    evidence_url: str
    review_reason: str


class ObligationIn(InputSchema):
    obligation: model_type(ObligationRecord, "obligation")
    valid_from: model_type(ObligationRecord, "valid_from")
    valid_until: model_type(ObligationRecord, "valid_until") = None
    note: model_type(ObligationRecord, "note") = ""
    evidence_url: model_type(ObligationRecord, "evidence_url") = ""


class ReviewIn(InputSchema):
    accept: bool
    reason: str = ""


@router.get("/obligations", response=list[ObligationOut], summary="Obligation evidence visible to you")
@paginate(Pagination)
def list_obligations(request, status: str = "", organisation_id: int | None = None):
    return selectors.obligations(actor=request.auth, status=status, organisation_id=organisation_id)


@router.post("/organisations/{org_id}/obligations", response={201: ObligationOut},
             summary="Submit evidence (partner) or record a confirmed obligation (partner manager)")  # fmt: skip
def create_obligation(request, org_id: int, payload: ObligationIn):
    from ninja import Status

    from partnerhub.identity import selectors as identity_selectors

    from . import obligations

    org = identity_selectors.organisation(actor=request.auth, pk=org_id)
    return Status(201, obligations.submit_evidence(actor=request.auth, organisation=org, **payload.dict()))


@router.post("/obligations/{record_id}/review", response=ObligationOut)
def review_obligation(request, record_id: int, payload: ReviewIn):
    from . import obligations

    record = selectors.obligation_record(actor=request.auth, pk=record_id)
    return obligations.review(actor=request.auth, record=record, accept=payload.accept, reason=payload.reason)
