"""REST endpoints of the leads context: the vendor's leads, the partner's offers and the public partner locator."""

from datetime import datetime
from decimal import Decimal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from partnerhub.core import geo
from partnerhub.core.api import InputSchema, Pagination, model_type
from partnerhub.core.middleware import client_ip
from partnerhub.identity.models import Organisation
from partnerhub.onboarding import selectors as catalogue
from partnerhub.programmes.models import ProductFamily, Programme

from . import selectors, services
from .models import Lead, LeadOffer

router = Router(tags=["leads"])
public_router = Router(tags=["partner locator"], auth=None)


def _request(context):
    return context.get("request") if context else None


def _hours_since(at: datetime | None) -> float | None:
    return round((timezone.now() - at).total_seconds() / 3600, 1) if at else None


# ---------------------------------------------------------------------------- schemas: the vendor's leads


REGION = 'a Russian region, any usual spelling ("Московская обл.", "Татарстан")'
NO_FAMILY = "when the lead names none: the product family code"


class LeadIn(InputSchema):
    source: Lead.Source = Lead.Source.OTHER
    customer_name: model_type(Lead, "customer_name")
    customer_inn: model_type(Lead, "customer_inn", description="10 or 12 digits, checked; optional") = ""
    contact_name: model_type(Lead, "contact_name") = ""
    email: model_type(Lead, "email") = ""
    phone: model_type(Lead, "phone", description="an e-mail address or a phone number is required") = ""
    domain: model_type(Lead, "domain", description="the customer's website or domain") = ""
    region: model_type(Lead, "region", description=REGION) = ""
    city: model_type(Lead, "city") = ""
    competence: model_type(Lead, "competence", description="the competence the partner must have") = ""
    product_family: model_type(ProductFamily, "code", description="product family code") | None = None
    description: model_type(Lead, "description") = ""
    amount: model_type(Lead, "amount", description="estimated amount; greater than zero when given") = None
    currency: model_type(Lead, "currency") = "RUB"
    programme: model_type(Programme, "code", description="programme code: only its partners are considered") | None = (
        None
    )


class CurrentOfferOut(Schema):
    offer_id: int
    organisation_id: int
    organisation_name: str
    offered_at: datetime
    due_at: datetime
    hours_in_offer: float


class LeadOut(Schema):
    id: int
    source: str
    status: str
    customer_name: str
    customer_inn: str
    contact_name: str
    email: str
    phone: str
    domain: str
    region: str
    city: str
    federal_district: str | None = None
    competence: str
    product_family: str | None = None
    description: str
    amount: Decimal | None
    currency: str
    programme: str | None = None
    deal_id: int | None = Field(None, alias="claim_id")
    created_by_id: int | None
    created_at: datetime
    age_hours: float = Field(0, description="hours since the lead was created")
    current_offer: CurrentOfferOut | None = None
    close_reason: str

    @staticmethod
    def resolve_federal_district(obj):
        return geo.locate(region=obj.region, city=obj.city)[1]

    @staticmethod
    def resolve_product_family(obj):
        return obj.product_family.code if obj.product_family_id else None

    @staticmethod
    def resolve_programme(obj):
        return obj.programme.code if obj.programme_id else None

    @staticmethod
    def resolve_age_hours(obj):
        return _hours_since(obj.created_at)

    @staticmethod
    def resolve_current_offer(obj):
        if not getattr(obj, "current_offer_id", None):
            return None
        return {
            "offer_id": obj.current_offer_id, "organisation_id": obj.current_partner_id,
            "organisation_name": obj.current_partner, "offered_at": obj.current_offered_at,
            "due_at": obj.current_due_at, "hours_in_offer": _hours_since(obj.current_offered_at),
        }  # fmt: skip


class OfferHistoryOut(Schema):
    id: int
    organisation_id: int
    organisation_name: str = Field(..., alias="organisation.name")
    status: str
    tier_code: str
    area_level: str
    score: Decimal
    manual: bool
    offered_at: datetime
    due_at: datetime
    responded_at: datetime | None
    decline_reason: str


class LeadDetailOut(LeadOut):
    offers: list[OfferHistoryOut] = Field([], description="the offers in your scope, newest first")

    @staticmethod
    def resolve_offers(obj):
        return getattr(obj, "offers_list", [])


class RouteIn(InputSchema):
    organisation_id: int | None = Field(None, description="the partner to offer the lead to; empty: automatic")
    reason: str = ""


