"""Orders, subscriptions and provisioning requests under /api/v1/marketplace."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from partnerhub.core.api import InputSchema, Pagination, model_type
from partnerhub.identity import selectors as identity_selectors

from .. import selectors, selectors_orders
from ..models import ProvisioningRequest, Subscription
from ..services import orders, provisioning

router = Router(tags=["marketplace: orders"])
# A resource's whole quantity (Annotated: the API's integer bounding reads a bare ``dict[str, int]`` as an int).
Quantity = Annotated[int, Field(ge=0, le=1_000_000)]


class SubscriptionOut(Schema):
    id: int
    status: str
    customer_id: int
    customer_name: str = Field(..., alias="customer.name")
    partner_id: int | None
    vendor_id: int
    listing_id: int
    plan: str = Field(..., alias="plan_code")
    storefront: str = Field(..., alias="storefront.code")
    currency: str
    quantities: dict[str, int]
    recurring_amount: Decimal = Field(..., description="Price per billing period (recurring charges, no usage).")
    setup_amount: Decimal
    period_start: date | None
    period_end: date | None
    trial_ends_on: date | None
    billable: bool
    parameters: dict[str, str] = Field(..., description="Access parameters the vendor gave.")
    created_at: datetime


class ProvisioningRequestOut(Schema):
    id: int
    subscription_id: int
    kind: str
    mode: str
    status: str
    payload: dict
    idempotency_key: str
    proration: Decimal | None = Field(None, description="Charged (positive) or credited (negative) for a change.")
    attempts: int
    max_attempts: int
    next_attempt_at: datetime | None
    last_error: dict | None
    question: str
    answer: str
    note: str
    assigned_to_id: int | None
    due_at: datetime | None
    escalation_level: int
    created_at: datetime
    completed_at: datetime | None


class ProvisioningRequestDetailOut(ProvisioningRequestOut):
    call_log: list[dict]


class SubscriptionDetailOut(SubscriptionOut):
    requests: list[ProvisioningRequestOut] = Field(..., alias="requests_list")


class OrderIn(InputSchema):
    listing_id: int = Field(..., ge=1)
    plan: model_type(Subscription, "plan_code", min_length=1)
    customer_id: int = Field(..., ge=1)
    partner_id: int | None = Field(None, ge=1, description="The partner ordering on its customer's behalf.")
    quantities: dict[str, Quantity] = Field(default_factory=dict)


class ChangeIn(InputSchema):
    plan: str = Field("", max_length=40, description="Another plan of the listing (empty: keep).")
    quantities: dict[str, Quantity] | None = None


class SuspendIn(InputSchema):
    unpaid: bool = Field(False, description="Suspended for non-payment (platform staff) rather than paused.")


class UsageIn(InputSchema):
    metric: str = Field(..., min_length=1, max_length=40)
    quantity: Decimal = Field(..., gt=0)
    on: date | None = None


class UsageOut(Schema):
    id: int
    metric: str
    quantity: Decimal
    reported_on: date


class CustomerIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=200)
    inn: str = Field(..., min_length=10, max_length=12)
    email: str = Field("", max_length=254)


class CustomerOut(Schema):
    id: int = Field(..., alias="customer_id")
    name: str = Field(..., alias="customer.name")
    inn: str = Field(..., alias="customer.inn")


class CompleteIn(InputSchema):
    parameters: dict[str, str] = Field(default_factory=dict, max_length=20)
    note: model_type(ProvisioningRequest, "note") = ""


class RequiredReasonIn(InputSchema):
    reason: str = Field(..., min_length=1, max_length=2000)


class QuestionIn(InputSchema):
    question: str = Field(..., min_length=1, max_length=2000)


class AnswerIn(InputSchema):
    answer: str = Field(..., min_length=1, max_length=2000)


def _detail(request, pk: int):
    sub = selectors_orders.subscription(actor=request.auth, pk=pk)
    sub.requests_list = list(selectors_orders.subscription_requests(subscription=sub))
    return sub


@router.post("/marketplace/storefronts/{code}/orders", response={201: SubscriptionDetailOut},
             summary="Order a plan of a live listing (for one's customer organisation, or as its partner)")  # fmt: skip
def place_order(request, code: str, payload: OrderIn):
    sf = selectors.storefront(code=code)
    if payload.partner_id:
        partner = identity_selectors.organisation(actor=request.auth, pk=payload.partner_id)
        customer = selectors_orders.partner_customer(actor=request.auth, partner=partner, pk=payload.customer_id)
    else:
        partner, customer = None, identity_selectors.organisation(actor=request.auth, pk=payload.customer_id)
    sub = orders.order_place(actor=request.auth, storefront=sf, listing_id=payload.listing_id, plan_code=payload.plan,
                             customer=customer, partner=partner, quantities=payload.quantities)  # fmt: skip
    return Status(201, _detail(request, sub.pk))


@router.get("/marketplace/subscriptions", response=list[SubscriptionOut],
            summary="Subscriptions: one's own, one's customers', one's listings' (vendors), all (staff)")  # fmt: skip
@paginate(Pagination)
def list_subscriptions(request, status: str = "", role: str = ""):
    return selectors_orders.subscriptions(actor=request.auth, status=status, role=role)


@router.get("/marketplace/subscriptions/{subscription_id}", response=SubscriptionDetailOut)
def get_subscription(request, subscription_id: int):
    return _detail(request, subscription_id)


@router.post("/marketplace/subscriptions/{subscription_id}/change", response={202: ProvisioningRequestOut},
             summary="Upgrade, downgrade or change quantities (prorated; a provisioning request)")  # fmt: skip
def change(request, subscription_id: int, payload: ChangeIn):
    sub = selectors_orders.subscription(actor=request.auth, pk=subscription_id)
    req = orders.subscription_change(actor=request.auth, subscription=sub, plan_code=payload.plan,
                                     quantities=payload.quantities)  # fmt: skip
    return Status(202, req)


@router.post("/marketplace/subscriptions/{subscription_id}/cancel", response=SubscriptionDetailOut,
             summary="Cancel (a pending order is withdrawn at once)")  # fmt: skip
def cancel(request, subscription_id: int):
    sub = selectors_orders.subscription(actor=request.auth, pk=subscription_id)
    orders.subscription_cancel(actor=request.auth, subscription=sub)
    return _detail(request, subscription_id)


@router.post("/marketplace/subscriptions/{subscription_id}/suspend", response={202: ProvisioningRequestOut},
             summary="Pause (the customer) or suspend for non-payment (platform staff)")  # fmt: skip
def suspend(request, subscription_id: int, payload: SuspendIn):
    sub = selectors_orders.subscription(actor=request.auth, pk=subscription_id)
    return Status(202, orders.subscription_suspend(actor=request.auth, subscription=sub, unpaid=payload.unpaid))


@router.post("/marketplace/subscriptions/{subscription_id}/resume", response={202: ProvisioningRequestOut})
def resume(request, subscription_id: int):
    sub = selectors_orders.subscription(actor=request.auth, pk=subscription_id)
    return Status(202, orders.subscription_resume(actor=request.auth, subscription=sub))


@router.post("/marketplace/subscriptions/{subscription_id}/usage", response={201: UsageOut},
             summary="The vendor reports usage of a pay-as-you-go metric")  # fmt: skip
def report_usage(request, subscription_id: int, payload: UsageIn):
    sub = selectors_orders.subscription(actor=request.auth, pk=subscription_id)
    return Status(201, orders.usage_report(actor=request.auth, subscription=sub, metric=payload.metric,
                                           quantity=payload.quantity, on=payload.on))  # fmt: skip


@router.post("/marketplace/organisations/{org_id}/customers", response={201: CustomerOut},
             summary="A partner registers a customer organisation it orders for")  # fmt: skip
def create_customer(request, org_id: int, payload: CustomerIn):
    partner = identity_selectors.organisation(actor=request.auth, pk=org_id)
    return Status(201, orders.partner_customer_create(actor=request.auth, partner=partner, **payload.dict()))


@router.get("/marketplace/organisations/{org_id}/customers", response=list[CustomerOut],
            summary="The customers a partner orders for")  # fmt: skip
@paginate(Pagination)
def list_customers(request, org_id: int):
    partner = identity_selectors.organisation(actor=request.auth, pk=org_id)
    return selectors_orders.partner_customers(actor=request.auth, partner=partner)


@router.get("/marketplace/provisioning-requests", response=list[ProvisioningRequestOut],
            summary="Provisioning requests of the subscriptions one sees (vendors: their listings')")  # fmt: skip
@paginate(Pagination)
def list_requests(request, status: str = "", mode: str = "", open_only: bool = False):
    return selectors_orders.requests(actor=request.auth, status=status, mode=mode, open_only=open_only)


@router.get("/marketplace/provisioning-requests/{request_id}", response=ProvisioningRequestDetailOut)
def get_request(request, request_id: int):
    return selectors_orders.request(actor=request.auth, pk=request_id)


def _act(request, request_id: int, action, **kwargs):
    req = selectors_orders.request(actor=request.auth, pk=request_id)
    action(actor=request.auth, request=req, **kwargs)
    return selectors_orders.request(actor=request.auth, pk=request_id)


@router.post("/marketplace/provisioning-requests/{request_id}/retry", response=ProvisioningRequestDetailOut,
             summary="An operator retries a failed (dead-letter) request")  # fmt: skip
def retry(request, request_id: int):
    return _act(request, request_id, provisioning.request_retry)


@router.post("/marketplace/provisioning-requests/{request_id}/take", response=ProvisioningRequestDetailOut,
             summary="The vendor takes a manual request")  # fmt: skip
def take(request, request_id: int):
    return _act(request, request_id, provisioning.request_take)


@router.post("/marketplace/provisioning-requests/{request_id}/complete", response=ProvisioningRequestDetailOut,
             summary="The vendor completes a manual request with the access parameters")  # fmt: skip
def complete(request, request_id: int, payload: CompleteIn):
    return _act(request, request_id, provisioning.request_complete, parameters=payload.parameters, note=payload.note)


@router.post("/marketplace/provisioning-requests/{request_id}/fail", response=ProvisioningRequestDetailOut,
             summary="The vendor fails a manual request with the reason")  # fmt: skip
def fail(request, request_id: int, payload: RequiredReasonIn):
    return _act(request, request_id, provisioning.request_fail, reason=payload.reason)


@router.post("/marketplace/provisioning-requests/{request_id}/ask", response=ProvisioningRequestDetailOut,
             summary="The vendor asks the customer for more information")  # fmt: skip
def ask(request, request_id: int, payload: QuestionIn):
    return _act(request, request_id, provisioning.request_ask, question=payload.question)


@router.post("/marketplace/provisioning-requests/{request_id}/answer", response=ProvisioningRequestDetailOut,
             summary="The customer answers the vendor's question")  # fmt: skip
def answer(request, request_id: int, payload: AnswerIn):
    return _act(request, request_id, provisioning.request_answer, answer=payload.answer)
