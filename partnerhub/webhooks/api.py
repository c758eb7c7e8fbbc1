"""REST endpoints of outgoing webhooks, under /api/v1/webhooks."""

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from partnerhub.core.api import InputSchema, Pagination, model_type
from partnerhub.identity import selectors as identity_selectors

from . import selectors, services
from .models import WebhookEndpoint

router = Router(tags=["webhooks"])

DeliveryStatus = Literal["pending", "failed", "succeeded", "dead"]


class EventTypeOut(Schema):
    name: str
    description: str

    @staticmethod
    def resolve_description(obj) -> str:
        return str(obj.description)


class EndpointOut(Schema):
    id: int
    organisation_id: int
    organisation_name: str = Field(..., alias="organisation.name")
    url: str
    description: str
    event_types: list[str]
    is_active: bool
    disabled_reason: str
    secret_hint: str = Field(..., description="The first characters of the secret, to tell secrets apart.")
    secret_rotated_at: datetime | None
    created_at: datetime
    updated_at: datetime


class EndpointCreatedOut(EndpointOut):
    secret: str = Field(..., description="Shown this once: keep it to verify signatures.")

    @staticmethod
    def resolve_secret(obj) -> str:
        return obj.shown_secret


class SecretOut(Schema):
    id: int
    secret: str = Field(..., description="Shown this once: keep it to verify signatures.")
    secret_hint: str
    secret_rotated_at: datetime | None


EventType = Annotated[str, Field(max_length=100)]


class EndpointIn(InputSchema):
    organisation_id: int | None = Field(
        None, description="The organisation receiving the events; default: your own (the vendor for vendor staff)."
    )
    url: model_type(WebhookEndpoint, "url", description="https URL the events are POSTed to.")
    description: model_type(WebhookEndpoint, "description") = ""
    event_types: list[EventType] = Field(..., description='Event type names, or ["*"] for every event.')
    is_active: bool = True


class EndpointPatch(InputSchema):
    url: model_type(WebhookEndpoint, "url") = None
    description: model_type(WebhookEndpoint, "description") = None
    event_types: list[EventType] = None
    is_active: model_type(WebhookEndpoint, "is_active") = None


class DeliveryOut(Schema):
    id: int
    delivery_id: UUID
    endpoint_id: int
    event_id: UUID
    event_type: str
    status: DeliveryStatus
    manual: bool = Field(..., description="A test event or a redelivery: one attempt, no retries.")
    attempts: int
    max_attempts: int
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    last_response_status: int | None
    last_response_body: str = Field(..., description="The first KB of the last answer.")
    last_error: str
    last_duration_ms: int | None
    redelivery_of_id: int | None
    created_at: datetime
    completed_at: datetime | None


class DeliveryDetailOut(DeliveryOut):
    payload: dict = Field(..., description="The JSON body sent (serialised with sorted keys, no spaces).")
    attempt_log: list[dict]


@router.get("/event-types", response=list[EventTypeOut])
def list_event_types(request):
    return selectors.event_types()


@router.get("/endpoints", response=list[EndpointOut])
@paginate(Pagination)
def list_endpoints(request, organisation_id: int | None = None):
    return selectors.endpoints(actor=request.auth, organisation_id=organisation_id)


@router.post("/endpoints", response={201: EndpointCreatedOut})
def create_endpoint(request, payload: EndpointIn):
    data = payload.dict()
    org_id = data.pop("organisation_id")
    if org_id is None:
        org = identity_selectors.home_organisation(actor=request.auth)
        if org is None:
            raise ValidationError({"organisation_id": [_("This field is required.")]})
    else:
        org = identity_selectors.organisation(actor=request.auth, pk=org_id)
    endpoint, _secret = services.endpoint_create(actor=request.auth, organisation=org, **data)
    return Status(201, endpoint)


@router.get("/endpoints/{endpoint_id}", response=EndpointOut)
def get_endpoint(request, endpoint_id: int):
    return selectors.endpoint(actor=request.auth, pk=endpoint_id)


@router.patch("/endpoints/{endpoint_id}", response=EndpointOut)
def update_endpoint(request, endpoint_id: int, payload: EndpointPatch):
    ep = selectors.endpoint(actor=request.auth, pk=endpoint_id)
    return services.endpoint_update(actor=request.auth, endpoint=ep, **payload.dict(exclude_unset=True))


@router.delete("/endpoints/{endpoint_id}", response={204: None})
def delete_endpoint(request, endpoint_id: int):
    ep = selectors.endpoint(actor=request.auth, pk=endpoint_id)
    services.endpoint_delete(actor=request.auth, endpoint=ep)
    return Status(204, None)


@router.post("/endpoints/{endpoint_id}/rotate-secret", response=SecretOut)
def rotate_secret(request, endpoint_id: int):
    ep = selectors.endpoint(actor=request.auth, pk=endpoint_id)
    secret = services.endpoint_rotate_secret(actor=request.auth, endpoint=ep)
    ep.refresh_from_db()
    return {"id": ep.pk, "secret": secret, "secret_hint": ep.secret_hint, "secret_rotated_at": ep.secret_rotated_at}


@router.post("/endpoints/{endpoint_id}/test", response={202: DeliveryOut})
def send_test(request, endpoint_id: int):
    """Send a `webhook.test` event now (one attempt); the answer shows its outcome if it is known already."""
    ep = selectors.endpoint(actor=request.auth, pk=endpoint_id)
    delivery = services.send_test_event(actor=request.auth, endpoint=ep)
    delivery.refresh_from_db()
    return Status(202, delivery)


@router.get("/endpoints/{endpoint_id}/deliveries", response=list[DeliveryOut])
@paginate(Pagination)
def list_deliveries(
    request, endpoint_id: int, status: DeliveryStatus | None = None, event_type: str | None = None,
    since: date | None = None, until: date | None = None,
):  # fmt: skip
    ep = selectors.endpoint(actor=request.auth, pk=endpoint_id)
    return selectors.deliveries(actor=request.auth, endpoint=ep, status=status, event_type=event_type, since=since,
                                until=until)  # fmt: skip


@router.get("/deliveries/{delivery_id}", response=DeliveryDetailOut)
def get_delivery(request, delivery_id: int):
    return selectors.delivery(actor=request.auth, pk=delivery_id)


@router.post("/deliveries/{delivery_id}/redeliver", response={202: DeliveryOut})
def redeliver(request, delivery_id: int):
    """Send the delivery's event again as a new delivery (same event id and body), one attempt."""
    d = selectors.delivery(actor=request.auth, pk=delivery_id)
    again = services.redeliver(actor=request.auth, delivery=d)
    again.refresh_from_db()
    return Status(202, again)
