from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..models import Benefit, ProgrammeRole, ProgrammeVersion, Requirement, RewardRate

SCHEMA_VERSION = 1


CENT = Decimal("0.01")


INT_MAX = 2_147_483_647  # PositiveIntegerField


AMOUNT_MAX = Decimal("9999999999999999.99")  # DecimalField(max_digits=18, decimal_places=2)


MAX_NODES = 100_000  # values in one document; the 002 file has about 300


@dataclass(frozen=True)
class YamlError:
    source: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}: {self.path or '(document)'}: {self.message}"


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Any = _Required()


@dataclass(frozen=True)
class K:
    """One key of the schema: its type, default (REQUIRED: must be given) and limits.

    kind: str (one line), text, slug (a code), int, bool, date, currency, country (a working-day calendar),
    amount, percent, enum, map, list; i18n: a one-line text in Russian and English, given as a plain string
    (the Russian, default text) or as ``{ru: ..., en: ...}``; normalised to ``<key>`` (Russian) and
    ``<key>_en`` (English, "" when not given), the ``<key>_en`` key being declared beside it.
    nullable: an explicit empty value stays empty instead of taking the default.
    field: the ProgrammeVersion field a key of the deal_registration/leads/referrals blocks fills.
    """

    kind: str
    default: Any = REQUIRED
    choices: tuple[str, ...] = ()
    max_length: int | None = None
    nullable: bool = False
    field: str = ""
    maximum: int | None = None  # of an int (default INT_MAX)


def _values(choices) -> tuple[str, ...]:
    return tuple(c for c, _label in choices)


PERIODS = _values(ProgrammeVersion.Period.choices)


METRICS = _values(Requirement.Metric.choices)


OBLIGATIONS = _values(Requirement.Obligation.choices)


BENEFIT_KINDS = _values(Benefit.Kind.choices)


ATTRIBUTIONS = ("last_click", "first_click", "bind_once")


TOP = {
    "schema_version": K("int"),
    "programme": K("map"),
    "version": K("map"),
    "deal_registration": K("map", None),
    "leads": K("map", None),
    "referrals": K("map", None),
    "rewards": K("map", None),
    "product_families": K("list", None),
    "roles": K("list"),
    "tiers": K("list", None),
}


def _bilingual(key: str, default: Any = REQUIRED, *, max_length: int, nullable: bool = False) -> dict[str, K]:
    """A text people read, in Russian (``key``) and English (``key_en``, optional: it falls back to the Russian)."""
    return {
        key: K("i18n", default, max_length=max_length, nullable=nullable),
        f"{key}_en": K("str", "", max_length=max_length),
    }


I18N_KEYS = ("name", "label")  # the bilingual keys, written back as {ru: ..., en: ...} when there is an English text


PROGRAMME = {"code": K("slug", max_length=50), **_bilingual("name", max_length=200)}


VERSION = {
    "effective_from": K("date"),
    **_bilingual("name", None, max_length=200, nullable=True),  # default: the programme's name
    "description": K("text", ""),
    "currency": K("currency", "RUB"),
    "evaluation_period": K("enum", "rolling_12_months", choices=PERIODS),
    "downgrade_grace_days": K("int", 30),
    "terms": K("text", ""),
}


# Read before schema 1 had inactivity_months: days, turned into whole calendar months (90 → 3).
LEGACY_INACTIVITY_DAYS = "inactivity_days"


# The defaults are the model's, so a file without these blocks gets what a new version would.
DEALS = {
    "protection_days": K("int", 180, field="deal_protection_days"),
    "approval_hours": K("int", 24, field="deal_approval_hours"),
    "calendar": K("country", "RU", field="deal_calendar"),
    "inactivity_months": K("int", 3, field="deal_inactivity_months"),
    "lapse_automatic": K("bool", False, field="deal_lapse_automatic"),
    "warning_days": K("int", 14, field="deal_warning_days"),
    "extension_days": K("int", 30, field="deal_extension_days"),
    "uplift_percent": K("percent", "0.00", field="deal_uplift_percent"),
    "second_partner_percent": K("percent", None, nullable=True, field="deal_second_partner_percent"),
    "burst_limit": K("int", 20, field="deal_burst_limit"),
}


LEADS = {"accept_hours": K("int", 48, field="lead_accept_hours")}


REFERRALS = {
    "window_days": K("int", 90, field="referral_window_days"),
    "attribution": K("enum", "last_click", choices=ATTRIBUTIONS, field="referral_attribution"),
    "reward_percent": K("percent", "10.00", field="referral_reward_percent"),
}


