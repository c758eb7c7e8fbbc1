"""Every write of the development funds: keyword-only, one transaction, permission checked, audited."""

from .budgets import close_expired, grant_by_hand, grant_from_tiers, set_allowance
from .claims import approve_claim, reject_claim, submit_claim
from .requests import approve_request, reject_request, submit_request

__all__ = [
    "approve_claim",
    "approve_request",
    "close_expired",
    "grant_by_hand",
    "grant_from_tiers",
    "reject_claim",
    "reject_request",
    "set_allowance",
    "submit_claim",
    "submit_request",
]
