"""Writes of the leads context: creating leads, routing them, the partner's answer, the expiry job.

Every function takes keyword arguments, runs in one transaction, checks the actor's permission,
validates fully before writing and records every state change in the audit log. A lead is locked
(``SELECT … FOR UPDATE``) before its offers, by every writer, so an accept racing the expiry job
is decided by whichever comes first and the other sees the outcome.

What a partner learns about a lead: while the offer is open, who the customer is, where, what it
needs and the estimated amount; the contact person, e-mail and phone once it accepts."""

from .answers import accept_offer, decline_offer
from .common import MAX_TEXT, OS, offer_payload
from .locator import CONTACT_FIELDS, TooManyContacts, contact_partner
from .offering import ExpiryRun, RoutingResult, expire_lead_offers
from .vendor import close_lead, create_lead, route_lead

__all__ = [
    "CONTACT_FIELDS",
    "MAX_TEXT",
    "OS",
    "ExpiryRun",
    "RoutingResult",
    "TooManyContacts",
    "accept_offer",
    "close_lead",
    "contact_partner",
    "create_lead",
    "decline_offer",
    "expire_lead_offers",
    "offer_payload",
    "route_lead",
]
