"""Orders and subscriptions: a customer (or a partner for its customer) orders a plan; changes, pauses, cancels.

Every change the vendor must make is a provisioning request (``services.provisioning``); the
subscription moves by the state machine below, and is billed only once the vendor provisioned it.
Prices and proration: ``marketplace.billing``.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerhub.core import audit
from partnerhub.identity import services as identity
from partnerhub.identity.models import Organisation, User
from partnerhub.identity.roles import OrgKind, Role
from partnerhub.rewards import fx

from .. import billing
from ..models import CustomerLink, ListingVersion, Plan, ProvisioningRequest, Storefront, Subscription, UsageRecord
from .access import buyer_roles, is_operator, require_buyer, require_vendor_side
from .provisioning import request_create
from .states import move

MAX_QUANTITY = 1_000_000
S = Subscription.Status
K = ProvisioningRequest.Kind


# ------------------------------------------------------------------------------ customers of partners


@transaction.atomic
def partner_customer_create(
    *, actor: User, partner: Organisation, name: str, inn: str, email: str = ""
) -> CustomerLink:
    """A partner registers a customer organisation it will order for (it then administers nothing of it)."""
    if not {Role.PARTNER_ADMIN, Role.SALES} & buyer_roles(actor, partner.pk):
        if not Organisation.objects.visible_to(actor).filter(pk=partner.pk).exists():
            raise Http404
        raise PermissionDenied(_("Only the partner's administrators and sales create its customers."))
    if partner.kind != OrgKind.PARTNER:
        raise ValidationError({"organisation": [_("Only partner organisations order for customers.")]})
    customer = identity.organisation_create(actor=None, kind=OrgKind.CUSTOMER, name=(name or "").strip(),
                                            inn=(inn or "").strip(), email=(email or "").strip())  # fmt: skip
    link = CustomerLink.objects.create(partner=partner, customer=customer, created_by=actor)
    audit.record(actor=actor, action="marketplace.customer_created", obj=customer, organisation=partner,
                 after={"name": customer.name, "inn": customer.inn})  # fmt: skip
    return link


# ------------------------------------------------------------------------------ ordering


def clean_quantities(plan: Plan, raw, *, current: dict | None = None) -> dict[str, int]:
    """The plan's counted resources with whole quantities (default: the current one, or 1)."""
    raw = raw if isinstance(raw, dict) else {}
    errors, out = {}, {}
    for code in billing.counted_resources(plan):
        value = raw.get(code, (current or {}).get(code, 1))
        try:
            number = int(str(value).strip())
        except (TypeError, ValueError):
            number = -1
        if not 0 <= number <= MAX_QUANTITY:
            errors[f"quantities.{code}"] = [_("Give a whole number from 0 to %(max)s.") % {"max": MAX_QUANTITY}]
        out[code] = number
    unknown = set(raw) - set(out)
    if unknown:
        errors["quantities"] = [_("The plan has no resource %(codes)s.") % {"codes": ", ".join(sorted(unknown))}]
    if errors:
        raise ValidationError(errors)
    return out


def _prices(plan: Plan, currency: str) -> list[billing.ChargePrice]:
    try:
        return billing.plan_prices(plan, currency)
    except fx.MissingRate as exc:
        raise ValidationError({"plan": [exc.message]}) from None


def _plan(version, code: str) -> Plan:
    plan = Plan.objects.filter(version=version, code=code).prefetch_related("charges__prices",
                                                                            "charges__resource").first()  # fmt: skip
    if plan is None:
        raise ValidationError({"plan": [_("The listing has no plan %(code)s.") % {"code": code}]})
    return plan


def _may_order_for(actor: User, customer: Organisation, partner: Organisation | None) -> None:
    if partner is None:
        if Role.CUSTOMER_ADMIN not in buyer_roles(actor, customer.pk):
            if not Organisation.objects.visible_to(actor).filter(pk=customer.pk).exists():
                raise Http404
            raise PermissionDenied(_("Only the customer's administrator orders for it."))
        return
    if not {Role.PARTNER_ADMIN, Role.SALES} & buyer_roles(actor, partner.pk):
        raise Http404
    if not CustomerLink.objects.filter(partner=partner, customer=customer).exists():
        raise Http404  # not this partner's customer


