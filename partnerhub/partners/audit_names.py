"""The audit log names tier, role and obligation codes of enrolments, applications and obligations."""

from __future__ import annotations

from partnerhub.core import audit_labels
from partnerhub.programmes.models import Requirement
from partnerhub.programmes.selectors import families_by_code, roles_by_code, tiers_by_code

from .models import TierChange


def causes(_codes: set[str]) -> dict[str, object]:
    return dict(TierChange.Cause.choices)


def obligations(_codes: set[str]) -> dict[str, object]:
    return dict(Requirement.Obligation.choices)


def register() -> None:
    tiers = ("tier_code", "override_tier_code", "evaluated_tier_code")
    audit_labels.register_values("partners.enrolment", tiers, tiers_by_code)
    audit_labels.register_values("partners.enrolment", ("role_code",), roles_by_code)
    audit_labels.register_values("partners.enrolment", ("cause",), causes)
    audit_labels.register_values("partners.application", ("role_code",), roles_by_code)
    audit_labels.register_values("partners.application", ("starting_tier_code",), tiers_by_code)
    audit_labels.register_values("partners.obligationrecord", ("obligation",), obligations)
    audit_labels.register_values("partners.partnerprofile", ("product_families",), families_by_code)
