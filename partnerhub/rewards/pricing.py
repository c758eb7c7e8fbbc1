"""Prices in force: the fixed retail (or renewal) price of a product on a date, and a partner's price.

A partner's price is the retail price less its reward percent (the resale margin of the `002`
table is "a percent of the fixed retail price"), rounded half-up to the kopeck per unit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from partnerhub.core.money import quantize

from .models import PriceList, PriceListItem

KIND_FOR_SALE_TYPE = {"new": PriceList.Kind.RETAIL, "renewal": PriceList.Kind.RENEWAL}


class PriceBook:
    """Every price of the given products, loaded in one query and looked up by date in memory."""

    def __init__(self, product_ids: Iterable[int]):
        self._rows: dict[tuple[int, str, str], list[tuple[date, date | None, int, Decimal]]] = defaultdict(list)
        items = PriceListItem.objects.filter(product_id__in=set(product_ids)).values_list(
            "product_id", "price_list__kind", "price_list__currency", "price_list__valid_from",
            "price_list__valid_until", "price_list_id", "price",
        )  # fmt: skip
        for pid, kind, currency, since, until, list_id, price in items:
            self._rows[(pid, kind, currency)].append((since, until, list_id, price))
        for rows in self._rows.values():
            rows.sort(key=lambda r: (r[0], r[2]), reverse=True)

    def price(self, product_id: int, kind: str, currency: str, on: date) -> Decimal | None:
        """The price of the list valid on ``on`` that starts latest (the newest list wins an overlap)."""
        for since, until, _list_id, price in self._rows.get((product_id, kind, currency), ()):
            if since <= on and (until is None or on <= until):
                return price
        return None


def partner_price(retail: Decimal, percent: Decimal | None) -> Decimal:
    return quantize(retail * (Decimal(100) - (percent or Decimal(0))) / Decimal(100))
