"""Exchange rates: typed in, or imported from the Bank of Russia's daily XML (a file, or the URL setting).

The daily format (``XML_daily``)::

    <ValCurs Date="02.03.2026" name="Foreign Currency Market">
      <Valute ID="R01235"><NumCode>840</NumCode><CharCode>USD</CharCode><Nominal>1</Nominal>
        <Name>Доллар США</Name><Value>92,5000</Value></Valute> …

Only the currencies the product knows are kept. A rate already recorded for that currency and date with
the same figures is skipped; with other figures it is an error (rates are facts that rated lines keep).
"""

from __future__ import annotations

import urllib.request
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from defusedxml import ElementTree
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from partnerhub.core import audit, uploads
from partnerhub.core.money import CURRENCIES
from partnerhub.core.problems import Problem
from partnerhub.identity.models import User

from ..models import ExchangeRate
from .catalogue import require_catalogue_manager

MAX_XML_BYTES = 2 * 1024 * 1024


@dataclass
class RatesReport:
    on: date | None = None
    created: int = 0
    skipped: int = 0
    currencies: list[str] = field(default_factory=list)


def _check_rate(currency: str, on, value, nominal) -> tuple[dict[str, list[str]], Decimal | None]:
    errors: dict[str, list[str]] = {}
    if currency == "RUB" or currency not in CURRENCIES:
        errors["currency"] = [_("Unknown currency %(code)s.") % {"code": currency}]
    if on is None:
        errors["on"] = [_("This field is required.")]
    parsed = None
    try:
        parsed = Decimal(str(value).strip().replace(",", "."))
        if not parsed.is_finite() or parsed <= 0 or parsed >= Decimal(10) ** 16:
            raise InvalidOperation
        if parsed != parsed.quantize(Decimal("0.0001")):
            errors["value"] = [_("At most four decimal places.")]
    except (InvalidOperation, ValueError):
        errors["value"] = [_("A positive number of roubles.")]
    if not isinstance(nominal, int) or isinstance(nominal, bool) or not 1 <= nominal <= 1_000_000:
        errors["nominal"] = [_("A whole number of at least 1.")]
    return errors, parsed


def _store(actor, rows: list[tuple[str, date, Decimal, int]], source: str, prefix=lambda c: "") -> RatesReport:
    existing = {
        (r.currency, r.on): r
        for r in ExchangeRate.objects.filter(currency__in={c for c, *_ in rows}, on__in={d for _c, d, *_ in rows})
    }
    errors: dict[str, list[str]] = {}
    new = []
    report = RatesReport()
    by = actor if getattr(actor, "is_authenticated", False) else None
    for currency, on, value, nominal in rows:
        old = existing.get((currency, on))
        if old is None:
            new.append(ExchangeRate(currency=currency, on=on, value=value, nominal=nominal, source=source,
                                    created_by=by))  # fmt: skip
            report.currencies.append(currency)
        elif (old.value, old.nominal) == (value, nominal):
            report.skipped += 1
        else:
            errors[f"{prefix(currency)}value"] = [
                _("The rate of %(currency)s for %(date)s is already recorded as %(old)s RUB per %(n)s.")
                % {"currency": currency, "date": on.isoformat(), "old": old.value, "n": old.nominal}
            ]
    if errors:
        raise ValidationError(errors)
    ExchangeRate.objects.bulk_create(new)
    report.created = len(new)
    return report


@transaction.atomic
def set_rate(*, actor: User, currency: str, on: date | None, value, nominal: int = 1) -> ExchangeRate:
    """Type a rate in: roubles for ``nominal`` units of ``currency`` on ``on``."""
    require_catalogue_manager(actor)
    currency = (currency or "").strip().upper()
    errors, parsed = _check_rate(currency, on, value, nominal)
    if errors:
        raise ValidationError(errors)
    _store(actor, [(currency, on, parsed, nominal)], ExchangeRate.Source.MANUAL)
    rate = ExchangeRate.objects.get(currency=currency, on=on)
    audit.record(actor=actor, action="exchange_rate.set", obj=rate,
                 after={"currency": currency, "on": on, "value": rate.value, "nominal": nominal})  # fmt: skip
    return rate


