from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext as _

from partnerhub.core.notify import notify
from partnerhub.core.tenancy import actor_for
from partnerhub.identity.models import User
from partnerhub.identity.roles import Role

from ..models import Conversion
from .terms import C


def _partner_users(org_id: int) -> list[User]:
    return list(
        User.objects.filter(
            memberships__organisation_id=org_id, memberships__role__in=[Role.PARTNER_ADMIN, Role.SALES], is_active=True
        ).distinct()
    )


def require_purchase_recorder(actor: User) -> None:
    if not actor_for(actor).vendor_roles & {Role.VENDOR_ADMIN, Role.FINANCE}:
        raise PermissionDenied(_("Only the vendor's administrators and finance record purchases."))


def conversion_payload(conversion: Conversion) -> dict:
    """What the referral partner may know about its own conversion."""
    link = conversion.attribution.link if conversion.attribution_id else None
    return {
        "id": conversion.pk,
        "kind": conversion.kind,
        "status": conversion.status,
        "organisation_id": conversion.organisation_id,
        "customer_name": conversion.customer.name,
        "link_code": link.code if link else None,
        "amount": str(conversion.amount),
        "currency": conversion.currency,
        "reward_amount": str(conversion.reward_amount),
        "occurred_on": conversion.occurred_on.isoformat(),
        "reference": conversion.reference,
    }


def _publish(conversion: Conversion) -> None:
    """Outgoing webhooks, when the webhooks context is installed."""
    try:
        from partnerhub.webhooks.services import publish_event
    except ImportError:  # the webhooks context is being built alongside
        return
    publish_event(
        event_type="referral.conversion",
        organisation_ids=[conversion.organisation_id],
        payload=conversion_payload(conversion),
    )


def _announce(conversion: Conversion) -> None:
    """Tell the partner about a conversion credited to it (or waiting for review)."""
    if conversion.organisation_id is None:
        return
    customer = conversion.customer.name
    if conversion.kind == Conversion.Kind.SIGNUP:
        title = _("%(customer)s signed up through your referral") % {"customer": customer}
    else:
        title = _("Purchase by %(customer)s: reward %(reward)s %(currency)s") % {
            "customer": customer,
            "reward": conversion.reward_amount,
            "currency": conversion.currency,
        }
    body = _("The partner manager reviews this referral first.") if conversion.status == C.HELD else ""
    notify(
        users=_partner_users(conversion.organisation_id),
        organisation=conversion.organisation,
        kind=f"referral.{conversion.kind}",
        title=title,
        body=body,
        url=reverse("referral-home"),
    )
    _publish(conversion)


def _referral_sale(conversion: Conversion, *, actor):
    from partnerhub.rewards.services import record_referral_sale

    return record_referral_sale(
        actor=actor,
        organisation=conversion.organisation,
        customer_name=conversion.customer.name,
        customer_inn=conversion.customer.inn,
        product_family=conversion.product_family,
        amount=conversion.amount,
        currency=conversion.currency,
        sold_on=conversion.occurred_on,
        reference=conversion.reference,
    )
