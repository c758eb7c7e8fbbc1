"""Demo exchange rates and catalogue (called by ``load_demo`` before the demo's sales; idempotent): the Bank of
Russia's daily document for every Monday of the year up to today, and for today, as finance would import it — so
the demo's dollar and euro sales are converted and rated instead of waiting for a rate — and a few products with
this year's retail and renewal price lists."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from partnerhub.identity.models import User

from .models import ExchangeRate, PriceList
from .services import catalogue, rates

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


# The demo's products (SKU, family, name, English name, retail and renewal price in roubles)
PRODUCTS = [
    ("SEC-SIEM-100", "software", "SIEM, 100 источников", "SIEM, 100 sources", "1200000", "300000"),
    ("SEC-DLP-50", "software", "DLP, 50 рабочих мест", "DLP, 50 workstations", "450000", "112500"),
    ("SEC-NGFW-1000", "appliance", "Межсетевой экран NGFW 1000", "NGFW 1000 firewall appliance", "2100000", "420000"),
    ("SEC-SRV-2U", "hardware", "Сервер аналитики 2U", "2U analytics server", "860000", ""),
]  # fmt: skip
PRICE_LISTS = "Демо: прайс-лист"


def load_demo_catalogue() -> int:
    """Products and this year's retail and renewal price lists in roubles (partners download theirs with their tier's
    partner prices); returns the price lists created (0 when they are there already)."""
    admin = User.objects.filter(email="admin@vendor.demo").first()
    if admin is None or PriceList.objects.filter(name__startswith=PRICE_LISTS).exists():
        return 0
    for sku, family, name, name_en, _retail, _renewal in PRODUCTS:
        catalogue.save_product(actor=admin, sku=sku, family=family, name=name, name_en=name_en)
    start = date(timezone.localdate().year, 1, 1)
    for kind, column, label in ((PriceList.Kind.RETAIL, 4, "розничный"), (PriceList.Kind.RENEWAL, 5, "продления")):
        items = [{"sku": p[0], "price": p[column]} for p in PRODUCTS if p[column]]
        catalogue.create_price_list(actor=admin, name=f"{PRICE_LISTS} {label} {start.year}", kind=kind, currency="RUB",
                                    valid_from=start, items=items)  # fmt: skip
    return 2
