"""Reads of orders, subscriptions and provisioning requests, scoped to the acting user (404 otherwise).

A subscription is visible to its customer's members, to the partner that ordered it, to the
software vendor whose listing it is, and to the platform staff who see everything; a partner
manager also sees those of the partners and vendors assigned to them.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from partnerhub.core.tenancy import actor_for
from partnerhub.identity.models import Organisation, User

from .models import CustomerLink, ProvisioningRequest, Subscription, UsageRecord


def _scope(actor: User, prefix: str = "") -> Q:
    who = actor_for(actor)
    if not who.is_authenticated:
        return Q(pk__in=[])
    if who.sees_everything:
        return Q()
    ids = sorted(who.org_ids)
    q = Q(**{f"{prefix}customer_id__in": ids}) | Q(**{f"{prefix}partner_id__in": ids})
    q |= Q(**{f"{prefix}vendor_id__in": ids})
    if who.is_partner_manager:
        q |= Q(**{f"{prefix}partner__partner_manager": who.user}) | Q(**{f"{prefix}vendor__partner_manager": who.user})
    return q


def subscriptions(*, actor: User, status: str = "", role: str = "") -> QuerySet[Subscription]:
    """``role``: "customer" (bought by or for the actor's organisations), "vendor" (of its listings), or all."""
    qs = Subscription.objects.filter(_scope(actor))
    ids = sorted(actor_for(actor).org_ids)
    if role == "customer":
        qs = qs.filter(Q(customer_id__in=ids) | Q(partner_id__in=ids))
    elif role == "vendor":
        qs = qs.filter(vendor_id__in=ids)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("customer", "partner", "vendor", "plan", "storefront").order_by("-created_at", "-pk")


def subscription(*, actor: User, pk: int) -> Subscription:
    sub = (
        Subscription.objects.filter(_scope(actor), pk=pk)
        .select_related("customer", "partner", "vendor", "plan", "storefront", "version", "listing")
        .first()
    )
    if sub is None:
        raise Http404
    return sub


def subscription_requests(*, subscription: Subscription) -> QuerySet[ProvisioningRequest]:
    return subscription.requests.select_related("assigned_to").order_by("-created_at", "-pk")


def usage(*, subscription: Subscription) -> QuerySet[UsageRecord]:
    return subscription.usage.order_by("-reported_on", "-pk")


def requests(
    *, actor: User, status: str = "", mode: str = "", open_only: bool = False
) -> QuerySet[ProvisioningRequest]:
    """The requests of the subscriptions the actor sees (vendors: of their listings; operators: all)."""
    qs = ProvisioningRequest.objects.filter(_scope(actor, "subscription__"))
    if status:
        qs = qs.filter(status=status)
    elif open_only:
        qs = qs.filter(status__in=ProvisioningRequest.OPEN)
    if mode:
        qs = qs.filter(mode=mode)
    return qs.select_related("subscription__customer", "subscription__vendor", "assigned_to").order_by(
        "-created_at", "-pk"
    )


def request(*, actor: User, pk: int) -> ProvisioningRequest:
    req = (
        ProvisioningRequest.objects.filter(_scope(actor, "subscription__"), pk=pk)
        .select_related("subscription__customer", "subscription__vendor", "subscription__partner", "assigned_to")
        .first()
    )
    if req is None:
        raise Http404
    return req


def partner_customers(*, actor: User, partner: Organisation) -> QuerySet[CustomerLink]:
    return CustomerLink.objects.visible_to(actor).filter(partner=partner).select_related("customer")


def partner_customer(*, actor: User, partner: Organisation, pk: int) -> Organisation:
    """A customer organisation ``partner`` orders for (404 if it is not one of its customers)."""
    link = partner_customers(actor=actor, partner=partner).filter(customer_id=pk).first()
    if link is None:
        raise Http404
    return link.customer


def listing_name(version, language: str) -> str:
    """The listing's name in ``language`` (or in the other one when it has none)."""
    names = dict(version.texts.values_list("language", "name"))
    return names.get(language) or next(iter(names.values()), "")
