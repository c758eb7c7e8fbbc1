"""Numbers and money for people: grouped and punctuated the way the active language writes them.

``money(Decimal("1400000"), "RUB")`` is ``1 400 000 ₽`` in Russian and ``₽1,400,000`` in English;
``money(Decimal("60000"), "USD")`` is ``60 000,00 $`` and ``$60,000.00``. Roubles drop zero kopecks
(as Russian price lists do); other currencies keep their cents.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils import formats, translation

SYMBOLS = {"RUB": "₽", "USD": "$", "EUR": "€", "CNY": "¥", "KZT": "₸", "BYN": "Br", "AMD": "֏"}
WHOLE_WHEN_ROUND = {"RUB", "KZT", "UZS", "AMD"}
NBSP = "\u00a0"


def number(value, decimal_pos: int | None = None) -> str:
    """A number grouped for the active language (``1 400 000`` / ``1,400,000``)."""
    if value is None or value == "":
        return ""
    return formats.number_format(value, decimal_pos=decimal_pos, use_l10n=True, force_grouping=True)


def money(amount, currency: str = "RUB") -> str:
    if amount is None or amount == "":
        return ""
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return str(amount)
    currency = (currency or "").upper()
    places = 0 if currency in WHOLE_WHEN_ROUND and value == value.to_integral_value() else 2
    digits = number(value.quantize(Decimal(1).scaleb(-places)), decimal_pos=places)
    symbol = SYMBOLS.get(currency, currency)
    if (translation.get_language() or "ru").startswith("ru"):
        return f"{digits}{NBSP}{symbol}"
    if len(symbol) == 1:
        return f"{symbol}{digits}" if not digits.startswith("-") else f"-{symbol}{digits[1:]}"
    return f"{symbol}{NBSP}{digits}"


def choice_label(field_path: str, value) -> str:
    """The label of ``value`` in the choices of ``app_label.Model.field`` (the value itself when not a choice)."""
    from django.apps import apps

    app_label, model_name, field_name = field_path.split(".")
    field = apps.get_model(app_label, model_name)._meta.get_field(field_name)
    return str(dict(field.flatchoices).get(value, value))
