"""The one registry of webhook event types.

Other contexts publish these names with :func:`partnerhub.webhooks.services.publish_event`;
endpoints subscribe to names from here or to ``"*"`` (every event, present and future).
Add a new event type here first, then publish it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

WILDCARD = "*"
# Sent by "send test event"; not subscribable, delivered to the endpoint it is sent to only.
TEST_EVENT = "webhook.test"


@dataclass(frozen=True)
class EventType:
    name: str
    description: str | Promise


EVENT_TYPES: dict[str, EventType] = {
    e.name: e
    for e in (
        EventType("deal.registered", _("A partner registered a deal.")),
        EventType("deal.conflict_detected", _("A registration overlaps another claim on the same customer.")),
        EventType("deal.approved", _("The vendor approved a deal registration.")),
        EventType("deal.rejected", _("The vendor rejected a deal registration.")),
        EventType("deal.stage_changed", _("A deal moved to another pipeline stage.")),
        EventType("deal.protection_expiring", _("A deal's protection ends soon.")),
        EventType("deal.protection_lapsed", _("A deal's protection lapsed.")),
        EventType("deal.won", _("A deal was won.")),
        EventType("deal.lost", _("A deal was lost.")),
        EventType("lead.offered", _("The vendor offered a lead to a partner.")),
        EventType("lead.accepted", _("A partner accepted a lead.")),
        EventType("lead.declined", _("A partner declined a lead.")),
        EventType("lead.expired", _("A lead offer expired without an answer.")),
        EventType("referral.conversion", _("A referred customer made a purchase.")),
        EventType("certification.issued", _("A partner's specialist passed a certification exam.")),
        EventType("certification.revoked", _("The vendor revoked a specialist's certificate.")),
        EventType("certification.expired", _("A specialist's certificate expired.")),
        EventType("statement.ready", _("A reward period closed: the partner's statement for it is ready.")),
        EventType("payout.paid", _("A payout run was paid: the partner's rewards were paid out.")),
        EventType("support.opened", _("A partner opened a support request.")),
        EventType("support.replied", _("The vendor's support replied to a partner's request.")),
        EventType("support.status_changed", _("A support request changed status (resolved, closed, reopened).")),
        EventType("support.breached", _("A support request missed its response or resolution target.")),
        EventType("benefit.decided", _("The vendor approved or rejected a partner's benefit request.")),
        EventType("benefit.fulfilled", _("The vendor fulfilled a benefit request (a licence issued).")),
    )
}


def is_known(name: str) -> bool:
    return name in EVENT_TYPES


def subscribable() -> list[str]:
    """Every name an endpoint may subscribe to, the wildcard first."""
    return [WILDCARD, *EVENT_TYPES]


def describe(name: str) -> str:
    if name == WILDCARD:
        return str(_("Every event, including event types added later."))
    if name == TEST_EVENT:
        return str(_("A test event sent on request."))
    event = EVENT_TYPES.get(name)
    return str(event.description) if event else ""
