from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from partnerhub.core import workdays
from partnerhub.programmes.models import Benefit, ProgrammeVersion

from ..models import Claim


@dataclass(frozen=True)
class DealRules:
    protection_days: int = 180
    approval_hours: int = 24
    calendar: str = workdays.DEFAULT_COUNTRY  # whose working days the approval clock counts
    inactivity_months: int = 3  # calendar months
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
        calendar=version.deal_calendar,
        inactivity_months=version.deal_inactivity_months,
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


def business_deadline(start: datetime, hours: int, *, country: str = workdays.DEFAULT_COUNTRY) -> datetime:
    """``start`` plus ``hours`` counted on the working days of ``country``'s production calendar: weekends,
    public holidays and the days off moved by decree do not count; a working Saturday does."""
    return workdays.add_working_hours(start, hours, country=country)


def inactivity_limit(last_activity_at: datetime, rules: DealRules) -> datetime:
    """The moment a deal still without movement since ``last_activity_at`` has had none for more than the
    programme's calendar months (local time; a month-end clamps: 30 November + 3 months = 28 February)."""
    return timezone.localtime(last_activity_at) + relativedelta(months=rules.inactivity_months)
