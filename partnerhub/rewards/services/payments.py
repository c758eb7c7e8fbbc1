"""Customer payments on sales: recorded by finance one at a time (page, API) or imported from a file.

**Proportional release.** A sale's rewards (its seller's and any network line) wait on hold until the customer
has paid or the hold days have passed (services/settlement.py). A partial payment releases its share: at a
month's end the released part of a reward is ``round_half_up(reward × paid / amount, 0.01)`` where ``paid``
is everything paid on the sale by that day (at most its amount). Rounding the *cumulative* share, never each
payment's own, puts the remainder on the final payment: once the sale is paid in full exactly the whole
reward has been released, to the kopeck. When the payments add up to the sale's amount, the sale's
``paid_on`` becomes the last payment's date.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerhub.core import audit, uploads
from partnerhub.core.money import quantize
from partnerhub.identity.models import User

from ..models import Sale, SalePayment
from .files import ROW_ERROR, read_rows
from .ledger import require_finance
from .rows import parse_amount, parse_date


def released_part(*, reward: Decimal, paid: Decimal, total: Decimal) -> Decimal:
    """The part of a reward released once ``paid`` of the sale's ``total`` has been paid."""
    if paid >= total:
        return reward
    if paid <= 0:
        return Decimal("0.00")
    return quantize(reward * paid / total)


def paid_so_far(sale: Sale) -> Decimal:
    return quantize(SalePayment.objects.filter(sale=sale).aggregate(t=Sum("amount"))["t"] or 0)


def _checked(sale: Sale, amount, paid_on, *, paid_before: Decimal) -> tuple[Decimal | None, dict]:
    errors: dict[str, list[str]] = {}
    if sale.status != Sale.Status.ACTIVE:
        errors["sale"] = [_("Only a sale that counts takes a payment.")]
    try:
        value = parse_amount(amount) if isinstance(amount, str) else Decimal(str(amount))
        if value <= 0 or value != quantize(value):
            raise InvalidOperation
    except (InvalidOperation, ValueError, TypeError):
        errors["amount"] = [_("A positive amount with at most two decimal places.")]
        value = None
    if value is not None and paid_before + value > sale.amount:
        left = sale.amount - paid_before
        errors["amount"] = [_("Only %(left)s %(currency)s of this sale is still unpaid.")
                            % {"left": left, "currency": sale.currency}]  # fmt: skip
    if not isinstance(paid_on, date):
        errors["paid_on"] = [_("Use a date like 2026-03-31 or 31.03.2026.")]
    elif paid_on > timezone.localdate():
        errors["paid_on"] = [_("A payment date cannot be in the future.")]
    return value, errors


