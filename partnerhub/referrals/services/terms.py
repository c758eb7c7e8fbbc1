from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import Max

from partnerhub.programmes.models import Programme, ProgrammeRole, ProgrammeVersion
from partnerhub.programmes.selectors import version_in_force

from ..models import Conversion, ReferralAttribution

A = ReferralAttribution.Status


C = Conversion.Status


CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: codes are typed by people


CODE_LENGTH = 8


RULES = ("last_click", "first_click", "bind_once")


@dataclass(frozen=True)
class Terms:
    """The referral rules that apply to a partner on a date."""

    programme: Programme | None
    version: ProgrammeVersion | None
    window_days: int
    rule: str
    reward_percent: Decimal


def terms_for(organisation_id: int, on: date) -> Terms:
    """The partner's referral terms: its referral-role enrolment first, else its first active one."""
    from partnerhub.partners.models import Enrolment

    best: tuple[bool, Enrolment, ProgrammeVersion] | None = None
    enrolments = Enrolment.objects.filter(organisation_id=organisation_id, status=Enrolment.Status.ACTIVE)
    for e in enrolments.select_related("programme").order_by("programme_id"):
        version = version_in_force(programme=e.programme, on=on)
        if version is None:
            continue
        is_referral = version.roles.filter(code=e.role_code, kind=ProgrammeRole.Kind.REFERRAL).exists()
        if best is None or (is_referral and not best[0]):
            best = (is_referral, e, version)
    if best is None:
        return Terms(None, None, settings.REFERRAL_DEFAULT_WINDOW_DAYS, "last_click", Decimal(0))
    _ref, enrolment, version = best
    rule = version.referral_attribution if version.referral_attribution in RULES else "last_click"
    return Terms(enrolment.programme, version, version.referral_window_days, rule, version.referral_reward_percent)


def _longest_window() -> int:
    longest = ProgrammeVersion.objects.filter(status=ProgrammeVersion.Status.PUBLISHED).aggregate(
        m=Max("referral_window_days")
    )["m"]
    return max(longest or 0, settings.REFERRAL_DEFAULT_WINDOW_DAYS)
