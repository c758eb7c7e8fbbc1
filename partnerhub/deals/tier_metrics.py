"""The tier metrics the deals context owns, registered into ``partners.metrics`` from ``DealsConfig.ready``.

Partners is a lower layer and never imports deals; deals registers how its claims count:

* ``registered_deals``: the partner's deal claims (registered by it or accepted leads)
  *registered* within the window and approved by the vendor — protected then, or since won,
  lost or ended. Claims awaiting approval or under review do not count yet; rejected and
  withdrawn ones never do.
* ``won_deals``: its deal claims won, by the date they closed.

A product family in the requirement counts the claims with a line of that family.
"""

from __future__ import annotations

from datetime import date, datetime, time

from django.db.models import Aggregate, Count, Q, QuerySet
from django.utils import timezone

from partnerhub.partners.metrics import MetricSpec, Source, Window, register

from .models import Claim

REGISTERED = (Claim.Status.PROTECTED, Claim.Status.WON, Claim.Status.LOST, Claim.Status.EXPIRED)


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _rows(org_ids: QuerySet, start: date, end: date, on: date) -> QuerySet:
    return Claim.objects.filter(organisation_id__in=org_ids, kind=Claim.Kind.DEAL).filter(
        Q(registered_at__gte=_at(start), registered_at__lt=_at(end), status__in=REGISTERED)
        | Q(closed_on__gte=start, closed_on__lt=end, status=Claim.Status.WON)
    )


def _family(spec: MetricSpec) -> Q:
    return Q(lines__product_family_id=spec.product_family_id) if spec.product_family_id else Q()


def registered_deals(spec: MetricSpec, window: Window, on: date) -> Aggregate:
    q = Q(registered_at__gte=_at(window.start), registered_at__lt=_at(window.end), status__in=REGISTERED)
    return Count("id", distinct=True, filter=q & _family(spec))


def won_deals(spec: MetricSpec, window: Window, on: date) -> Aggregate:
    q = Q(closed_on__gte=window.start, closed_on__lt=window.end, status=Claim.Status.WON)
    return Count("id", distinct=True, filter=q & _family(spec))


CLAIMS = Source("deal_claims", _rows)


def register_metrics() -> None:
    register("registered_deals", source=CLAIMS, value=registered_deals)
    register("won_deals", source=CLAIMS, value=won_deals)
