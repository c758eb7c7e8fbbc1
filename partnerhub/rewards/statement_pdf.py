"""A partner's statement for a month as a PDF (WeasyPrint; needs the system's pango, see scripts/ensure-pango).

The same figures as the page and the CSV: totals per currency, the close's release and hold when the month
is closed, and every line traced to its sale, invoice, rule, tier and programme version. The style sheet is
a file (``statement_pdf.css`` beside this module): templates carry no inline styles.
"""

from __future__ import annotations

from pathlib import Path

from django.template.loader import render_to_string
from django.utils import timezone

from .models import RewardPeriod
from .periods import parse_month

CSS = Path(__file__).with_name("statement_pdf.css")


def html(*, org, period: str, rows: list[dict], totals: list[dict], settlement: list[dict],
         others: list[dict] = ()) -> str:  # fmt: skip
    closed = RewardPeriod.objects.filter(month=parse_month(period)).first()
    return render_to_string("rewards/statement_pdf.html", {
        "org": org, "period": period, "rows": rows, "totals": totals, "closed": closed, "settlement": settlement,
        "generated": timezone.localtime(), "others": others,
    })  # fmt: skip


def render(*, org, period: str, rows: list[dict], totals: list[dict], settlement: list[dict],
           others: list[dict] = ()) -> bytes:  # fmt: skip
    from weasyprint import CSS as StyleSheet
    from weasyprint import HTML

    text = html(org=org, period=period, rows=rows, totals=totals, settlement=settlement, others=others)
    return HTML(string=text).write_pdf(stylesheets=[StyleSheet(filename=str(CSS))])
