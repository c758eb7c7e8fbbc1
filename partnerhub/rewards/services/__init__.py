"""Writes of the rewards context, one module per process; the public names are re-exported here."""

from .rating import correct_sale, end_sale, rate_pending, rate_sales
from .rows import parse_amount, parse_date
from .sales import (
    ImportReport,
    WonLine,
    import_sales,
    import_sales_file,
    read_rows,
    record_marketplace_sale,
    record_referral_sale,
    record_sale,
    record_won_deal,
)

__all__ = [
    "ImportReport",
    "WonLine",
    "correct_sale",
    "end_sale",
    "import_sales",
    "import_sales_file",
    "parse_amount",
    "parse_date",
    "rate_pending",
    "rate_sales",
    "read_rows",
    "record_marketplace_sale",
    "record_referral_sale",
    "record_sale",
    "record_won_deal",
]
