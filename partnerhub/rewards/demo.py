"""Demo exchange rates (called by ``load_demo`` before the demo's sales; idempotent): the Bank of Russia's daily
document for every Monday of the year up to today, and for today, as finance would import it — so the demo's
dollar and euro sales are converted and rated instead of waiting for a rate."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from partnerhub.identity.models import User

from .models import ExchangeRate
from .services import rates

# roubles per unit at the start of the year, and the weekly drift (a plausible, made-up series)
SERIES = {"USD": (Decimal("91.2500"), Decimal("-0.1750")), "EUR": (Decimal("99.4000"), Decimal("-0.1250")),
          "CNY": (Decimal("12.6000"), Decimal("-0.0150"))}  # fmt: skip
NUM = {"USD": "840", "EUR": "978", "CNY": "156"}


def daily_document(on: date, values: dict[str, Decimal]) -> bytes:
    """A Bank of Russia ``XML_daily`` document with these rates (nominal 1)."""
    valutes = "".join(
        f"<Valute><NumCode>{NUM[code]}</NumCode><CharCode>{code}</CharCode><Nominal>1</Nominal>"
        f"<Value>{str(value).replace('.', ',')}</Value></Valute>"
        for code, value in values.items()
    )
    return f'<?xml version="1.0" encoding="utf-8"?><ValCurs Date="{on:%d.%m.%Y}">{valutes}</ValCurs>'.encode()


def load_demo_rates() -> int:
    """Import the demo series; returns the days imported (0 when they are there already)."""
    finance = User.objects.filter(email="finance@vendor.demo").first()
    if finance is None:
        return 0
    today = timezone.localdate()
    start = date(today.year, 1, 1)
    days = [start + timedelta(days=d) for d in range((7 - start.weekday()) % 7, (today - start).days + 1, 7)]
    imported = 0
    for on in [start, *days, today]:
        if ExchangeRate.objects.filter(on=on, currency="USD").exists():
            continue
        week = Decimal((on - start).days // 7)
        values = {code: (base + drift * week).quantize(Decimal("0.0001")) for code, (base, drift) in SERIES.items()}
        rates.import_cbr_daily(actor=finance, content=daily_document(on, values))
        imported += 1
    return imported