@transaction.atomic
def order_place(
    *, actor: User, storefront: Storefront, listing_id: int, plan_code: str, customer: Organisation,
    partner: Organisation | None = None, quantities: dict | None = None,
) -> Subscription:  # fmt: skip
    """Order a plan of a live listing on a storefront: a pending subscription and its provisioning request."""
    _may_order_for(actor, customer, partner)
    if customer.kind != OrgKind.CUSTOMER:
        raise ValidationError({"customer": [_("Only customer organisations hold subscriptions.")]})
    version = (
        ListingVersion.objects.filter(listing_id=listing_id, status=ListingVersion.Status.LIVE, storefronts=storefront)
        .select_related("listing__organisation")
        .first()
    )
    if version is None or not storefront.is_active:
        raise Http404
    plan = _plan(version, plan_code)
    counts = clean_quantities(plan, quantities)
    prices = _prices(plan, storefront.currency)
    trial = plan.is_trial
    sub = Subscription.objects.create(
        customer=customer, partner=partner, vendor=version.listing.organisation, listing=version.listing,
        version=version, plan=plan, plan_code=plan.code, storefront=storefront, currency=storefront.currency,
        quantities=counts, recurring_amount=Decimal(0) if trial else billing.recurring_amount(prices, counts),
        setup_amount=Decimal(0) if trial else billing.setup_amount(prices), created_by=actor,
    )  # fmt: skip
    audit.record(actor=actor, action="subscription.ordered", obj=sub, organisation=customer,
                 after={"listing": version.listing_id, "storefront": storefront.code,
                        **audit.snapshot(sub)})  # fmt: skip
    request_create(subscription=sub, kind=K.CREATE, actor=actor,
                   payload={"plan": plan.code, "quantities": counts})  # fmt: skip
    return sub


def _lock(subscription: Subscription) -> Subscription:
    return (
        Subscription.objects.select_for_update(of=("self",))
        .select_related("customer", "partner", "vendor", "version", "plan", "storefront")
        .get(pk=subscription.pk)
    )


def _no_open_request(sub: Subscription) -> None:
    if sub.requests.filter(status__in=ProvisioningRequest.OPEN).exists():
        raise ValidationError({"subscription": [_("A request for this subscription is still open; wait for it "
                                                  "to finish (or for an operator to retry it).")]})  # fmt: skip


def orphaned_usage(sub: Subscription, new_plan: Plan) -> str:
    """Why moving to ``new_plan`` would orphan usage reported in the current period ("" if it would not)."""
    if sub.period_start is None:
        return ""
    dropped = billing.metered_resources(sub.plan) - billing.metered_resources(new_plan)
    if not dropped:
        return ""
    used = (
        UsageRecord.objects.filter(subscription=sub, metric__in=dropped, reported_on__gte=sub.period_start)
        .values("metric")
        .annotate(total=Sum("quantity"))
        .filter(total__gt=0)
        .order_by("metric")
        .first()
    )
    if used is None:
        return ""
    return _("The plan %(plan)s does not bill usage of %(metric)s, and %(quantity)s was reported in the current "
             "period; change the plan after the period ends on %(end)s.") % {
        "plan": new_plan.code, "metric": used["metric"], "quantity": used["total"].normalize(),
        "end": sub.period_end.isoformat() if sub.period_end else "—"}  # fmt: skip


@transaction.atomic
def subscription_change(
    *, actor: User, subscription: Subscription, plan_code: str = "", quantities: dict | None = None
) -> ProvisioningRequest:
    """Upgrade, downgrade or change quantities: a change request, prorated (``billing.prorate``)."""
    sub = _lock(subscription)
    require_buyer(actor, sub)
    if sub.status not in (S.TRIAL, S.ACTIVE):
        raise ValidationError({"subscription": [_("Only an active subscription or a trial can be changed.")]})
    _no_open_request(sub)
    plan = _plan(sub.version, plan_code or sub.plan_code)
    if plan.is_trial and plan.pk != sub.plan_id:
        raise ValidationError({"plan": [_("A running subscription cannot move to a trial plan.")]})
    counts = clean_quantities(plan, quantities, current=sub.quantities)
    if plan.pk == sub.plan_id and counts == sub.quantities:
        raise ValidationError({"plan": [_("Choose another plan or other quantities.")]})
    reason = orphaned_usage(sub, plan)
    if reason:
        raise ValidationError({"plan": [ValidationError(reason, code="orphaned_usage")]})
    new = Decimal(0) if plan.is_trial else billing.recurring_amount(_prices(plan, sub.currency), counts)
    today = timezone.localdate()
    if sub.status == S.TRIAL or sub.period_start is None:
        proration = new  # a trial moved to a paid plan starts a full period
    else:
        proration = billing.prorate(old=sub.recurring_amount, new=new, period_start=sub.period_start,
                                    period_end=sub.period_end, on=today)  # fmt: skip
    payload = {"plan": plan.code, "quantities": counts, "recurring_amount": str(new)}
    req = request_create(subscription=sub, kind=K.CHANGE, actor=actor, payload=payload, proration=proration)
    audit.record(actor=actor, action="subscription.change_requested", obj=sub, organisation=sub.customer,
                 before=audit.snapshot(sub), after={"plan_code": plan.code, "quantities": counts,
                                                    "recurring_amount": new, "proration": proration})  # fmt: skip
    return req


