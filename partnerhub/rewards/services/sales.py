"""Writes of sales facts: single records and whole-file imports (CSV or XLSX).

An import is all-or-nothing: every row is checked first, and if any row is wrong nothing is
written and the report names each bad row, column and reason. Rows whose reference was
already imported with the same content are skipped, so importing a file twice is harmless.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerhub.core import audit, uploads
from partnerhub.core.tenancy import actor_for
from partnerhub.identity.models import Organisation, User
from partnerhub.identity.roles import Role
from partnerhub.programmes.models import ProductFamily

from ..models import Sale
from .files import ROW_ERROR, read_rows
from .rating import rate_sales
from .rows import REQUIRED, Lookups, check_row


def _require_finance(actor: User) -> None:
    if not actor_for(actor).vendor_roles & {Role.VENDOR_ADMIN, Role.FINANCE}:
        raise PermissionDenied(_("Only the vendor's administrators and finance record sales."))


@dataclass
class ImportReport:
    created: int = 0
    skipped: int = 0
    errors: list[dict[str, str]] = field(default_factory=list)


def import_sales_file(*, actor: User, file) -> ImportReport:
    """An uploaded file, checked in order of cost: permission, the upload policy (kind by content,
    size), then parsing and rows."""
    _require_finance(actor)
    file = uploads.SPREADSHEET_IMPORT.accept(file, field="file", required=True)
    return import_sales(actor=actor, rows=read_rows(name=file.name, content=file.read(), cap=_cap()))


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
    ctx = Lookups.load(rows)
    report = ImportReport()
    sales: list[tuple[int, Sale]] = []
    seen: set[tuple[int, str]] = set()
    seen_lines: set[tuple[int, str, int]] = set()
    for n, row in enumerate(rows, start=1):
        sale, errs = check_row(n, row, ctx)
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
    created = Sale.objects.bulk_create(new, batch_size=2000)
    report.created = len(new)
    if created and created[0].pk is not None:
        _rate(created, actor)
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
    sale, errs = check_row(1, row, Lookups.load([row], partners={organisation.inn: [organisation]}))
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
    _rate([sale], actor)
    return sale


@dataclass
class WonLine:
    """One line of a won deal, as the deals context hands it over."""

    line_id: int
    product_family: ProductFamily
    product: str
    sale_type: str
    amount: Decimal


COOPERATION_MODELS = {"resale": "resale", "agency": "agency"}


@transaction.atomic
def record_won_deal(
    *, actor: User | None, deal_id: int, organisation: Organisation, customer_name: str, customer_inn: str,
    currency: str, closed_on: date | None, lines: list[WonLine], uplift_percent: Decimal = Decimal(0),
    share_percent: Decimal = Decimal(100), cooperation_model: str = "",
) -> list[Sale]:  # fmt: skip
    """A won deal produces one sale per deal line and rates them.

    Called by the deals context when a deal is won, with what the registration adds: the claim's reward
    uplift (percentage points) and its share of the benefit (a second partner's reduced share), and the
    deal's cooperation model. Idempotent (the reference is the line).
    """
    sales = []
    for line in lines:
        sale, created = Sale.objects.get_or_create(
            organisation_id=organisation.pk,
            external_ref=f"deal-{deal_id}-{line.line_id}",
            defaults={
                "customer_name": customer_name[:300],
                "customer_inn": customer_inn,
                "product_family": line.product_family,
                "product": line.product,
                "sale_type": line.sale_type,
                "amount": line.amount,
                "currency": currency,
                "sold_on": closed_on or timezone.localdate(),
                "source": Sale.Source.DEAL,
                "uplift_percent": uplift_percent or Decimal(0),
                "share_percent": Decimal(100) if share_percent is None else share_percent,
                "cooperation_model": COOPERATION_MODELS.get(cooperation_model, ""),
            },
        )
        if created:
            audit.record(actor=actor, action="sale.recorded", obj=sale, organisation=organisation,
                         after={"amount": sale.amount, "currency": sale.currency, "deal": deal_id,
                                "sold_on": sale.sold_on, "product_family": line.product_family.code,
                                "uplift_percent": sale.uplift_percent,
                                "share_percent": sale.share_percent})  # fmt: skip
        sales.append(sale)
    _rate(sales, actor)
    return sales


def _rate(sales: list[Sale], actor) -> None:
    rate_sales(sales=sales, actor=actor)


@transaction.atomic
def record_referral_sale(
    *, actor: User | None, organisation: Organisation, customer_name: str, customer_inn: str,
    product_family: ProductFamily, amount: Decimal, currency: str, sold_on: date, reference: str,
) -> Sale:  # fmt: skip
    """The purchase of a customer a referral partner brought, as that partner's sale.

    Called by the referrals context once the purchase is credited; idempotent (the reference is
    the purchase's own).
    """
    return _record_once(
        actor=actor, organisation=organisation, external_ref=f"referral-{reference}",
        audit_extra={"referral": reference},
        defaults={"customer_name": customer_name[:300], "customer_inn": customer_inn,
                  "product_family": product_family, "amount": amount, "currency": currency, "sold_on": sold_on,
                  "source": Sale.Source.REFERRAL},
    )  # fmt: skip


MARKETPLACE_FAMILY = "marketplace-services"  # the product family of programme 001 (distributor_001.yaml)


@transaction.atomic
def record_marketplace_sale(
    *, actor: User | None, organisation: Organisation, customer_name: str, customer_inn: str, product: str,
    amount: Decimal, currency: str, sold_on: date, reference: str, sale_type: str = Sale.SaleType.NEW,
) -> Sale | None:  # fmt: skip
    """A marketplace order as a sale of ``organisation`` (tiers and rewards): the listing's vendor's (it
    counts in the marketplace vendor programme), and the partner's when a partner placed it for its customer.

    Called by the marketplace once the vendor provisioned the order (or a paid change to it);
    idempotent (the reference is the order's or the change's). None when the marketplace product
    family is not loaded (the sale cannot be classified).
    """
    family = ProductFamily.objects.filter(code=MARKETPLACE_FAMILY).first()
    if family is None:
        return None
    return _record_once(
        actor=actor, organisation=organisation, external_ref=f"marketplace-{reference}",
        audit_extra={"marketplace": reference},
        defaults={"customer_name": customer_name[:300], "customer_inn": customer_inn, "product_family": family,
                  "product": product[:200], "sale_type": sale_type, "amount": amount, "currency": currency,
                  "sold_on": sold_on, "source": Sale.Source.MARKETPLACE},
    )  # fmt: skip


def _record_once(*, actor, organisation: Organisation, external_ref: str, defaults: dict, audit_extra: dict) -> Sale:
    """The sale of ``organisation`` with this reference, recorded, audited and rated the first time only."""
    sale, created = Sale.objects.get_or_create(organisation=organisation, external_ref=external_ref[:100],
                                               defaults=defaults)  # fmt: skip
    if created:
        audit.record(actor=actor, action="sale.recorded", obj=sale, organisation=organisation,
                     after={"amount": sale.amount, "currency": sale.currency, "sold_on": sale.sold_on,
                            "product_family": sale.product_family.code, **audit_extra})  # fmt: skip
        _rate([sale], actor)
    return sale
