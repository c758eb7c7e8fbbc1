"""Money: a Decimal amount and an ISO 4217 currency code, never floats."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

CURRENCIES = {
    "RUB": _("Russian rouble"),
    "USD": _("US dollar"),
    "EUR": _("Euro"),
    "CNY": _("Chinese yuan"),
    "KZT": _("Kazakh tenge"),
    "BYN": _("Belarusian rouble"),
    "UZS": _("Uzbek sum"),
    "AMD": _("Armenian dram"),
}
CURRENCY_CHOICES = [(code, code) for code in CURRENCIES]
CENT = Decimal(1).scaleb(-settings.MONEY_DECIMAL_PLACES)


def validate_currency(value: str) -> None:
    if value not in CURRENCIES:
        raise ValidationError(
            _("Unknown currency %(code)s; use one of %(known)s."),
            code="unknown_currency",
            params={"code": value, "known": ", ".join(CURRENCIES)},
        )


def quantize(amount: Decimal) -> Decimal:
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


class MoneyField(models.DecimalField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", settings.MONEY_MAX_DIGITS)
        kwargs.setdefault("decimal_places", settings.MONEY_DECIMAL_PLACES)
        super().__init__(*args, **kwargs)


class CurrencyField(models.CharField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 3)
        kwargs.setdefault("default", settings.DEFAULT_CURRENCY)
        kwargs.setdefault("validators", [validate_currency])
        super().__init__(*args, **kwargs)