@transaction.atomic
def subscription_cancel(*, actor: User, subscription: Subscription) -> Subscription:
    """Cancel: a pending order is withdrawn at once (its request revoked); a running one is cancelled at the vendor."""
    sub = _lock(subscription)
    require_buyer(actor, sub)
    before = audit.snapshot(sub)
    if sub.status == S.PENDING:
        sub.requests.filter(status__in=ProvisioningRequest.OPEN).update(
            status=ProvisioningRequest.Status.REVOKED, next_attempt_at=None, completed_at=timezone.now()
        )
        move(sub, S.TERMINATED)
        sub.save(update_fields=["status", "updated_at"])
    else:
        if sub.status in (S.TERMINATING, S.TERMINATED):
            raise ValidationError({"subscription": [_("The subscription is already being cancelled.")]})
        _no_open_request(sub)
        move(sub, S.TERMINATING)
        sub.save(update_fields=["status", "updated_at"])
        request_create(subscription=sub, kind=K.CANCEL, actor=actor)
    audit.record(actor=actor, action="subscription.cancelled", obj=sub, organisation=sub.customer, before=before,
                 after=audit.snapshot(sub))  # fmt: skip
    return sub


@transaction.atomic
def subscription_suspend(*, actor: User, subscription: Subscription, unpaid: bool = False) -> ProvisioningRequest:
    """Pause (the customer) or suspend for non-payment (the platform's staff): a suspend request."""
    sub = _lock(subscription)
    if unpaid:
        if not is_operator(actor):
            raise PermissionDenied(_("Only the platform's staff suspend a subscription for non-payment."))
    else:
        require_buyer(actor, sub)
    if sub.status != S.ACTIVE:
        raise ValidationError({"subscription": [_("Only an active subscription can be paused or suspended.")]})
    _no_open_request(sub)
    req = request_create(subscription=sub, kind=K.SUSPEND, actor=actor, payload={"unpaid": unpaid})
    audit.record(actor=actor, action="subscription.suspend_requested", obj=sub, organisation=sub.customer,
                 after={"unpaid": unpaid})  # fmt: skip
    return req


@transaction.atomic
def subscription_resume(*, actor: User, subscription: Subscription) -> ProvisioningRequest:
    """Resume a paused subscription (the customer) or a suspended one once paid (the platform's staff)."""
    sub = _lock(subscription)
    if sub.status == S.SUSPENDED:
        if not is_operator(actor):
            raise PermissionDenied(_("Only the platform's staff resume a subscription suspended for non-payment."))
    elif sub.status == S.PAUSED:
        require_buyer(actor, sub)
    else:
        raise ValidationError({"subscription": [_("Only a paused or suspended subscription can be resumed.")]})
    _no_open_request(sub)
    req = request_create(subscription=sub, kind=K.RESUME, actor=actor)
    audit.record(actor=actor, action="subscription.resume_requested", obj=sub, organisation=sub.customer)
    return req


@transaction.atomic
def usage_report(*, actor: User, subscription: Subscription, metric: str, quantity, on=None) -> UsageRecord:
    """The vendor reports usage of a pay-as-you-go metric of the subscription's plan."""
    sub = _lock(subscription)
    require_vendor_side(actor, sub)
    if metric not in billing.metered_resources(sub.plan):
        raise ValidationError({"metric": [_("The plan bills no usage of %(metric)s.") % {"metric": metric}]})
    try:
        amount = Decimal(str(quantity))
    except (InvalidOperation, ValueError):
        amount = Decimal(-1)
    if not amount.is_finite() or amount <= 0 or amount >= Decimal(10) ** 12:
        raise ValidationError({"quantity": [_("Give a quantity greater than zero.")]})
    if sub.status in (S.PENDING, S.TERMINATED):
        raise ValidationError({"subscription": [_("Usage is reported only for a provisioned subscription.")]})
    record = UsageRecord.objects.create(subscription=sub, metric=metric, quantity=amount,
                                        reported_on=on or timezone.localdate(), reported_by=actor)  # fmt: skip
    audit.record(actor=actor, action="subscription.usage_reported", obj=sub, organisation=sub.vendor,
                 after={"metric": metric, "quantity": amount})  # fmt: skip
    return record
