"""Writes of the rewards context, one module per process; the public names are re-exported here."""

from .sales import (
    ImportReport,
    import_sales,
    import_sales_file,
    parse_amount,
    parse_date,
    read_rows,
    record_referral_sale,
    record_sale,
    record_won_deal,
)

__all__ = [
    "ImportReport",
    "import_sales",
    "import_sales_file",
    "parse_amount",
    "parse_date",
    "read_rows",
    "record_referral_sale",
    "record_sale",
    "record_won_deal",
]