def _apply(*, actor, sale: Sale, value: Decimal, paid_on: date, reference: str, source: str,
           paid_before: Decimal) -> SalePayment:  # fmt: skip
    payment = SalePayment.objects.create(
        sale=sale,
        organisation_id=sale.organisation_id,
        amount=value,
        paid_on=paid_on,
        reference=reference,
        source=source,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if paid_before + value >= sale.amount:
        last = max(SalePayment.objects.filter(sale=sale).values_list("paid_on", flat=True))
        Sale.objects.filter(pk=sale.pk).update(paid_on=last)
        sale.paid_on = last
    audit.record(actor=actor, action="sale.payment_recorded", obj=sale, organisation=sale.organisation,
                 after={"amount": value, "paid_on": paid_on, "reference": reference, "source": source,
                        "paid_in_total": paid_before + value, "sale_amount": sale.amount})  # fmt: skip
    return payment


@transaction.atomic
def record_payment(*, actor: User, sale: Sale, amount, paid_on: date | None, reference: str = "",
                   source: str = SalePayment.Source.MANUAL) -> SalePayment:  # fmt: skip
    """Finance records a customer payment on a sale (at most what is still unpaid)."""
    require_finance(actor)
    sale = Sale.objects.select_for_update().select_related("organisation").get(pk=sale.pk)
    before = paid_so_far(sale)
    value, errors = _checked(sale, amount, paid_on, paid_before=before)
    reference = (reference or "").strip()
    if len(reference) > 100:
        errors["reference"] = [_("At most 100 characters.")]
    if errors:
        raise ValidationError(errors)
    return _apply(actor=actor, sale=sale, value=value, paid_on=paid_on, reference=reference, source=source,
                  paid_before=before)  # fmt: skip


PAYMENT_COLUMNS = {"partner_inn", "invoice_number", "invoice_line", "amount", "paid_on"}


def import_payments_file(*, actor: User, file) -> int:
    """Payments from a CSV or XLSX file (columns partner_inn, invoice_number, invoice_line, amount, paid_on and
    optionally reference): all rows or none; every bad row is reported with its number and column."""
    require_finance(actor)
    file = uploads.SPREADSHEET_IMPORT.accept(file, field="file", required=True)
    cap = int(getattr(settings, "SALES_IMPORT_MAX_ROWS", 50_000))
    return import_payments(actor=actor, rows=read_rows(name=file.name, content=file.read(), cap=cap))


@transaction.atomic
def import_payments(*, actor: User, rows: list[dict]) -> int:
    require_finance(actor)
    if not rows:
        raise ValidationError({"file": [_("The file has no data rows.")]})
    missing = PAYMENT_COLUMNS - {k for r in rows for k in r if k != ROW_ERROR}
    if missing:
        raise ValidationError({"file": [_("Missing columns: %(cols)s.") % {"cols": ", ".join(sorted(missing))}]})
    errors: dict[str, list[str]] = {}
    keys = set()
    for r in rows:
        try:
            keys.add((str(r.get("partner_inn") or "").strip(), str(r.get("invoice_number") or "").strip(),
                      int(str(r.get("invoice_line") or "").strip())))  # fmt: skip
        except ValueError:
            continue
    sales = {
        (s.organisation.inn, s.invoice_number, s.invoice_line): s
        for s in Sale.objects.select_for_update(of=("self",)).select_related("organisation")
        .filter(status=Sale.Status.ACTIVE, invoice_number__in={k[1] for k in keys},
                organisation__inn__in={k[0] for k in keys})
    }  # fmt: skip
    paid = {s.pk: paid_so_far(s) for s in sales.values()}
    todo = []
    for n, r in enumerate(rows, start=1):
        if ROW_ERROR in r:
            errors[f"rows[{n}]"] = [r[ROW_ERROR]]
            continue
        text = {k: str(r.get(k) if r.get(k) is not None else "").strip() for k in (*PAYMENT_COLUMNS, "reference")}
        try:
            key = (text["partner_inn"], text["invoice_number"], int(text["invoice_line"]))
        except ValueError:
            errors[f"rows[{n}].invoice_line"] = [_("A whole number.")]
            continue
        sale = sales.get(key)
        if sale is None:
            errors[f"rows[{n}].invoice_number"] = [_("No counting sale of this partner has this invoice line.")]
            continue
        try:
            on = parse_date(r.get("paid_on"))
        except ValueError:
            on = None
        value, errs = _checked(sale, text["amount"], on, paid_before=paid[sale.pk])
        for f, msgs in errs.items():
            errors[f"rows[{n}].{f}"] = msgs
        if errs:
            continue
        paid[sale.pk] += value
        todo.append((sale, value, on, text["reference"][:100], paid[sale.pk] - value))
    if errors:
        raise ValidationError(errors)
    for sale, value, on, reference, before in todo:
        _apply(actor=actor, sale=sale, value=value, paid_on=on, reference=reference,
               source=SalePayment.Source.IMPORT, paid_before=before)  # fmt: skip
    return len(todo)


def carry_payments(*, old: Sale, new: Sale) -> None:
    """A corrected sale keeps the payments made on the sale it replaces (and is paid when they cover it)."""
    rows = list(SalePayment.objects.filter(sale=old))
    SalePayment.objects.bulk_create([
        SalePayment(sale=new, organisation_id=new.organisation_id, amount=p.amount, paid_on=p.paid_on,
                    reference=p.reference, source=p.source, created_by=p.created_by) for p in rows
    ])  # fmt: skip
    if rows:  # the payments decide: paid when they cover the corrected amount
        total = sum((p.amount for p in rows), Decimal(0))
        new.paid_on = max(p.paid_on for p in rows) if total >= new.amount else None
        Sale.objects.filter(pk=new.pk).update(paid_on=new.paid_on)
