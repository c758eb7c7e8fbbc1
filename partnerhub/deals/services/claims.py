from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from partnerhub.core import audit
from partnerhub.core.problems import Conflict
from partnerhub.identity.models import User
from partnerhub.identity.roles import Role

from ..models import Claim, ClaimActivity
from ..signals import claim_status_changed

S = Claim.Status


STAGE_ORDER = list(Claim.OPEN_STAGES)


def _partner_users(org_id: int) -> list[User]:
    return list(
        User.objects.filter(
            memberships__organisation_id=org_id, memberships__role__in=[Role.PARTNER_ADMIN, Role.SALES], is_active=True
        ).distinct()
    )


def _deciders(claim: Claim) -> list[User]:
    if claim.partner_manager_id:
        return [claim.partner_manager]
    return list(User.objects.filter(memberships__role=Role.VENDOR_ADMIN, is_active=True).distinct())


def _url(claim: Claim) -> str:
    return reverse("deal-detail", args=[claim.pk])


def _activity(claim: Claim, actor, kind: str, text: str = "", *, frm: str = "", to: str = "", internal=False) -> None:
    ClaimActivity.objects.create(
        claim=claim, actor=actor if getattr(actor, "is_authenticated", False) else None, kind=kind, text=text,
        from_value=frm, to_value=to, internal=internal,
    )  # fmt: skip


def _publish(event_type: str, claim: Claim) -> None:
    """Outgoing webhooks, when the webhooks context is installed."""
    try:
        from partnerhub.webhooks.services import publish_event
    except ImportError:  # pragma: no cover - the webhooks app is part of the product
        return
    publish_event(event_type=event_type, organisation_ids=[claim.organisation_id], payload=claim_payload(claim))


def claim_payload(claim: Claim) -> dict:
    """What a partner may know about its own claim (never another party)."""
    return {
        "id": claim.pk,
        "kind": claim.kind,
        "status": claim.status,
        "stage": claim.stage,
        "title": claim.title,
        "customer_name": claim.customer_name,
        "customer_inn": claim.customer_inn,
        "amount": str(claim.amount),
        "currency": claim.currency,
        "protected_until": claim.protected_until.isoformat() if claim.protected_until else None,
        "organisation_id": claim.organisation_id,
    }


def _set_status(claim: Claim, actor, status: str, *, reason: str = "", action: str) -> None:
    before = audit.snapshot(claim)
    old = claim.status
    claim.status = status
    claim.lock_version += 1
    claim.save()
    _activity(claim, actor, ClaimActivity.Kind.STATUS, reason, frm=old, to=status)
    audit.record(actor=actor, action=action, obj=claim, organisation=claim.organisation, before=before,
                 after=audit.snapshot(claim), reason=reason)  # fmt: skip
    # Contexts built on the registry (referrals applies the decision to its attribution) react at once.
    claim_status_changed.send(sender=Claim, claim=claim, actor=actor, old_status=old)


def _check_lock_version(claim: Claim, lock_version: int | None) -> None:
    if lock_version is not None and lock_version != claim.lock_version:
        raise Conflict(_("This deal was changed by someone else; reload it and try again."), code="stale_version")


def _locked(claim: Claim) -> Claim:
    return (
        Claim.objects.select_for_update(of=("self",))
        .select_related("organisation", "version", "partner_manager")
        .get(pk=claim.pk)
    )


def _require_open(claim: Claim) -> None:
    if not claim.is_open:
        raise Conflict(
            _("This deal is %(status)s and can no longer be changed.") % {"status": claim.get_status_display()},
            code="deal_closed",
        )
