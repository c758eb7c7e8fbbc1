"""Converting money between currencies at a date's rate (through the rouble, the Bank of Russia's base).

The factor from one currency to another is ``(value_from / nominal_from) / (value_to / nominal_to)``,
computed as one division and rounded half-up to 10 decimal places; an amount is converted by
multiplying by the factor and rounding half-up to the kopeck. The rate of a date is the one recorded
for that date or, when none was published that day (weekends, holidays), the latest one at most
``REWARDS_FX_MAX_AGE_DAYS`` older. Anything else is a :class:`MissingRate` naming currency and date —
never a zero.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from partnerhub.core.money import quantize

from .models import ExchangeRate

FACTOR_PLACES = Decimal(1).scaleb(-10)
BASE = "RUB"


class MissingRate(ValidationError):
    def __init__(self, currency: str, on: date):
        self.currency, self.on = currency, on
        super().__init__(
            _("No exchange rate of %(currency)s for %(date)s.") % {"currency": currency, "date": on.isoformat()},
            code="missing_rate",
        )


def max_age() -> int:
    return int(getattr(settings, "REWARDS_FX_MAX_AGE_DAYS", 10))


def _rouble_rate(currency: str, on: date) -> tuple[Decimal, int]:
    if currency == BASE:
        return Decimal(1), 1
    row = (
        ExchangeRate.objects.filter(currency=currency, on__lte=on, on__gte=on - timedelta(days=max_age()))
        .order_by("-on")
        .values_list("value", "nominal")
        .first()
    )
    if row is None:
        raise MissingRate(currency, on)
    return row[0], row[1]


def factor_of(value_from: Decimal, nominal_from: int, value_to: Decimal, nominal_to: int) -> Decimal:
    return ((value_from * nominal_to) / (nominal_from * value_to)).quantize(FACTOR_PLACES, rounding=ROUND_HALF_UP)


def factor(from_currency: str, to_currency: str, on: date) -> Decimal:
    """Units of ``to_currency`` for one unit of ``from_currency`` on ``on``."""
    if from_currency == to_currency:
        return Decimal(1)
    v1, n1 = _rouble_rate(from_currency, on)
    v2, n2 = _rouble_rate(to_currency, on)
    return factor_of(v1, n1, v2, n2)


def convert(amount: Decimal, fx: Decimal) -> Decimal:
    return quantize(amount * fx)
