"""What a subscription costs: a plan's prices in a storefront's currency, periods and proration.

Exact Decimal arithmetic, rounded half-up to the cent once per figure (``core.money.quantize``).

**Prices in a storefront's currency.** A charge priced in the storefront's currency uses that
price. A charge priced only in another currency (the vendor's base currency) is converted at the
current exchange rate (``rewards.fx``: the rate of the day, or the latest one at most
``REWARDS_FX_MAX_AGE_DAYS`` older): its amount, or each tier's unit and flat prices, are
multiplied by the factor and the charge is rounded once at the end. No rate → ``MissingRate``
naming the currency and the date; never a zero.

**The price per period** is the sum of the plan's recurring charges for the subscription's
quantities (flat, per unit, graduated, volume, package). Pay-as-you-go charges are billed on
reported usage and the setup fee once, so neither is part of it. A trial plan costs nothing.

**Proration rule.** A plan or quantity change takes effect on the day it is provisioned, for the
rest of the current period: the customer is credited the unused part of the old price and charged
the same part of the new one::

    proration = (new price − old price) × days left ÷ days in the period

where *days left* counts from the change's day (inclusive) to the period's end (exclusive) and the
period is the subscription's own (a calendar month or year from its start day, so 28–31 or
365–366 days). Computed exactly and rounded half-up to the cent once; positive is charged,
negative credited. A change on the first day of a period is the whole difference; a trial moved to
a paid plan starts a new period, so nothing is prorated.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone

from partnerhub.core.money import quantize
from partnerhub.rewards import fx

from . import pricing
from .choices import COUNTED, BillingPeriod, ChargeModel

ZERO = Decimal(0)
ONE_TIME = {ChargeModel.SETUP}
METERED = {ChargeModel.PAYG}


def add_period(start: date, billing_period: str) -> date:
    """The first day after a period beginning on ``start`` (the same day a month or a year on, clamped)."""
    months = 12 if billing_period == BillingPeriod.ANNUAL else 1
    year, month = divmod(start.month - 1 + months, 12)
    year, month = start.year + year, month + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class ChargePrice:
    """A charge's price in one currency (converted when the vendor priced it in another)."""

    model: str
    resource: str | None
    block_size: int | None
    amount: Decimal | None
    tiers: tuple[pricing.Tier, ...]
    converted_from: str = ""


def charge_price(charge, currency: str, *, on: date | None = None) -> ChargePrice:
    """``charge`` (with ``prices`` prefetched or not) in ``currency``; raises ``fx.MissingRate``."""
    prices = list(charge.prices.all())
    resource = charge.resource.code if charge.resource_id else None
    price = next((p for p in prices if p.currency == currency), None)
    factor, source = Decimal(1), ""
    if price is None:
        if not prices:
            raise fx.MissingRate(currency, on or timezone.localdate())
        price = prices[0]  # the vendor's base currency for this charge
        factor, source = fx.factor(price.currency, currency, on or timezone.localdate()), price.currency
    tiers = pricing.parse_tiers(price.tiers) if price.tiers else ()
    if factor != 1:
        tiers = tuple(pricing.Tier(up_to=t.up_to, unit=t.unit * factor, flat=t.flat * factor) for t in tiers)
    amount = price.amount * factor if price.amount is not None else None
    return ChargePrice(charge.model, resource, charge.block_size, amount, tiers, source)


def plan_prices(plan, currency: str, *, on: date | None = None) -> list[ChargePrice]:
    return [charge_price(c, currency, on=on) for c in plan.charges.all()]


def counted_resources(plan) -> list[str]:
    """The resource codes a customer chooses a quantity of (counted charges billed per period)."""
    codes = []
    for c in plan.charges.all():
        if c.model in COUNTED and c.model not in METERED and c.resource_id and c.resource.code not in codes:
            codes.append(c.resource.code)
    return codes


def metered_resources(plan) -> set[str]:
    return {c.resource.code for c in plan.charges.all() if c.model in METERED and c.resource_id}


def _charge(p: ChargePrice, quantities: dict[str, int], *, first_period: bool) -> Decimal:
    quantity = Decimal(quantities.get(p.resource, 0)) if p.resource else ZERO
    return pricing.charge_amount(p.model, quantity=quantity, amount=p.amount, tiers=p.tiers,
                                 block_size=p.block_size, first_period=first_period)  # fmt: skip


def recurring_amount(prices: list[ChargePrice], quantities: dict[str, int]) -> Decimal:
    """The price per period: every recurring charge for the quantities (no usage, no setup fee)."""
    return quantize(
        sum((_charge(p, quantities, first_period=False) for p in prices if p.model not in ONE_TIME | METERED), ZERO)
    )


def setup_amount(prices: list[ChargePrice]) -> Decimal:
    return quantize(sum((_charge(p, {}, first_period=True) for p in prices if p.model in ONE_TIME), ZERO))


def prorate(*, old: Decimal, new: Decimal, period_start: date, period_end: date, on: date) -> Decimal:
    """The proration rule above: the difference for the days left of the period, rounded once."""
    total = (period_end - period_start).days
    left = (period_end - max(on, period_start)).days
    if total <= 0 or left <= 0:
        return quantize(ZERO)
    return quantize((Decimal(new) - Decimal(old)) * Decimal(left) / Decimal(total))
