"""The vendor's products and price lists (vendor administrators and finance)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from partnerhub.core import audit, uploads
from partnerhub.core.money import CURRENCIES, quantize
from partnerhub.core.tenancy import actor_for
from partnerhub.identity.models import User
from partnerhub.identity.roles import Role
from partnerhub.programmes.models import ProductFamily

from ..models import PriceList, PriceListItem, Product
from .files import ROW_ERROR, read_rows
from .rows import parse_amount

MAX_PRICE_ROWS = 20_000


def require_catalogue_manager(actor: User) -> None:
    if not actor_for(actor).vendor_roles & {Role.VENDOR_ADMIN, Role.FINANCE}:
        raise PermissionDenied(_("Only the vendor's administrators and finance manage products and prices."))


@transaction.atomic
def save_product(
    *, actor: User, sku: str, family: str, name: str, name_en: str = "", is_active: bool = True
) -> Product:
    """Create the product with this SKU, or change its family, names and availability."""
    require_catalogue_manager(actor)
    sku, name, name_en = (sku or "").strip(), (name or "").strip(), (name_en or "").strip()
    errors: dict[str, list[str]] = {}
    if not sku:
        errors["sku"] = [_("This field is required.")]
    elif len(sku) > 64 or any(c.isspace() for c in sku):
        errors["sku"] = [_("At most 64 characters, without spaces.")]
    fam = ProductFamily.objects.filter(code=(family or "").strip()).first()
    if fam is None:
        errors["family"] = [_("Unknown product family %(code)s.") % {"code": family}]
    if not name:
        errors["name"] = [_("This field is required.")]
    elif len(name) > 300:
        errors["name"] = [_("At most %(n)s characters.") % {"n": 300}]
    if len(name_en) > 300:
        errors["name_en"] = [_("At most %(n)s characters.") % {"n": 300}]
    if errors:
        raise ValidationError(errors)
    product = Product.objects.select_for_update().filter(sku=sku).first()
    before = audit.snapshot(product) if product else None
    if product is None:
        product = Product(sku=sku)
    product.family, product.name, product.name_en, product.is_active = fam, name, name_en, is_active
    product.save()
    audit.record(actor=actor, action="product.saved", obj=product, before=before, after=audit.snapshot(product))
    return product


def _check_items(items: list[dict]) -> tuple[list[tuple[Product, Decimal]], dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    skus = {str(i.get("sku") or "").strip() for i in items}
    products = {p.sku: p for p in Product.objects.filter(sku__in=skus)}
    out: list[tuple[Product, Decimal]] = []
    seen: set[str] = set()
    for n, item in enumerate(items, start=1):
        if ROW_ERROR in item:
            errors[f"items[{n}]"] = [_("This row cannot be read: %(reason)s.") % {"reason": item[ROW_ERROR]}]
            continue
        sku = str(item.get("sku") or "").strip()
        product = products.get(sku)
        if product is None:
            errors[f"items[{n}].sku"] = [_("Unknown SKU %(sku)s.") % {"sku": sku[:64]}]
        elif sku in seen:
            errors[f"items[{n}].sku"] = [_("This SKU appears twice in the list.")]
        seen.add(sku)
        try:
            price = parse_amount(str(item.get("price") or ""))
        except (InvalidOperation, ValueError):
            errors[f"items[{n}].price"] = [_("Not a number.")]
            continue
        if price <= 0:
            errors[f"items[{n}].price"] = [_("The price must be positive.")]
        elif price != quantize(price) or price >= Decimal(10) ** 16:
            errors[f"items[{n}].price"] = [_("At most two decimal places.")]
        elif product is not None:
            out.append((product, price))
    if not items:
        errors["items"] = [_("A price list needs at least one price.")]
    return out, errors


@transaction.atomic
def create_price_list(
    *, actor: User, name: str, kind: str, currency: str, valid_from: date | None, valid_until: date | None = None,
    items: list[dict],
) -> PriceList:  # fmt: skip
    """A new price list with its prices (``items``: ``{"sku", "price"}``), all or nothing."""
    require_catalogue_manager(actor)
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("This field is required.")]
    elif len(name) > 200:
        errors["name"] = [_("At most %(n)s characters.") % {"n": 200}]
    if kind not in PriceList.Kind.values:
        errors["kind"] = [_("Use retail or renewal.")]
    currency = (currency or "").strip().upper()
    if currency not in CURRENCIES:
        errors["currency"] = [_("Unknown currency %(code)s.") % {"code": currency}]
    if valid_from is None:
        errors["valid_from"] = [_("This field is required.")]
    elif valid_until is not None and valid_until < valid_from:
        errors["valid_until"] = [_("The end date cannot be before the start date.")]
    prices, item_errors = _check_items(items)
    errors.update(item_errors)
    if errors:
        raise ValidationError(errors)
    pl = PriceList.objects.create(name=name, kind=kind, currency=currency, valid_from=valid_from,
                                  valid_until=valid_until, created_by=actor)  # fmt: skip
    PriceListItem.objects.bulk_create([PriceListItem(price_list=pl, product=p, price=v) for p, v in prices])
    audit.record(actor=actor, action="price_list.created", obj=pl, after={**audit.snapshot(pl), "items": len(prices)})
    return pl


def import_price_list_file(
    *, actor: User, name: str, kind: str, currency: str, valid_from: date | None, valid_until: date | None,
    file,
) -> PriceList:  # fmt: skip
    """A price list from a CSV or XLSX file with the columns ``sku`` and ``price``."""
    require_catalogue_manager(actor)
    file = uploads.SPREADSHEET_IMPORT.accept(file, field="file", required=True)
    rows = read_rows(name=file.name, content=file.read(), cap=MAX_PRICE_ROWS)
    if rows and not {"sku", "price"} <= {k for r in rows for k in r}:
        raise ValidationError({"file": [_("Missing columns: %(cols)s.") % {"cols": "sku, price"}]})
    return create_price_list(actor=actor, name=name, kind=kind, currency=currency, valid_from=valid_from,
                             valid_until=valid_until, items=rows)  # fmt: skip
