from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from partnerhub.programmes.models import Benefit, ProgrammeVersion

from ..models import Claim


@dataclass(frozen=True)
class DealRules:
    protection_days: int = 180
    approval_hours: int = 24
    inactivity_days: int = 90
    lapse_automatic: bool = False
    warning_days: int = 14
    extension_days: int = 30
    uplift_percent: Decimal = Decimal(0)
    second_partner_percent: Decimal | None = None
    burst_limit: int = 20


def rules_for(version: ProgrammeVersion | None, tier_code: str = "") -> DealRules:
    """The deal rules of a programme version; the tier's ``deal_protection`` benefit overrides."""
    if version is None:
        return DealRules()
    days, hours, uplift = version.deal_protection_days, version.deal_approval_hours, version.deal_uplift_percent
    benefit = (
        Benefit.objects.filter(tier__version=version, tier__code=tier_code, kind=Benefit.Kind.DEAL_PROTECTION).first()
        if tier_code
        else None
    )
    if benefit is not None:
        days = benefit.days if benefit.days is not None else days
        hours = benefit.hours if benefit.hours is not None else hours
        uplift = benefit.percent if benefit.percent is not None else uplift
    return DealRules(
        protection_days=days,
        approval_hours=hours,
        inactivity_days=version.deal_inactivity_days,
        lapse_automatic=version.deal_lapse_automatic,
        warning_days=version.deal_warning_days,
        extension_days=version.deal_extension_days,
        uplift_percent=uplift,
        second_partner_percent=version.deal_second_partner_percent,
        burst_limit=version.deal_burst_limit,
    )


def claim_rules(claim: Claim) -> DealRules:
    return rules_for(claim.version, claim.tier_code)


def protection_days(claim: Claim, rules: DealRules) -> int:
    """A referral attribution is protected for the programme's referral window; a deal by its rules."""
    if claim.kind == Claim.Kind.REFERRAL:
        return claim.version.referral_window_days if claim.version else 90
    return rules.protection_days


def business_deadline(start: datetime, hours: int) -> datetime:
    """``start`` plus ``hours`` counted on working days only (Saturday and Sunday do not count)."""
    at = timezone.localtime(start)
    remaining = timedelta(hours=hours)
    while remaining > timedelta(0):
        if at.weekday() >= 5:
            at = (at + timedelta(days=7 - at.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
            continue
        day_end = (at + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        step = min(remaining, day_end - at)
        at += step
        remaining -= step
    return at
