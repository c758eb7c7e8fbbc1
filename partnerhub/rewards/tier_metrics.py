"""The tier metrics the rewards context owns, registered into ``partners.metrics`` from ``RewardsConfig.ready``.

* ``sales_volume``: the partner's counting sales (status *counts*: not corrected, refunded or cancelled)
  sold within the window, in the requirement's currency. A sale in another currency is converted at
  its own date's Bank of Russia rates (the latest published on or before the sale date, through the
  rouble: ``amount × rate(sale currency) / rate(requirement currency)``, rounded half-up to the kopeck
  per line), so a USD threshold counts rouble sales and the other way round. A sale whose rate is not
  known yet does not count until it is; the same sale waits in the finance console's rating issues,
  which name the currency and date.
* ``purchase_count``: the number of those sales.

A product family in the requirement counts the sales of that family.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Aggregate, Case, Count, DecimalField, F, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Round

from partnerhub.partners.metrics import MetricSpec, Source, Window, register

from .fx import BASE
from .models import ExchangeRate, Sale

MONEY = DecimalField(max_digits=30, decimal_places=10)  # rates and products of them
AMOUNT = DecimalField(max_digits=20, decimal_places=2)


def _rows(org_ids: QuerySet, start: date, end: date, on: date) -> QuerySet:
    return Sale.objects.filter(organisation_id__in=org_ids, sold_on__gte=start, sold_on__lt=end,
                               status=Sale.Status.ACTIVE)  # fmt: skip


def _in_window(spec: MetricSpec, window: Window) -> Q:
    q = Q(sold_on__gte=window.start, sold_on__lt=window.end)
    if spec.product_family_id:
        q &= Q(product_family_id=spec.product_family_id)
    return q


def _roubles_per_unit(currency) -> Subquery:
    """The rouble value of one unit of ``currency`` (a constant or the sale's column) on the sale's date."""
    latest = ExchangeRate.objects.filter(currency=currency, on__lte=OuterRef("sold_on")).order_by("-on")
    return Subquery(latest.annotate(per_unit=F("value") / F("nominal")).values("per_unit")[:1], output_field=MONEY)


def converted_amount(currency: str):
    """Each sale's amount in ``currency`` at its date's rate (NULL, so not counted, without a rate)."""
    one = Value(1, output_field=MONEY)
    per_unit = Case(When(currency=BASE, then=one), default=_roubles_per_unit(OuterRef("currency")), output_field=MONEY)
    in_roubles = F("amount") * per_unit
    target = in_roubles if currency == BASE else in_roubles / _roubles_per_unit(currency)
    return Case(When(currency=currency, then=F("amount")), default=Round(target, 2), output_field=AMOUNT)


def sales_volume(spec: MetricSpec, window: Window, on: date) -> Aggregate:
    return Sum(converted_amount(spec.currency), filter=_in_window(spec, window), output_field=AMOUNT)


def purchase_count(spec: MetricSpec, window: Window, on: date) -> Aggregate:
    return Count("id", filter=_in_window(spec, window))


SALES = Source("sales", _rows)


def register_metrics() -> None:
    register("sales_volume", source=SALES, value=sales_volume)
    register("purchase_count", source=SALES, value=purchase_count)
