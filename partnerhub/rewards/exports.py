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
