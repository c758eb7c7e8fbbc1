"""REST endpoints of programme definitions: read, import and export YAML, drafts and their parts, publish, retire.

Vendor staff read every programme; a partner reads the published versions of the programmes
it is enrolled in (others are 404). Only vendor administrators change programmes (403 for
other vendor staff). Every change to a draft goes through the file validator; its errors come
back as problem details whose ``errors[].field`` is the edited field, or the key path in the
programme document (``tiers[1].requirements[0].threshold``).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile

from partnerhub.core.api import InputSchema

from . import selectors, services, yaml_io
from .models import ProgrammeVersion

router = Router(tags=["programmes"])

# ------------------------------------------------------------------ output


class VersionSummary(Schema):
    number: int
    status: str = Field(..., description="draft, published or retired")
    effective_from: date
    name: str
    name_en: str = Field("", description="the English text; empty: people reading English see the Russian one")
    currency: str
    published_at: datetime | None


class ProgrammeOut(Schema):
    code: str
    name: str
    name_en: str = Field("", description="the English text; empty: people reading English see the Russian one")
    version_in_force: int | None = Field(None, description="number of the version in force today")
    versions: list[VersionSummary] = []


class RequirementOut(Schema):
    code: str
    kind: str = Field(..., description="metric or obligation")
    metric: str | None = None
    threshold: Decimal | None = None
    currency: str | None = None
    period: str | None = None
    product_family: str | None = None
    certification: str | None = None
    obligation: str | None = None
    checked_by: str | None = None
    condition: str | None = None
    optional: bool = False
    label: str = ""
    label_en: str = Field("", description="the English text; empty: people reading English see the Russian one")


class BenefitOut(Schema):
    code: str
    kind: str
    label: str
    label_en: str = Field("", description="the English text; empty: people reading English see the Russian one")
    percent: Decimal | None
    count: int | None
    user_cap: int | None
    days: int | None
    hours: int | None
    term_days: int | None
    on_request: bool


class RewardRateOut(Schema):
    product_family: str
    sale_type: str = Field(..., description="new or renewal")
    percent: Decimal


class TierOut(Schema):
    rank: int = Field(..., description="1 is the entry tier")
    code: str
    name: str
    name_en: str = Field("", description="the English text; empty: people reading English see the Russian one")
    description: str
    requirements: list[RequirementOut]
    benefits: list[BenefitOut]
    reward_rates: list[RewardRateOut]


class RoleOut(Schema):
    code: str
    name: str
    name_en: str = Field("", description="the English text; empty: people reading English see the Russian one")
    kind: str
    has_tiers: bool
    description: str


class ProductFamilyOut(Schema):
    code: str
    name: str
    name_en: str


class DealRulesOut(Schema):
    protection_days: int
    approval_hours: int
    calendar: str = Field(..., description="country (ISO 3166) whose working days the approval clock counts")
    inactivity_months: int = Field(..., description="calendar months without movement before a deal is flagged")
    lapse_automatic: bool
    warning_days: int
    extension_days: int
    uplift_percent: Decimal
    second_partner_percent: Decimal | None
    burst_limit: int


class LeadRulesOut(Schema):
    accept_hours: int


class ReferralRulesOut(Schema):
    window_days: int
    attribution: str
    reward_percent: Decimal


class NetworkOverrideOut(Schema):
    kind: str = Field(..., description="distributor or recruiter: whose override")
    family: str | None = Field(..., description="product family code; null: any family")
    tier: str | None = Field(..., description="the seller's tier code on the sale date; null: any tier")
    percent: Decimal


class NetworkOverridesOut(Schema):
    overrides: list[NetworkOverrideOut] = Field(
        ..., description="the most specific rule matching a sale wins (family and tier, then family, then tier)"
    )


class RewardRulesOut(NetworkOverridesOut):
    hold_days: int | None = Field(..., description="null: the platform's REWARDS_HOLD_DAYS")
    distributor_override_percent: Decimal = Field(..., description="the default where no rule matches")
    recruiter_override_percent: Decimal = Field(..., description="the default where no rule matches")
    recruiter_override_months: int


class VersionOut(VersionSummary):
    programme: str
    schema_version: int
    in_force: bool = Field(..., description="this is the version in force today")
    description: str
    evaluation_period: str
    downgrade_grace_days: int
    terms: str
    deal_registration: DealRulesOut
    leads: LeadRulesOut
    referrals: ReferralRulesOut
    rewards: RewardRulesOut
    product_families: list[ProductFamilyOut]
    roles: list[RoleOut]
    tiers: list[TierOut]


def _version_out(v: ProgrammeVersion) -> dict:
    doc = yaml_io.document(v)
    in_force = selectors.version_in_force(programme=v.programme, on=timezone.localdate())
    tiers = [
        {**t, "rank": n, "requirements": [{**r, "kind": "metric" if r.get("metric") else "obligation"}
                                          for r in t["requirements"]]}
        for n, t in enumerate(doc["tiers"], start=1)
    ]  # fmt: skip
    return {
        **doc["version"],
        "number": v.number, "status": v.status, "published_at": v.published_at, "programme": v.programme.code,
        "schema_version": v.schema_version, "in_force": in_force is not None and in_force.pk == v.pk,
        "deal_registration": doc["deal_registration"], "leads": doc["leads"], "referrals": doc["referrals"],
        "rewards": doc["rewards"],
        "product_families": doc["product_families"], "roles": doc["roles"], "tiers": tiers,
    }  # fmt: skip


def _programme_out(request, p) -> dict:
    in_force = selectors.version_in_force(programme=p, on=timezone.localdate())
    return {
        "code": p.code,
        "name": p.name,
        "name_en": p.name_en,
        "version_in_force": in_force.number if in_force else None,
        "versions": list(selectors.versions(actor=request.auth, programme=p)),
    }


# ------------------------------------------------------------------ input


class ImportIn(InputSchema):
    yaml: str = Field(..., description="a whole programme version in YAML (docs/programme-schema.md)")
    publish: bool = Field(True, description="in force from its effective date; false: keep it as a draft")


class DraftIn(InputSchema):
    yaml: str = Field(..., description="the draft's whole new definition in YAML")


class PublishIn(InputSchema):
    effective_from: date | None = Field(None, description="default: the draft's date")


class RetireIn(InputSchema):
    reason: str = ""


class SettingsIn(InputSchema):
    """Only the fields given change."""

    name: str | None = None
    name_en: str | None = None
    effective_from: date | None = None
    description: str | None = None
    currency: str | None = None
    evaluation_period: str | None = Field(None, description="rolling_12_months, calendar_year or calendar_quarter")
    downgrade_grace_days: int | None = None
    terms: str | None = None
    deal_protection_days: int | None = None
    deal_approval_hours: int | None = None
    deal_calendar: str | None = Field(None, description="ISO 3166 country code of the working-day calendar")
    deal_inactivity_months: int | None = None
    deal_lapse_automatic: bool | None = None
    deal_warning_days: int | None = None
    deal_extension_days: int | None = None
    deal_uplift_percent: Decimal | None = None
    deal_second_partner_percent: Decimal | None = Field(None, description="null: a second partner gets nothing")
    deal_burst_limit: int | None = None
    lead_accept_hours: int | None = None
    referral_window_days: int | None = None
    referral_attribution: str | None = Field(None, description="last_click, first_click or bind_once")
    referral_reward_percent: Decimal | None = None
    reward_hold_days: int | None = Field(
        None, description="days a reward waits for the customer's payment; null: the platform's REWARDS_HOLD_DAYS"
    )
    distributor_override_percent: Decimal | None = None
    recruiter_override_percent: Decimal | None = None
    recruiter_override_months: int | None = None


class TierIn(InputSchema):
    code: str
    name: str
    name_en: str = ""
    description: str = ""
    rank: int | None = Field(None, ge=1, description="1 is the entry tier; default: above all others")


class TierPatch(InputSchema):
    code: str | None = None
    name: str | None = None
    name_en: str | None = None
    description: str | None = None
    rank: int | None = Field(None, ge=1, description="move the tier to this rank")


class RequirementIn(InputSchema):
    """A metric with a threshold, or an obligation (give one of ``metric`` and ``obligation``)."""

    code: str
    metric: str | None = Field(None, description="sales_volume, purchase_count, certified_staff, registered_deals, "
                                                 "won_deals")  # fmt: skip
    threshold: Decimal | None = None
    currency: str | None = None
    period: str | None = None
    product_family: str | None = None
    certification: str | None = None
    obligation: str | None = Field(None, description="signed_contract, monthly_reports, joint_promotion, reviews, "
                                                     "vendor_info_on_site, renewals_work, custom")  # fmt: skip
    checked_by: str | None = Field(None, description="evidence or manager (default)")
    condition: str | None = Field(None, description="always (default), if_had_sales, if_has_website")
    optional: bool | None = None
    label: str | None = None
    label_en: str | None = None


class RequirementPatch(RequirementIn):
    code: str | None = None


class BenefitIn(InputSchema):
    code: str
    kind: str = Field(..., description="discount, internal_use, nfr_licences, payment_deferral, advance_keys, "
                                       "vendor_leads, quarterly_rebate, annual_spif, dedicated_manager, "
                                       "deal_protection, mdf, perk")  # fmt: skip
    label: str | None = None
    label_en: str | None = None
    percent: Decimal | None = None
    count: int | None = None
    user_cap: int | None = None
    days: int | None = None
    hours: int | None = None
    term_days: int | None = None
    on_request: bool | None = None


class BenefitPatch(BenefitIn):
    code: str | None = None
    kind: str | None = None


class RateIn(InputSchema):
    product_family: str
    sale_type: str = Field(..., description="new or renewal")
    percent: Decimal


class RatesIn(InputSchema):
    rates: list[RateIn] = Field(..., description="the tier's whole table; a pair left out has no rate")


class NetworkOverrideIn(InputSchema):
    kind: str = Field(..., description="distributor or recruiter")
    family: str | None = Field(None, description="product family code; null: any family")
    tier: str | None = Field(None, description="the seller's tier code (one of the version's tiers); null: any tier")
    percent: Decimal


class NetworkOverridesIn(InputSchema):
    overrides: list[NetworkOverrideIn] = Field(
        ...,
        description="the version's whole list of rules; each names a family, a tier or both, once per kind; "
        "[] leaves the flat rates only",
    )


def _given(payload: Schema) -> dict:
    """The fields a client sent, without the unset ones (the validator's defaults apply)."""
    return payload.dict(exclude_unset=True)


# ------------------------------------------------------------------ reads


@router.get("/programmes", response=list[ProgrammeOut], summary="Programmes visible to you")
def list_programmes(request):
    return [_programme_out(request, p) for p in selectors.programmes(actor=request.auth)]


# Declared before /programmes/{code}, whose pattern would otherwise take /programmes/import.
@router.post("/programmes/import", response={201: VersionOut},
             summary="Import a programme version from YAML in the body (new programme or next version)")  # fmt: skip
def import_programme(request, payload: ImportIn):
    v = services.import_programme(actor=request.auth, text=payload.yaml, source="request body", publish=payload.publish)
    return Status(201, _version_out(v))


@router.post("/programmes/import/upload", response={201: VersionOut},
             summary="Import a whole programme version from an uploaded YAML file (multipart)")  # fmt: skip
def import_programme_upload(request, file: File[UploadedFile], publish: Form[bool] = True):
    v = services.import_programme(actor=request.auth, upload=file, publish=publish)
    return Status(201, _version_out(v))


@router.get("/programmes/{code}", response=ProgrammeOut)
def get_programme(request, code: str):
    return _programme_out(request, selectors.programme(actor=request.auth, code=code))


def _version(request, code: str, number: int) -> ProgrammeVersion:
    p = selectors.programme(actor=request.auth, code=code)
    return selectors.version(actor=request.auth, programme=p, number=number)


@router.get("/programmes/{code}/versions/{number}", response=VersionOut,
            summary="A version with its roles, tiers, requirements, benefits and reward rates")  # fmt: skip
def get_version(request, code: str, number: int):
    return _version_out(_version(request, code, number))


@router.get("/programmes/{code}/versions/{number}/yaml", response={200: str}, summary="A version as YAML (schema v1)")
def export_version(request, code: str, number: int):
    v = _version(request, code, number)
    response = HttpResponse(yaml_io.export(v), content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{v.programme.code}-v{v.number}.yaml"'
    return response


# ------------------------------------------------------------------ import, drafts, publishing


@router.post("/programmes/{code}/drafts", response={201: VersionOut},
             summary="A new draft: a copy of the published version (one draft per programme)")  # fmt: skip
def create_draft(request, code: str):
    p = selectors.programme(actor=request.auth, code=code)
    return Status(201, _version_out(services.create_draft_from_published(actor=request.auth, programme=p)))


@router.put("/programmes/{code}/versions/{number}", response=VersionOut, summary="Replace a draft's whole YAML")
def update_draft(request, code: str, number: int, payload: DraftIn):
    v = _version(request, code, number)
    return _version_out(services.update_draft(actor=request.auth, version=v, text=payload.yaml, source="request body"))


@router.patch("/programmes/{code}/versions/{number}/settings", response=VersionOut,
              summary="Change a draft's settings and deal, lead and referral rules")  # fmt: skip
def update_settings(request, code: str, number: int, payload: SettingsIn):
    v = _version(request, code, number)
    return _version_out(services.update_settings(actor=request.auth, version=v, **_given(payload)))


@router.post("/programmes/{code}/versions/{number}/tiers", response={201: VersionOut}, summary="Add a tier to a draft")
def add_tier(request, code: str, number: int, payload: TierIn):
    v = _version(request, code, number)
    return Status(201, _version_out(services.add_tier(actor=request.auth, version=v, **_given(payload))))


@router.patch("/programmes/{code}/versions/{number}/tiers/{tier_code}", response=VersionOut,
              summary="Rename, describe or move a tier of a draft")  # fmt: skip
def update_tier(request, code: str, number: int, tier_code: str, payload: TierPatch):
    v = _version(request, code, number)
    return _version_out(services.update_tier(actor=request.auth, version=v, tier_code=tier_code, **_given(payload)))


@router.delete("/programmes/{code}/versions/{number}/tiers/{tier_code}", response={204: None})
def remove_tier(request, code: str, number: int, tier_code: str):
    services.remove_tier(actor=request.auth, version=_version(request, code, number), tier_code=tier_code)
    return Status(204, None)


@router.post("/programmes/{code}/versions/{number}/tiers/{tier_code}/requirements", response={201: VersionOut})
def add_requirement(request, code: str, number: int, tier_code: str, payload: RequirementIn):
    v = _version(request, code, number)
    return Status(201, _version_out(services.add_requirement(actor=request.auth, version=v, tier_code=tier_code,
                                                             **_given(payload))))  # fmt: skip


@router.patch("/programmes/{code}/versions/{number}/tiers/{tier_code}/requirements/{req_code}", response=VersionOut)
def update_requirement(request, code: str, number: int, tier_code: str, req_code: str, payload: RequirementPatch):
    v = _version(request, code, number)
    v = services.update_requirement(actor=request.auth, version=v, tier_code=tier_code, requirement_code=req_code,
                                    **_given(payload))  # fmt: skip
    return _version_out(v)


@router.delete("/programmes/{code}/versions/{number}/tiers/{tier_code}/requirements/{req_code}", response={204: None})
def remove_requirement(request, code: str, number: int, tier_code: str, req_code: str):
    v = _version(request, code, number)
    services.remove_requirement(actor=request.auth, version=v, tier_code=tier_code, requirement_code=req_code)
    return Status(204, None)


@router.post("/programmes/{code}/versions/{number}/tiers/{tier_code}/benefits", response={201: VersionOut})
def add_benefit(request, code: str, number: int, tier_code: str, payload: BenefitIn):
    v = _version(request, code, number)
    return Status(201, _version_out(services.add_benefit(actor=request.auth, version=v, tier_code=tier_code,
                                                         **_given(payload))))  # fmt: skip


@router.patch("/programmes/{code}/versions/{number}/tiers/{tier_code}/benefits/{benefit_code}", response=VersionOut)
def update_benefit(request, code: str, number: int, tier_code: str, benefit_code: str, payload: BenefitPatch):
    v = _version(request, code, number)
    v = services.update_benefit(actor=request.auth, version=v, tier_code=tier_code, benefit_code=benefit_code,
                                **_given(payload))  # fmt: skip
    return _version_out(v)


@router.delete("/programmes/{code}/versions/{number}/tiers/{tier_code}/benefits/{benefit_code}", response={204: None})
def remove_benefit(request, code: str, number: int, tier_code: str, benefit_code: str):
    v = _version(request, code, number)
    services.remove_benefit(actor=request.auth, version=v, tier_code=tier_code, benefit_code=benefit_code)
    return Status(204, None)


@router.put("/programmes/{code}/versions/{number}/tiers/{tier_code}/reward-rates", response=VersionOut,
            summary="Replace a tier's reward-rate table")  # fmt: skip
def set_reward_rates(request, code: str, number: int, tier_code: str, payload: RatesIn):
    v = _version(request, code, number)
    rates = [r.dict() for r in payload.rates]
    return _version_out(services.set_reward_rates(actor=request.auth, version=v, tier_code=tier_code, rates=rates))


@router.get("/programmes/{code}/versions/{number}/overrides", response=NetworkOverridesOut,
            summary="A version's network override rules by product family and tier")  # fmt: skip
def get_network_overrides(request, code: str, number: int):
    return {"overrides": yaml_io.overrides_of(_version(request, code, number))}


@router.put("/programmes/{code}/versions/{number}/overrides", response=VersionOut,
            summary="Replace a draft's network override rules (the whole list; the body GET answers)")  # fmt: skip
def set_network_overrides(request, code: str, number: int, payload: NetworkOverridesIn):
    v = _version(request, code, number)
    v = services.set_network_overrides(actor=request.auth, version=v, overrides=[o.dict() for o in payload.overrides])
    return _version_out(v)


@router.post("/programmes/{code}/versions/{number}/publish", response=VersionOut)
def publish(request, code: str, number: int, payload: PublishIn):
    v = _version(request, code, number)
    return _version_out(services.publish(actor=request.auth, version=v, effective_from=payload.effective_from))


@router.post("/programmes/{code}/versions/{number}/retire", response=VersionOut,
             summary="Withdraw a draft or a published version not yet in force")  # fmt: skip
def retire(request, code: str, number: int, payload: RetireIn):
    v = _version(request, code, number)
    return _version_out(services.retire(actor=request.auth, version=v, reason=payload.reason))
