"""Writes of sales facts: single records and whole-file imports (CSV or XLSX).

An import is all-or-nothing: every row is checked first, and if any row is wrong nothing is
written and the report names each bad row, column and reason. Rows whose reference was
already imported with the same content are skipped, so importing a file twice is harmless.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

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

from ..models import PriceList, Product, Sale
from ..pricing import KIND_FOR_SALE_TYPE, PriceBook
from .files import ROW_ERROR, read_rows

COLUMNS = ["partner_inn", "partner_kpp", "customer_name", "customer_inn", "product_family", "sku", "product",
           "quantity", "sale_type", "amount", "currency", "sold_on", "invoice_number", "invoice_line",
           "reference"]  # fmt: skip
MAX_LENGTHS = {"customer_name": 300, "product": 200, "reference": 100, "partner_inn": 12, "partner_kpp": 9,
               "customer_inn": 12, "sku": 64, "invoice_number": 50}  # fmt: skip
REQUIRED = {"partner_inn", "customer_name", "currency", "sold_on"}


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


@dataclass
class _Lookups:
    """What rows are checked against, loaded once per file."""

    partners: dict[str, list[Organisation]]
    families: dict[str, ProductFamily]
    products: dict[str, Product]
    prices: PriceBook
    today: date

    @classmethod
    def load(cls, rows: list[dict], partners: dict[str, list[Organisation]] | None = None) -> _Lookups:
        if partners is None:
            inns = {str(r.get("partner_inn") or "").strip() for r in rows}
            partners = {}
            for org in Organisation.objects.filter(kind=OrgKind.PARTNER, inn__in=inns):
                partners.setdefault(org.inn, []).append(org)
        skus = {str(r.get("sku") or "").strip() for r in rows} - {""}
        products = {p.sku: p for p in Product.objects.filter(sku__in=skus).select_related("family")}
        return cls(partners=partners, families={f.code: f for f in ProductFamily.objects.all()}, products=products,
                   prices=PriceBook(p.pk for p in products.values()), today=timezone.localdate())  # fmt: skip


def _positive_int(raw) -> int | None:
    text = str(raw).strip()
    if not text.isdigit() or int(text) < 1 or len(text) > 9:
        return None
    return int(text)


def _check_row(n: int, row: dict, ctx: _Lookups) -> tuple[Sale | None, list[dict]]:
    errs: list[dict[str, str]] = []

    def err(column: str, message: str) -> None:
        errs.append({"field": f"rows[{n}].{column}", "message": message, "code": "invalid"})

    if ROW_ERROR in row:
        errs.append({"field": f"rows[{n}]", "code": "malformed",
                     "message": _("This row cannot be read: %(reason)s.") % {"reason": row[ROW_ERROR]}})  # fmt: skip
        return None, errs
    values = {k: ("" if v is None else v) for k, v in row.items() if k}
    for col, value in values.items():
        if isinstance(value, str) and "\x00" in value:
            err(col, _("The value contains a NUL character."))
        elif isinstance(value, str) and len(value) > MAX_LENGTHS.get(col, 300):
            err(col, _("At most %(n)s characters.") % {"n": MAX_LENGTHS.get(col, 300)})
    if errs:
        return None, errs

    def text(col: str) -> str:
        return str(values.get(col, "")).strip()

    sku = text("sku")
    for col in REQUIRED | (set() if sku else {"product_family", "amount"}):
        if text(col) == "":
            err(col, _("This field is required."))
    inn, kpp = text("partner_inn"), text("partner_kpp")
    org = None
    if inn:
        matches = [o for o in ctx.partners.get(inn, []) if not kpp or o.kpp == kpp]
        if not is_valid_inn(inn):
            err("partner_inn", _("INN check digits do not match: the number has a typo."))
        elif len(matches) != 1:
            several = _("Several partners have this INN; give the KPP.")
            err("partner_inn", several if matches else _("No partner with this INN."))
        else:
            org = matches[0]
    customer_inn = text("customer_inn")
    if customer_inn and not is_valid_inn(customer_inn):
        err("customer_inn", _("INN check digits do not match: the number has a typo."))
    fam_code = text("product_family")
    family = ctx.families.get(fam_code)
    if fam_code and family is None:
        err("product_family", _("Unknown product family %(code)s.") % {"code": fam_code})
    product = ctx.products.get(sku) if sku else None
    if sku and product is None:
        err("sku", _("Unknown SKU %(sku)s.") % {"sku": sku})
    elif product is not None and family is not None and family.pk != product.family_id:
        err("product_family", _("SKU %(sku)s belongs to the family %(family)s.")
            % {"sku": sku, "family": product.family.code})  # fmt: skip
    sale_type = text("sale_type") or "new"
    if sale_type not in Sale.SaleType.values:
        err("sale_type", _("Use new or renewal."))
    quantity = 1
    if text("quantity"):
        quantity = _positive_int(values["quantity"])
        if quantity is None:
            err("quantity", _("A whole number of at least 1."))
    amount = None
    if text("amount"):
        try:
            amount = parse_amount(values["amount"])
            if amount <= 0:
                err("amount", _("The amount must be positive."))
            elif amount != quantize(amount):
                err("amount", _("At most two decimal places."))
        except (InvalidOperation, ValueError):
            err("amount", _("Not a number."))
    currency = text("currency").upper()
    if currency and currency not in CURRENCIES:
        err("currency", _("Unknown currency %(code)s.") % {"code": currency})
    sold_on = None
    if text("sold_on"):
        try:
            sold_on = parse_date(values["sold_on"])
            if sold_on > ctx.today:
                err("sold_on", _("A sale cannot be in the future."))
        except ValueError:
            err("sold_on", _("Use a date like 2026-03-31 or 31.03.2026."))
    invoice_number, invoice_line = text("invoice_number"), None
    if text("invoice_line"):
        invoice_line = _positive_int(values["invoice_line"])
        if invoice_line is None:
            err("invoice_line", _("A whole number of at least 1."))
        elif not invoice_number:
            err("invoice_number", _("Give the invoice number of this line."))
    elif invoice_number:
        invoice_line = 1
    if errs:
        return None, errs
    unit_price = None
    if product is not None:
        family = product.family
        kind = KIND_FOR_SALE_TYPE[sale_type]
        unit_price = ctx.prices.price(product.pk, kind, currency, sold_on)
        if unit_price is None:
            err("sku", _("No %(kind)s price for %(sku)s in %(currency)s on %(date)s.") % {
                "kind": PriceList.Kind(kind).label.lower(), "sku": sku, "currency": currency,
                "date": sold_on.isoformat()})  # fmt: skip
        else:
            listed = quantize(unit_price * quantity)
            if amount is None:
                amount = listed
            elif amount != listed:
                err("amount", _("The price list gives %(listed)s %(currency)s for %(q)s × %(sku)s on %(date)s.") % {
                    "listed": listed, "currency": currency, "q": quantity, "sku": sku,
                    "date": sold_on.isoformat()})  # fmt: skip
    if errs:
        return None, errs
    return Sale(
        organisation=org, customer_name=text("customer_name"), customer_inn=customer_inn, product_family=family,
        product=text("product") or (product.name if product else ""), item=product, quantity=quantity,
        unit_price=unit_price, sale_type=sale_type, amount=amount, currency=currency, sold_on=sold_on,
        external_ref=text("reference"), invoice_number=invoice_number, invoice_line=invoice_line,
        source=Sale.Source.IMPORT,
    ), []  # fmt: skip


MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def import_sales_file(*, actor: User, name: str, size: int, read: Callable[[], bytes]) -> ImportReport:
    """An uploaded file, checked in order of cost: permission, size, then parsing and rows."""
    _require_finance(actor)
    if size > MAX_UPLOAD_BYTES:
        raise ValidationError({"file": [ValidationError(_("The file is larger than 20 MB."), code="too_large")]})
    return import_sales(actor=actor, rows=read_rows(name=name, content=read(), cap=_cap()))


def _cap() -> int:
    return int(getattr(settings, "SALES_IMPORT_MAX_ROWS", 50_000))


@transaction.atomic
def import_sales(*, actor: User, rows: list[dict]) -> ImportReport:
    _require_finance(actor)
    if not rows:
        raise ValidationError({"file": [_("The file has no data rows.")]})
    if len(rows) > _cap():
        raise ValidationError({"file": [ValidationError(_("At most %(n)s rows per file.") % {"n": _cap()},
                                                        code="too_many_rows")]})  # fmt: skip
    missing = REQUIRED - {k for r in rows for k in r if k != ROW_ERROR}
    if missing:
        raise ValidationError({"file": [_("Missing columns: %(cols)s.") % {"cols": ", ".join(sorted(missing))}]})
    ctx = _Lookups.load(rows)
    report = ImportReport()
    sales: list[tuple[int, Sale]] = []
    seen: set[tuple[int, str]] = set()
    seen_lines: set[tuple[int, str, int]] = set()
    for n, row in enumerate(rows, start=1):
        sale, errs = _check_row(n, row, ctx)
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
        if sale.invoice_number:
            line_key = (sale.organisation_id, sale.invoice_number, sale.invoice_line)
            if line_key in seen_lines:
                report.errors.append({"field": f"rows[{n}].invoice_line", "code": "duplicate",
                                      "message": _("This invoice line appears twice in the file.")})  # fmt: skip
                continue
            seen_lines.add(line_key)
        sales.append((n, sale))
    refs = {s.external_ref for _n, s in sales if s.external_ref}
    orgs = {s.organisation_id for _n, s in sales}
    existing = {
        (s.organisation_id, s.external_ref): s
        for s in Sale.objects.filter(organisation_id__in=orgs, external_ref__in=refs)
    }
    invoices = {s.invoice_number for _n, s in sales if s.invoice_number}
    recorded_lines = set(
        Sale.objects.filter(organisation_id__in=orgs, invoice_number__in=invoices).values_list(
            "organisation_id", "invoice_number", "invoice_line")
    )  # fmt: skip
    new: list[Sale] = []
    for n, sale in sales:
        old = existing.get((sale.organisation_id, sale.external_ref)) if sale.external_ref else None
        if old is None:
            if (sale.organisation_id, sale.invoice_number, sale.invoice_line) in recorded_lines:
                report.errors.append({"field": f"rows[{n}].invoice_line", "code": "duplicate",
                                      "message": _duplicate_line_message(sale)})  # fmt: skip
                continue
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


def _duplicate_line_message(sale: Sale) -> str:
    return _("Line %(line)s of invoice %(invoice)s is already recorded for this partner.") % {
        "line": sale.invoice_line, "invoice": sale.invoice_number}  # fmt: skip


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
    sale, errs = _check_row(1, row, _Lookups.load([row], partners={organisation.inn: [organisation]}))
    if errs:
        raise ValidationError({e["field"].split(".", 1)[1]: [ValidationError(e["message"], code=e["code"])]
                               for e in errs})  # fmt: skip
    if sale.external_ref and Sale.objects.filter(organisation=organisation, external_ref=sale.external_ref).exists():
        raise ValidationError({"reference": [_("A sale with this reference is already recorded.")]})
    if sale.invoice_number and Sale.objects.filter(
        organisation=organisation, invoice_number=sale.invoice_number, invoice_line=sale.invoice_line
    ).exists():  # fmt: skip
        raise ValidationError({"invoice_line": [ValidationError(_duplicate_line_message(sale), code="duplicate")]})
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
