"""Writes of sales facts: single records and whole-file imports (CSV or XLSX).

An import is all-or-nothing: every row is checked first, and if any row is wrong nothing is
written and the report names each bad row, column and reason. Rows whose reference was
already imported with the same content are skipped, so importing a file twice is harmless.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerhub.core import audit
from partnerhub.core.money import CURRENCIES, quantize
from partnerhub.core.tenancy import actor_for
from partnerhub.identity.models import Organisation, User
from partnerhub.identity.roles import OrgKind, Role
from partnerhub.identity.validators import is_valid_inn
from partnerhub.programmes.models import ProductFamily

from ..models import Sale

COLUMNS = ["partner_inn", "partner_kpp", "customer_name", "customer_inn", "product_family", "product", "sale_type",
           "amount", "currency", "sold_on", "reference"]  # fmt: skip
MAX_LENGTHS = {"customer_name": 300, "product": 200, "reference": 100, "partner_inn": 12, "partner_kpp": 9,
               "customer_inn": 12}  # fmt: skip
REQUIRED = {"partner_inn", "customer_name", "product_family", "amount", "currency", "sold_on"}


def _require_finance(actor: User) -> None:
    if not actor_for(actor).vendor_roles & {Role.VENDOR_ADMIN, Role.FINANCE}:
        raise PermissionDenied(_("Only the vendor's administrators and finance record sales."))


def parse_amount(raw: str) -> Decimal:
    text = str(raw).strip().replace("\u00a0", "").replace(" ", "")
    if "," in text and "." in text:
        text = text.replace(",", "")
    text = text.replace(",", ".")
    value = Decimal(text)
    if not value.is_finite():
        raise InvalidOperation
    return value


def parse_date(raw) -> date:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    text = str(raw).strip()
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


@dataclass
class ImportReport:
    created: int = 0
    skipped: int = 0
    errors: list[dict[str, str]] = field(default_factory=list)


def _check_row(n: int, row: dict, partners: dict, families: dict, today: date) -> tuple[Sale | None, list[dict]]:
    errs: list[dict[str, str]] = []

    def err(column: str, message: str) -> None:
        errs.append({"field": f"rows[{n}].{column}", "message": message, "code": "invalid"})

    if _ROW_ERROR in row:
        errs.append({"field": f"rows[{n}]", "code": "malformed",
                     "message": _("This row cannot be read: %(reason)s.") % {"reason": row[_ROW_ERROR]}})  # fmt: skip
        return None, errs
    values = {k: ("" if v is None else v) for k, v in row.items() if k}
    for col, value in values.items():
        if isinstance(value, str) and "\x00" in value:
            err(col, _("The value contains a NUL character."))
        elif isinstance(value, str) and len(value) > MAX_LENGTHS.get(col, 300):
            err(col, _("At most %(n)s characters.") % {"n": MAX_LENGTHS.get(col, 300)})
    if errs:
        return None, errs
    for col in REQUIRED:
        if str(values.get(col, "")).strip() == "":
            err(col, _("This field is required."))
    inn = str(values.get("partner_inn", "")).strip()
    kpp = str(values.get("partner_kpp", "")).strip()
    org = None
    if inn:
        candidates = partners.get(inn, [])
        matches = [o for o in candidates if not kpp or o.kpp == kpp]
        if not is_valid_inn(inn):
            err("partner_inn", _("INN check digits do not match: the number has a typo."))
        elif len(matches) != 1:
            several = _("Several partners have this INN; give the KPP.")
            err("partner_inn", several if matches else _("No partner with this INN."))
        else:
            org = matches[0]
    customer_inn = str(values.get("customer_inn", "")).strip()
    if customer_inn and not is_valid_inn(customer_inn):
        err("customer_inn", _("INN check digits do not match: the number has a typo."))
    fam_code = str(values.get("product_family", "")).strip()
    family = families.get(fam_code)
    if fam_code and family is None:
        err("product_family", _("Unknown product family %(code)s.") % {"code": fam_code})
    sale_type = str(values.get("sale_type", "") or "new").strip()
    if sale_type not in Sale.SaleType.values:
        err("sale_type", _("Use new or renewal."))
    amount = None
    if str(values.get("amount", "")).strip():
        try:
            amount = parse_amount(values["amount"])
            if amount <= 0:
                err("amount", _("The amount must be positive."))
            elif amount != quantize(amount):
                err("amount", _("At most two decimal places."))
        except (InvalidOperation, ValueError):
            err("amount", _("Not a number."))
    currency = str(values.get("currency", "")).strip().upper()
    if currency and currency not in CURRENCIES:
        err("currency", _("Unknown currency %(code)s.") % {"code": currency})
    sold_on = None
    if str(values.get("sold_on", "")).strip():
        try:
            sold_on = parse_date(values["sold_on"])
            if sold_on > today:
                err("sold_on", _("A sale cannot be in the future."))
        except ValueError:
            err("sold_on", _("Use a date like 2026-03-31 or 31.03.2026."))
    if errs:
        return None, errs
    return Sale(
        organisation=org, customer_name=str(values["customer_name"]).strip()[:300], customer_inn=customer_inn,
        product_family=family, product=str(values.get("product", "")).strip()[:200], sale_type=sale_type,
        amount=amount, currency=currency, sold_on=sold_on, external_ref=str(values.get("reference", "")).strip()[:100],
        source=Sale.Source.IMPORT,
    ), []  # fmt: skip


class _TooManyRows(Exception):
    pass


def _cap() -> int:
    return int(getattr(settings, "SALES_IMPORT_MAX_ROWS", 50_000))


def _capped(rows: Iterator[dict], cap: int) -> list[dict]:
    """At most ``cap`` rows; reading stops at the first row past it (a huge file costs no more)."""
    out: list[dict] = []
    for r in rows:
        if len(out) >= cap:
            raise _TooManyRows
        out.append(r)
    return out


def _xlsx_rows(content: bytes) -> Iterator[dict]:
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
        it = sheet.iter_rows(values_only=True)
        first = next(it, None)
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise ValidationError({"file": [ValidationError(_("The file is not a readable XLSX workbook."),
                                                        code="unreadable")]}) from exc  # fmt: skip
    if first is None:
        return
    header = [str(h or "").strip().lower() for h in first]
    for r in it:
        if any(c not in (None, "") for c in r):
            yield dict(zip(header, r, strict=False))


def _csv_delimiter(first_line: str) -> str:
    """Semicolon (the Russian Excel default) or comma, whichever the header uses more; never a guess that fails."""
    return ";" if first_line.count(";") > first_line.count(",") else ","


def _csv_rows(content: bytes) -> Iterator[dict]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError({"file": [ValidationError(_("Save the CSV file as UTF-8."), code="encoding")]}) from exc
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text), delimiter=_csv_delimiter(first_line))
    try:
        header = [f.strip().lower() for f in next(reader, [])]
    except csv.Error as exc:
        raise ValidationError({"file": [ValidationError(_("The header row cannot be read: %(reason)s.")
                                                        % {"reason": exc}, code="malformed")]}) from exc  # fmt: skip
    n = 0
    while True:
        n += 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # an over-long field, a NUL byte, an unclosed quote
            yield {_ROW_ERROR: str(exc)}
            continue
        if any(v.strip() for v in values):
            yield dict(zip(header, values, strict=False))


_ROW_ERROR = "__row_error__"


def read_rows(*, name: str, content: bytes) -> list[dict]:
    """Rows of a CSV (UTF-8, comma or semicolon) or XLSX file, keyed by the header row.

    Reading stops past ``SALES_IMPORT_MAX_ROWS`` rows; a row the CSV reader cannot read (a field
    over 131,072 characters, a NUL byte) becomes that row's error rather than a failure.
    """
    suffix = Path(name).suffix.lower()
    if suffix == ".xlsx":
        rows = _xlsx_rows(content)
    elif suffix == ".csv":
        rows = _csv_rows(content)
    else:
        raise ValidationError({"file": [ValidationError(_("Upload a .csv or .xlsx file."), code="file_type")]})
    try:
        return _capped(rows, _cap())
    except _TooManyRows:
        raise ValidationError({"file": [ValidationError(_("At most %(n)s rows per file.") % {"n": _cap()},
                                                        code="too_many_rows")]}) from None  # fmt: skip


MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def import_sales_file(*, actor: User, name: str, size: int, read: Callable[[], bytes]) -> ImportReport:
    """An uploaded file, checked in order of cost: permission, size, then parsing and rows."""
    _require_finance(actor)
    if size > MAX_UPLOAD_BYTES:
        raise ValidationError({"file": [ValidationError(_("The file is larger than 20 MB."), code="too_large")]})
    return import_sales(actor=actor, rows=read_rows(name=name, content=read()))


@transaction.atomic
def import_sales(*, actor: User, rows: list[dict]) -> ImportReport:
    _require_finance(actor)
    if not rows:
        raise ValidationError({"file": [_("The file has no data rows.")]})
    if len(rows) > _cap():
        raise ValidationError({"file": [ValidationError(_("At most %(n)s rows per file.") % {"n": _cap()},
                                                        code="too_many_rows")]})  # fmt: skip
    missing = REQUIRED - {k for r in rows for k in r if k != _ROW_ERROR}
    if missing:
        raise ValidationError({"file": [_("Missing columns: %(cols)s.") % {"cols": ", ".join(sorted(missing))}]})
    inns = {str(r.get("partner_inn") or "").strip() for r in rows}
    partners: dict[str, list[Organisation]] = {}
    for org in Organisation.objects.filter(kind=OrgKind.PARTNER, inn__in=inns):
        partners.setdefault(org.inn, []).append(org)
    families = {f.code: f for f in ProductFamily.objects.all()}
    today = timezone.localdate()
    report = ImportReport()
    sales: list[tuple[int, Sale]] = []
    seen: set[tuple[int, str]] = set()
    for n, row in enumerate(rows, start=1):
        sale, errs = _check_row(n, row, partners, families, today)
        report.errors.extend(errs)
        if sale is None:
            continue
        if sale.external_ref:
            key = (sale.organisation_id, sale.external_ref)
            if key in seen:
                report.errors.append({"field": f"rows[{n}].reference", "code": "duplicate",
                                      "message": _("This reference appears twice in the file.")})  # fmt: skip
                continue
            seen.add(key)
        sales.append((n, sale))
    refs = {s.external_ref for _n, s in sales if s.external_ref}
    orgs = {s.organisation_id for _n, s in sales}
    existing = {
        (s.organisation_id, s.external_ref): s
        for s in Sale.objects.filter(organisation_id__in=orgs, external_ref__in=refs)
    }
    new: list[Sale] = []
    for n, sale in sales:
        old = existing.get((sale.organisation_id, sale.external_ref)) if sale.external_ref else None
        if old is None:
            new.append(sale)
        elif (old.amount, old.currency, old.sold_on, old.product_family_id) == (
            sale.amount, sale.currency, sale.sold_on, sale.product_family_id,
        ):  # fmt: skip
            report.skipped += 1
        else:
            report.errors.append({"field": f"rows[{n}].reference", "code": "conflict", "message": _(
                "Reference %(ref)s was imported before with other figures; sales are not edited, "
                "record a correction instead.") % {"ref": sale.external_ref}})  # fmt: skip
    if report.errors:
        raise _ImportFailed(report)
    Sale.objects.bulk_create(new, batch_size=2000)
    report.created = len(new)
    audit.record(actor=actor, action="sales.imported", obj=actor, after={"created": report.created,
                 "skipped": report.skipped})  # fmt: skip
    return report


class _ImportFailed(ValidationError):
    """A ValidationError whose per-row errors keep their row/column path as the field name."""

    def __init__(self, report: ImportReport):
        grouped: dict[str, list[ValidationError]] = {}
        for e in report.errors:
            grouped.setdefault(e["field"], []).append(ValidationError(e["message"], code=e["code"]))
        super().__init__(grouped)
        self.report = report


@transaction.atomic
def record_sale(*, actor: User, organisation: Organisation, **fields) -> Sale:
    _require_finance(actor)
    row = {"partner_inn": organisation.inn, "partner_kpp": organisation.kpp, **fields}
    families = {f.code: f for f in ProductFamily.objects.all()}
    sale, errs = _check_row(1, row, {organisation.inn: [organisation]}, families, timezone.localdate())
    if errs:
        raise ValidationError({e["field"].split(".", 1)[1]: [ValidationError(e["message"], code=e["code"])]
                               for e in errs})  # fmt: skip
    if sale.external_ref and Sale.objects.filter(organisation=organisation, external_ref=sale.external_ref).exists():
        raise ValidationError({"reference": [_("A sale with this reference is already recorded.")]})
    sale.source = Sale.Source.MANUAL
    sale.save()
    audit.record(actor=actor, action="sale.recorded", obj=sale, organisation=organisation,
                 after={"amount": sale.amount, "currency": sale.currency, "sold_on": sale.sold_on,
                        "product_family": sale.product_family.code})  # fmt: skip
    return sale


@transaction.atomic
def record_won_deal(*, claim, actor: User | None) -> list[Sale]:
    """A won deal produces one sale per deal line, for the rewards engine to rate.

    Called by the deals context when a deal is won; idempotent (the reference is the line).
    """
    sales = []
    for line in claim.lines.select_related("product_family"):
        ref = f"deal-{claim.pk}-{line.pk}"
        sale, created = Sale.objects.get_or_create(
            organisation_id=claim.organisation_id,
            external_ref=ref,
            defaults={
                "customer_name": claim.customer_name[:300],
                "customer_inn": claim.customer_inn,
                "product_family": line.product_family,
                "product": line.product,
                "sale_type": line.sale_type,
                "amount": line.amount,
                "currency": claim.currency,
                "sold_on": claim.closed_on or timezone.localdate(),
                "source": Sale.Source.DEAL,
            },
        )
        if created:
            audit.record(actor=actor, action="sale.recorded", obj=sale, organisation=claim.organisation,
                         after={"amount": sale.amount, "currency": sale.currency, "deal": claim.pk,
                                "sold_on": sale.sold_on, "product_family": line.product_family.code})  # fmt: skip
        sales.append(sale)
    return sales


@transaction.atomic
def record_referral_sale(
    *, actor: User | None, organisation: Organisation, customer_name: str, customer_inn: str,
    product_family: ProductFamily, amount: Decimal, currency: str, sold_on: date, reference: str,
) -> Sale:  # fmt: skip
    """The purchase of a customer a referral partner brought, as that partner's sale.

    Called by the referrals context once the purchase is credited; idempotent (the reference is
    the purchase's own).
    """
    sale, created = Sale.objects.get_or_create(
        organisation=organisation,
        external_ref=f"referral-{reference}"[:100],
        defaults={
            "customer_name": customer_name[:300],
            "customer_inn": customer_inn,
            "product_family": product_family,
            "amount": amount,
            "currency": currency,
            "sold_on": sold_on,
            "source": Sale.Source.REFERRAL,
        },
    )
    if created:
        audit.record(actor=actor, action="sale.recorded", obj=sale, organisation=organisation,
                     after={"amount": sale.amount, "currency": sale.currency, "sold_on": sale.sold_on,
                            "product_family": product_family.code, "referral": reference})  # fmt: skip
    return sale
