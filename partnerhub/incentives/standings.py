"""Standings of an incentive, computed in the database: one grouped query per page.

* Participants: partners with an active enrolment in the incentive's programme whose current tier is one
  of the eligible tiers (any tier when none are named) and, when partners are named, one of them.
* Figures: ``sales_volume`` sums the partner's counting sales sold in the period (inclusive), each
  converted into the incentive's currency at its own date's rate (``rewards.tier_metrics.converted_amount``;
  a sale without a known rate does not count yet); ``largest_sale`` takes the largest such line;
  ``won_deals`` counts the partner's deal claims won (closed) in the period.
* Ranks: competition ranking by figure (1, 2, 2, 4): partners tied on a figure share the rank (and a
  contest prize for it). Only partners with a figure above zero are ranked.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, F, Max, QuerySet, Sum, Window
from django.db.models.functions import Coalesce, Rank

from partnerhub.deals.models import Claim
from partnerhub.identity.models import Organisation
from partnerhub.partners.models import Enrolment
from partnerhub.rewards.models import Sale
from partnerhub.rewards.tier_metrics import AMOUNT, converted_amount

from .models import Incentive


def participants(incentive: Incentive) -> QuerySet[Organisation]:
    """The partners taking part (an unevaluated queryset: used as a subquery)."""
    enrolments = Enrolment.objects.filter(programme_id=incentive.programme_id, status=Enrolment.Status.ACTIVE,
                                          organisation__kind="partner")  # fmt: skip
    if incentive.tier_codes:
        enrolments = enrolments.annotate(current=Coalesce("override_tier_code", "tier_code")).filter(
            current__in=incentive.tier_codes
        )
    orgs = Organisation.objects.filter(pk__in=enrolments.values("organisation_id"))
    named = Incentive.partners.through.objects.filter(incentive_id=incentive.pk)
    if incentive.pk and named.exists():
        orgs = orgs.filter(pk__in=named.values("organisation_id"))
    return orgs


def figures(incentive: Incentive) -> QuerySet:
    """Rows ``{organisation_id, organisation__name, figure}`` of every participant with a figure above zero."""
    who = participants(incentive).values("pk")
    if incentive.metric == Incentive.Metric.WON_DEALS:
        rows = Claim.objects.filter(organisation_id__in=who, kind=Claim.Kind.DEAL, status=Claim.Status.WON,
                                    closed_on__gte=incentive.starts_on, closed_on__lte=incentive.ends_on)  # fmt: skip
        figure = Count("id", output_field=AMOUNT)
    else:
        rows = Sale.objects.filter(organisation_id__in=who, status=Sale.Status.ACTIVE,
                                   sold_on__gte=incentive.starts_on, sold_on__lte=incentive.ends_on)  # fmt: skip
        value = converted_amount(incentive.currency)
        figure = Max(value) if incentive.metric == Incentive.Metric.LARGEST_SALE else Sum(value, output_field=AMOUNT)
    return (
        rows.order_by().values("organisation_id", "organisation__name")
        .annotate(figure=figure).filter(figure__gt=0)
    )  # fmt: skip


def ranked(incentive: Incentive) -> QuerySet:
    """The standings, best first, each row with its ``rank`` (slice it to page in SQL)."""
    return (
        figures(incentive)
        .annotate(rank=Window(Rank(), order_by=F("figure").desc()))
        .order_by("-figure", "organisation__name", "organisation_id")
    )


def standing_of(incentive: Incentive, organisation_id: int) -> dict | None:
    """One partner's row (rank and figure), or None when it has no figure: two small queries."""
    rows = figures(incentive)
    found = list(rows.filter(organisation_id=organisation_id)[:1])
    if not found:
        return None
    own = found[0]
    better = rows.filter(figure__gt=own["figure"]).count()
    return {**own, "rank": better + 1}


def as_decimal(value) -> Decimal:
    return Decimal(value if value is not None else 0).quantize(Decimal("0.01"))
