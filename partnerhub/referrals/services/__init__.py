"""Writes of the referrals context: links, clicks, attributions, conversions and their settlement.

Every function that changes state runs in one transaction and writes the audit log; clicks are
traffic, not decisions, and are counted rather than audited.

Attribution rules (per programme version: ``referral_attribution``, ``referral_window_days``):

* a click counts for a sign-up within the window after it; the sign-up's attribution counts
  for purchases dated within the window after the sign-up (``window_ends_on``);
* ``last_click``: the latest counted click wins, and a later click of a signed-in customer on
  another partner's link moves the customer (through the claim registry, so the partner
  manager decides while the first partner's claim is protected);
* ``first_click``: the earliest click in the window wins; the customer moves only once the
  attribution has ended;
* ``bind_once``: the earliest click wins and the customer's first attribution never moves;
* when the clicks come from partners of different programmes, the rule of the programme behind
  the latest click decides; a typed code counts only when no click does."""

from .attribution import attribute_signup
from .clicks import ClickOutcome, record_click
from .common import conversion_payload, require_purchase_recorder
from .links import active_link_for_code, link_create, link_update, link_url, normalise_code
from .purchases import PurchaseOutcome, record_purchase
from .settlement import on_claim_status_changed, settle_attribution, settle_attributions, settle_claim
from .signup import TooManySignups, customer_by_inn, sign_up_customer
from .terms import CODE_ALPHABET, CODE_LENGTH, RULES, A, C, Terms, terms_for

__all__ = [
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "RULES",
    "A",
    "C",
    "ClickOutcome",
    "PurchaseOutcome",
    "Terms",
    "TooManySignups",
    "active_link_for_code",
    "attribute_signup",
    "conversion_payload",
    "customer_by_inn",
    "link_create",
    "link_update",
    "link_url",
    "normalise_code",
    "on_claim_status_changed",
    "record_click",
    "record_purchase",
    "require_purchase_recorder",
    "settle_attribution",
    "settle_attributions",
    "settle_claim",
    "sign_up_customer",
    "terms_for",
]