class CloseIn(InputSchema):
    reason: str = ""


class AcceptanceOut(Schema):
    organisation_id: int | None
    organisation_name: str
    offered: int
    accepted: int
    declined: int
    expired: int
    withdrawn: int
    open: int
    acceptance_rate: float | None = Field(None, description="accepted / (accepted + declined + expired)")
    average_response_hours: float | None


class AgeingOut(Schema):
    open_leads: int
    by_status: dict[str, int]
    oldest_open_hours: float | None
    average_open_age_hours: float | None
    average_time_in_offer_hours: float | None
    overdue_offers: int


class LeadStatsOut(Schema):
    days: int
    overall: AcceptanceOut
    partners: list[AcceptanceOut]
    ageing: AgeingOut


# ---------------------------------------------------------------------------- schemas: the partner's offers


class OfferLeadOut(Schema):
    source: str
    customer_name: str
    customer_inn: str
    region: str
    city: str
    competence: str
    product_family: str | None = None
    description: str
    amount: Decimal | None
    currency: str
    contact_name: str | None = Field(None, description="once the partner accepted")
    email: str | None = None
    phone: str | None = None
    domain: str | None = None


class OfferOut(Schema):
    id: int
    lead_id: int
    organisation_id: int
    status: str
    area_level: str
    offered_at: datetime
    due_at: datetime
    seconds_left: int | None = Field(None, description="until the answer is due, while the offer is open")
    responded_at: datetime | None
    decline_reason: str
    deal_id: int | None = None
    lead: OfferLeadOut

    @staticmethod
    def resolve_seconds_left(obj):
        if obj.status != LeadOffer.Status.OFFERED:
            return None
        return max(0, int((obj.due_at - timezone.now()).total_seconds()))

    @staticmethod
    def resolve_deal_id(obj):
        return obj.lead.claim_id if obj.status == LeadOffer.Status.ACCEPTED else None

    @staticmethod
    def resolve_lead(obj, context):
        lead = obj.lead
        request = _request(context)
        show = request is not None and selectors.sees_contact(actor=request.auth, offer=obj)
        data = {
            "source": lead.source, "customer_name": lead.customer_name, "customer_inn": lead.customer_inn,
            "region": lead.region, "city": lead.city, "competence": lead.competence,
            "product_family": lead.product_family.code if lead.product_family_id else None,
            "description": lead.description, "amount": lead.amount, "currency": lead.currency,
        }  # fmt: skip
        if show:
            data |= {"contact_name": lead.contact_name, "email": lead.email, "phone": lead.phone,
                     "domain": lead.domain}  # fmt: skip
        return data


class AcceptIn(InputSchema):
    product_family: model_type(ProductFamily, "code", description=NO_FAMILY) | None = None
    amount: model_type(Lead, "amount", description="when the lead names none: the expected amount") = None


class DeclineIn(InputSchema):
    reason: str = Field("", description="required")


# ---------------------------------------------------------------------------- schemas: the public locator


class LocatorFilter(Schema):
    region: str = ""
    city: str = ""
    competence: str = ""
    product_family: str = Field("", description="product family code")
    programme: str = Field("", description="programme code")
    tier: str = Field("", description="tier code")


class BadgeOut(Schema):
    programme_code: str
    programme_name: str
    tier_code: str | None
    tier_name: str


class LocatorEntryOut(Schema):
    id: int
    name: str
    region: str
    city: str
    website: str
    description: str
    competences: list[str]
    regions: list[str]
    product_families: list[str]
    programmes: list[BadgeOut]


class ContactIn(InputSchema):
    name: str = Field(..., max_length=200)
    company: str = Field(..., max_length=300)
    email: str = Field(..., max_length=254)
    phone: str = Field("", max_length=40)
    inn: str = Field("", max_length=12, description="optional")
    message: str = Field("", max_length=5000)
    consent: bool = Field(..., description="consent to pass the personal data to the partner; must be true")


class ContactReceiptOut(Schema):
    reference: int
    partner_id: int
    status: str = "received"


# ---------------------------------------------------------------------------- the vendor


@router.post("/leads", response={201: LeadDetailOut}, summary="Create a lead; it is routed at once")
def create_lead(request: HttpRequest, payload: LeadIn):
    lead = services.create_lead(actor=request.auth, **payload.dict())
    return Status(201, _detail(request, lead.pk))


def _detail(request, pk: int):
    lead = selectors.lead(actor=request.auth, pk=pk)
    lead.offers_list = list(selectors.offer_history(actor=request.auth, lead=lead))
    return lead


