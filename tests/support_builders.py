"""The shipped 002 programme (its tiers' benefits carry the entitlements) and a partner enrolled in a tier."""

from __future__ import annotations

from datetime import date

from partnerhub.partners.models import Enrolment
from partnerhub.programmes import services as programme_services
from partnerhub.programmes.models import Programme
from partnerhub.programmes.services import DEFINITIONS


def programme_002() -> Programme:
    existing = Programme.objects.filter(code="security-partners").first()
    if existing:
        return existing
    text = (DEFINITIONS / "security_002.yaml").read_text(encoding="utf-8")
    return programme_services.import_programme(actor=None, text=text, source="security_002.yaml").programme


def enrol_in_tier(org, tier_code: str) -> Enrolment:
    """``org`` active in the 002 programme, standing in ``tier_code`` (set directly: no evaluation run)."""
    programme = programme_002()
    e, _ = Enrolment.objects.update_or_create(
        organisation=org, programme=programme,
        defaults={"role_code": "reseller", "status": Enrolment.Status.ACTIVE, "joined_on": date(2026, 1, 10),
                  "tier_code": tier_code},
    )  # fmt: skip
    return e
