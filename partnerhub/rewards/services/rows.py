"""Checking one sale row (from a file, the API or a form): every column, all errors at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _

from partnerhub.core.money import CURRENCIES, quantize
from partnerhub.identity.models import Organisation
from partnerhub.identity.roles import OrgKind
from partnerhub.identity.validators import is_valid_inn
from partnerhub.programmes.models import ProductFamily

from ..models import PriceList, Product, Sale
from ..pricing import KIND_FOR_SALE_TYPE, PriceBook
from .files import ROW_ERROR

COLUMNS = ["partner_inn", "partner_kpp", "customer_name", "customer_inn", "product_family", "sku", "product",
           "quantity", "sale_type", "amount", "currency", "sold_on", "invoice_number", "invoice_line",
           "reference", "paid_on"]  # fmt: skip
MAX_LENGTHS = {"customer_name": 300, "product": 200, "reference": 100, "partner_inn": 12, "partner_kpp": 9,
               "customer_inn": 12, "sku": 64, "invoice_number": 50}  # fmt: skip
REQUIRED = {"partner_inn", "customer_name", "currency", "sold_on"}


# What the amount column holds (its digits before the point), so a larger figure is a field error, not a 500.
_AMOUNT_FIELD = Sale._meta.get_field("amount")
AMOUNT_DIGITS = _AMOUNT_FIELD.max_digits - _AMOUNT_FIELD.decimal_places
AMOUNT_LIMIT = Decimal(10) ** AMOUNT_DIGITS


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
class Lookups:
    """What rows are checked against, loaded once per file."""

    partners: dict[str, list[Organisation]]
    families: dict[str, ProductFamily]
    products: dict[str, Product]
    prices: PriceBook
    today: date

    @classmethod
    def load(cls, rows: list[dict], partners: dict[str, list[Organisation]] | None = None) -> Lookups:
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


def check_row(n: int, row: dict, ctx: Lookups) -> tuple[Sale | None, list[dict]]:
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
            elif amount >= AMOUNT_LIMIT:
                err("amount", _("Too large: at most %(n)s digits before the decimal point.") % {"n": AMOUNT_DIGITS})
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
    paid_on = None  # optional: when the customer paid (the reward's hold ends then; see services/settlement.py)
    if text("paid_on"):
        try:
            paid_on = parse_date(values["paid_on"])
            if paid_on > ctx.today:
                err("paid_on", _("A payment date cannot be in the future."))
        except ValueError:
            err("paid_on", _("Use a date like 2026-03-31 or 31.03.2026."))
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
        source=Sale.Source.IMPORT, paid_on=paid_on,
    ), []  # fmt: skip