@router.get("/leads", response=list[LeadOut], summary="Leads in your scope (the vendor's staff)")
@paginate(Pagination)
def list_leads(request: HttpRequest, status: str = "", source: str = "", q: str = "", region: str = "",
               organisation_id: int | None = None):  # fmt: skip
    return selectors.leads(actor=request.auth, status=status, source=source, q=q, region=region,
                           organisation_id=organisation_id)  # fmt: skip


@router.get("/leads/{lead_id}", response=LeadDetailOut, summary="A lead with its offers")
def get_lead(request: HttpRequest, lead_id: int):
    return _detail(request, lead_id)


@router.post("/leads/{lead_id}/route", response=LeadDetailOut,
             summary="Route by hand to a partner (the open offer is withdrawn), or automatically again")  # fmt: skip
def route_lead(request: HttpRequest, lead_id: int, payload: RouteIn):
    lead = selectors.lead(actor=request.auth, pk=lead_id)
    org = Organisation.objects.get_visible_or_404(request.auth, pk=payload.organisation_id) if (
        payload.organisation_id) else None  # fmt: skip
    services.route_lead(actor=request.auth, lead=lead, organisation=org, reason=payload.reason)
    return _detail(request, lead.pk)


@router.post("/leads/{lead_id}/close", response=LeadDetailOut, summary="Close a lead with a reason")
def close_lead(request: HttpRequest, lead_id: int, payload: CloseIn):
    lead = selectors.lead(actor=request.auth, pk=lead_id)
    services.close_lead(actor=request.auth, lead=lead, reason=payload.reason)
    return _detail(request, lead.pk)


@router.get("/lead-stats", response=LeadStatsOut, summary="Acceptance per partner and overall; ageing of open leads")
def lead_stats(request: HttpRequest, days: int = 180):
    return selectors.stats(actor=request.auth, days=max(1, min(days, 3650)))


# ---------------------------------------------------------------------------- the partner


@router.get("/lead-offers", response=list[OfferOut], summary="Lead offers to your organisation (open ones first)")
@paginate(Pagination)
def list_offers(request: HttpRequest, status: str = "", organisation_id: int | None = None):
    return selectors.offers(actor=request.auth, status=status, organisation_id=organisation_id)


@router.get("/lead-offers/{offer_id}", response=OfferOut, summary="One lead offer")
def get_offer(request: HttpRequest, offer_id: int):
    return selectors.offer(actor=request.auth, pk=offer_id)


@router.post("/lead-offers/{offer_id}/accept", response=OfferOut,
             summary="Accept: the lead becomes your deal (protected unless held for a possible conflict)")  # fmt: skip
def accept_offer(request: HttpRequest, offer_id: int, payload: AcceptIn):
    offer = selectors.offer(actor=request.auth, pk=offer_id)
    services.accept_offer(actor=request.auth, offer=offer, **payload.dict())
    return selectors.offer(actor=request.auth, pk=offer_id)


@router.post("/lead-offers/{offer_id}/decline", response=OfferOut, summary="Decline with a reason")
def decline_offer(request: HttpRequest, offer_id: int, payload: DeclineIn):
    offer = selectors.offer(actor=request.auth, pk=offer_id)
    services.decline_offer(actor=request.auth, offer=offer, reason=payload.reason)
    return selectors.offer(actor=request.auth, pk=offer_id)


# ---------------------------------------------------------------------------- public: the partner locator


@public_router.get("/public/locator", response=list[LocatorEntryOut],
                   summary="Find partners by region, city, competence, product family, programme and tier")  # fmt: skip
@paginate(Pagination)
def locate(request: HttpRequest, filters: Query[LocatorFilter]):
    return catalogue.catalogue(**filters.dict())


@public_router.get("/public/locator/{org_id}", response=LocatorEntryOut, summary="A listed partner's profile")
def locator_profile(request: HttpRequest, org_id: int):
    return catalogue.catalogue_entry(org_id=org_id)


@public_router.post("/public/locator/{org_id}/contact", response={201: ContactReceiptOut},
                    summary="Write to a listed partner (no account; rate-limited per address)")  # fmt: skip
def contact_partner(request: HttpRequest, org_id: int, payload: ContactIn):
    lead = services.contact_partner(organisation_id=org_id, ip=client_ip(request), **payload.dict())
    return Status(201, {"reference": lead.pk, "partner_id": org_id})