def parse_cbr_daily(content: bytes) -> tuple[date, list[tuple[str, date, Decimal, int]]]:
    """The date and the known currencies' rates of a Bank of Russia ``XML_daily`` document."""
    if len(content) > MAX_XML_BYTES:
        raise ValidationError({"file": [_("The file is larger than 2 MB.")]})
    try:
        root = ElementTree.fromstring(content)
    except Exception as exc:  # defusedxml refuses entities and DTDs; ParseError for broken XML
        raise ValidationError({"file": [_("This is not a Bank of Russia daily rates file (XML_daily).")]}) from exc
    if root.tag != "ValCurs":
        raise ValidationError({"file": [_("This is not a Bank of Russia daily rates file (XML_daily).")]})
    try:
        on = datetime.strptime(root.get("Date", ""), "%d.%m.%Y").date()
    except ValueError as exc:
        raise ValidationError({"file": [_('The file has no date (ValCurs Date="dd.mm.yyyy").')]}) from exc
    rows, errors = [], {}
    for valute in root.findall("Valute"):
        code = (valute.findtext("CharCode") or "").strip().upper()
        if code not in CURRENCIES or code == "RUB":
            continue
        nominal_text = (valute.findtext("Nominal") or "").strip()
        nominal = int(nominal_text) if nominal_text.isdigit() else None
        errs, value = _check_rate(code, on, valute.findtext("Value") or "", nominal)
        for key, msgs in errs.items():
            errors[f"Valute[{code}].{key}"] = msgs
        if not errs:
            rows.append((code, on, value, nominal))
    if errors:
        raise ValidationError(errors)
    if not rows:
        raise ValidationError({"file": [_("The file holds no rate of a currency in use.")]})
    return on, rows


@transaction.atomic
def import_cbr_daily_file(*, actor: User, file) -> RatesReport:
    """An uploaded XML_daily file: permission first, then the upload policy (XML by content, size)."""
    require_catalogue_manager(actor)
    file = uploads.XML_IMPORT.accept(file, field="file", required=True)
    return import_cbr_daily(actor=actor, content=file.read(MAX_XML_BYTES + 1))


def import_cbr_daily(*, actor: User | None, content: bytes, source: str = ExchangeRate.Source.CBR_FILE) -> RatesReport:
    if actor is not None:
        require_catalogue_manager(actor)
    on, rows = parse_cbr_daily(content)
    report = _store(actor, rows, source, prefix=lambda c: f"Valute[{c}].")
    report.on = on
    if report.created:
        first = ExchangeRate.objects.filter(on=on).order_by("currency").first()
        audit.record(actor=actor, action="exchange_rates.imported", obj=first,
                     after={"on": on, "currencies": report.currencies, "source": source})  # fmt: skip
    return report


def fetch_cbr_daily(*, actor: User | None, on: date | None = None) -> RatesReport:
    """Fetch the daily rates from ``REWARDS_CBR_URL`` (``{date}`` in it becomes dd/mm/yyyy) and import them."""
    if actor is not None:
        require_catalogue_manager(actor)
    url = getattr(settings, "REWARDS_CBR_URL", "")
    if not url:
        raise Problem(_("No Bank of Russia URL is configured (REWARDS_CBR_URL); upload the file instead."),
                      status=409, code="not_configured")  # fmt: skip
    if on is not None:
        url = url.replace("{date}", on.strftime("%d/%m/%Y"))
    else:
        url = url.replace("?date_req={date}", "").replace("{date}", "")
    if not url.startswith(("https://", "http://")):
        raise Problem(_("REWARDS_CBR_URL must be an http(s) address."), status=409, code="not_configured")
    try:
        with urllib.request.urlopen(url, timeout=15) as resp:  # noqa: S310 (scheme checked above; vendor's setting)
            content = resp.read(MAX_XML_BYTES + 1)
    except OSError as exc:
        raise Problem(_("The Bank of Russia rates could not be fetched; try again later or upload the file."),
                      status=502, code="upstream_unavailable") from exc  # fmt: skip
    return import_cbr_daily(actor=actor, content=content, source=ExchangeRate.Source.CBR_URL)