# Optional and backward compatible: a file without it gets the platform's hold and no network overrides.
REWARDS = {
    "hold_days": K("int", None, nullable=True, maximum=366, field="reward_hold_days"),
    "distributor_override_percent": K("percent", "0.00", field="distributor_override_percent"),
    "recruiter_override_percent": K("percent", "0.00", field="recruiter_override_percent"),
    "recruiter_override_months": K("int", 12, maximum=120, field="recruiter_override_months"),
    "overrides": K("list", None),  # NetworkOverride rows, not version fields (OVERRIDE)
}


# rewards.overrides[]: an override rate for a product family and/or the seller's tier; the most specific wins.
OVERRIDE = {
    "kind": K("enum", choices=("distributor", "recruiter")),
    "family": K("slug", None, max_length=50, nullable=True),
    "tier": K("slug", None, max_length=50, nullable=True),
    "percent": K("percent"),
}


BLOCKS = (("deal_registration", DEALS), ("leads", LEADS), ("referrals", REFERRALS), ("rewards", REWARDS))


FAMILY = {"code": K("slug", max_length=50), **_bilingual("name", max_length=200)}


ROLE = {
    "code": K("slug", max_length=50),
    **_bilingual("name", max_length=200),
    "kind": K("enum", choices=_values(ProgrammeRole.Kind.choices)),
    "has_tiers": K("bool", True),
    "description": K("text", ""),
}


TIER = {
    "code": K("slug", max_length=50),
    **_bilingual("name", max_length=200),
    "description": K("text", ""),
    "requirements": K("list", None),
    "benefits": K("list", None),
    "reward_rates": K("list", None),
}


METRIC_REQ = {
    "code": K("slug", max_length=60),
    "metric": K("enum", choices=METRICS),
    "threshold": K("amount"),
    "currency": K("currency", None, nullable=True),
    "period": K("enum", None, choices=PERIODS, nullable=True),
    "product_family": K("slug", None, max_length=50, nullable=True),
    "certification": K("slug", None, max_length=60, nullable=True),
    **_bilingual("label", "", max_length=300),
}


OBLIGATION_REQ = {
    "code": K("slug", max_length=60),
    "obligation": K("enum", choices=OBLIGATIONS),
    "checked_by": K("enum", "manager", choices=_values(Requirement.CheckedBy.choices)),
    "condition": K("enum", "always", choices=_values(Requirement.Condition.choices)),
    "optional": K("bool", False),
    **_bilingual("label", "", max_length=300),
}


BENEFIT = {
    "code": K("slug", max_length=60),
    "kind": K("enum", choices=BENEFIT_KINDS),
    **_bilingual("label", "", max_length=300),
    "percent": K("percent", None, nullable=True),
    "count": K("int", None, nullable=True),
    "user_cap": K("int", None, nullable=True),
    "days": K("int", None, nullable=True),
    "hours": K("int", None, nullable=True),
    "term_days": K("int", None, nullable=True),
    "on_request": K("bool", False),
}


RATE = {
    "product_family": K("slug", max_length=50),
    "sale_type": K("enum", choices=_values(RewardRate.SaleType.choices)),
    "percent": K("percent"),
}


# Counted metrics take whole numbers; only sales volume has a currency; only certified staff a
# certification type (required); product families narrow what is counted from sales and deals.
COUNTED = {"purchase_count", "certified_staff", "registered_deals", "won_deals"}


FAMILY_METRICS = {"sales_volume", "purchase_count", "registered_deals", "won_deals"}


# The parameters each benefit kind uses (label and on_request suit every kind), and those it needs.
PARAMETERS = ("percent", "count", "user_cap", "days", "hours", "term_days")


BENEFIT_PARAMETERS: dict[str, tuple[set[str], set[str]]] = {
    "discount": ({"percent"}, {"percent"}),
    "internal_use": ({"percent", "user_cap"}, {"percent"}),
    "nfr_licences": ({"count", "days", "term_days"}, set()),  # count, or on_request: true
    "payment_deferral": ({"days"}, {"days"}),
    "advance_keys": ({"count"}, set()),
    "vendor_leads": ({"count"}, set()),
    "quarterly_rebate": ({"percent"}, {"percent"}),
    "annual_spif": ({"percent", "count"}, set()),
    "dedicated_manager": (set(), set()),
    "deal_protection": ({"days", "hours", "percent"}, set()),  # protection length, approval clock, uplift
    "mdf": ({"percent"}, set()),
    "perk": (set(PARAMETERS), set()),
    "customer_demos": ({"count"}, set()),  # count a year; none: as many as the vendor approves
    "complex_setup": ({"count"}, set()),
}


AMOUNT_KEYS = {"threshold", "percent", "uplift_percent", "second_partner_percent", "reward_percent",
               "distributor_override_percent", "recruiter_override_percent"}  # fmt: skip
