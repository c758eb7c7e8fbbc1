"""Writes of the deals context: registration, decisions, protection and the deal's progress.

Every function runs in one transaction and writes the audit log. Registration serialises on
one database lock (PostgreSQL advisory lock) between the match and the insert, so of two
partners registering the same customer at the same moment exactly one is first and the
other sees the conflict."""

from .claims import STAGE_ORDER, S, claim_payload
from .decisions import approve, reject, resolve_conflict
from .pipeline import EDITABLE, add_note, allowed_stages, move_stage, update_claim, withdraw
from .protection import (
    ProtectionSweep,
    decide_extension,
    escalate_overdue,
    request_extension,
    sweep_protection,
    withdraw_protection,
)
from .registration import REGISTRATION_LOCK, register_claim, register_direct
from .rules import DealRules, business_deadline, claim_rules, inactivity_limit, protection_days, rules_for

__all__ = [
    "EDITABLE",
    "REGISTRATION_LOCK",
    "STAGE_ORDER",
    "DealRules",
    "ProtectionSweep",
    "S",
    "add_note",
    "allowed_stages",
    "approve",
    "business_deadline",
    "claim_payload",
    "claim_rules",
    "decide_extension",
    "escalate_overdue",
    "inactivity_limit",
    "move_stage",
    "protection_days",
    "register_claim",
    "register_direct",
    "reject",
    "request_extension",
    "resolve_conflict",
    "rules_for",
    "sweep_protection",
    "update_claim",
    "withdraw",
    "withdraw_protection",
]
