"""Files people download: a partner's price list (XLSX)."""

from __future__ import annotations

import io
from datetime import date

from django.utils.translation import gettext as _
from openpyxl import Workbook

from .selectors import PartnerTerms, PriceRow


def price_list_xlsx(*, terms: PartnerTerms, rows: list[PriceRow], currency: str, kind_label: str, on: date) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Price list")[:31])
    ws.append([_("Price list for %(partner)s") % {"partner": terms.organisation.name}])
    ws.append([_("Prices"), str(kind_label), _("Currency"), currency, _("On"), on.isoformat(),
               _("Tier"), terms.tier_code or "—"])  # fmt: skip
    ws.append([])
    ws.append([_("SKU"), _("Name"), _("Name (English)"), _("Product family"), _("Retail price"), _("Reward, %"),
               _("Partner price")])  # fmt: skip
    for r in rows:
        ws.append([r.product.sku, r.product.name, r.product.name_en, r.product.family.code, r.retail,
                   r.percent if r.percent is not None else 0, r.partner])  # fmt: skip
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


STATEMENT_COLUMNS = (
    "line", "posted_on", "entry", "sale", "sold_on", "customer", "invoice", "product_family", "sale_type",
    "sale_amount", "sale_currency", "exchange_rate", "base_amount", "rule", "basis", "tier", "programme_version",
    "rate_percent", "uplift_percent", "share_percent", "reward", "currency", "earned_as", "source_partner", "source",
)  # fmt: skip


def statement_csv(rows: list[dict], others: list[dict] = ()) -> str:
    """A statement as CSV (UTF-8 with a byte-order mark for Excel; semicolons): every line traced to its sale,
    rule, tier and programme version; then the rebates, prizes, funds claims and adjustments (``line`` their
    kind), each with its source (the contest, the quarter, the claim)."""
    import csv

    buf = io.StringIO()
    buf.write("\ufeff")
    w = csv.writer(buf, delimiter=";")
    w.writerow(STATEMENT_COLUMNS)
    for row in rows:
        r, sale = row["rating"], row["rating"].sale
        w.writerow(
            [
                row["kind"],
                row["entry"].posted_on.isoformat(),
                row["entry"].pk,
                sale.pk,
                sale.sold_on.isoformat(),
                _safe(row["customer"]),
                _safe(row["invoice"]),
                sale.product_family.code,
                sale.sale_type,
                row["sale_amount"],
                r.sale_currency,
                r.fx_rate,
                row["base_amount"],
                r.rule,
                r.basis,
                r.tier_code,
                str(r.version),
                r.rate_percent,
                r.uplift_percent,
                r.share_percent,
                row["reward"],
                r.currency,
                r.line,
                _safe(row["source_partner"]),
                "",
            ]
        )
    for o in others:  # no sale: the columns from "sale" to "share_percent" stay empty
        w.writerow([o["kind"], o["posted_on"].isoformat(), o["entry"].pk, *[""] * 17, o["amount"], o["currency"],
                    "own", "", _safe(o["source"])])  # fmt: skip  # fmt: skip
    return buf.getvalue()


def _safe(text: str) -> str:
    """No spreadsheet formulas from partner-typed text (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
