"""Query pieces the lists share."""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce


def count_per_row(related: QuerySet, *, link: str) -> Coalesce:
    """How many rows of ``related`` point at the outer row through ``link`` (a foreign key), as an
    annotation: a correlated count, evaluated only for the rows of the page shown — unlike
    ``Count(join)``, which groups every matching row before the page is cut."""
    counted = related.filter(**{link: OuterRef("pk")}).order_by().values(link).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))
