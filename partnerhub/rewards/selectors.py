from __future__ import annotations

from datetime import date

from django.db.models import Count, QuerySet, Sum

from partnerhub.identity.models import User

from .models import Sale


def sales(
    *, actor: User, organisation_id: int | None = None, since: date | None = None, until: date | None = None,
    currency: str = "", product_family: str = "",
) -> QuerySet[Sale]:  # fmt: skip
    """Sales facts the actor may see; ``until`` is inclusive."""
    qs = Sale.objects.visible_to(actor).select_related("organisation", "product_family")
    if organisation_id:
        qs = qs.filter(organisation_id=organisation_id)
    if since:
        qs = qs.filter(sold_on__gte=since)
    if until:
        qs = qs.filter(sold_on__lte=until)
    if currency:
        qs = qs.filter(currency=currency)
    if product_family:
        qs = qs.filter(product_family__code=product_family)
    return qs


def totals(qs: QuerySet[Sale]) -> list[dict]:
    return list(qs.order_by().values("currency").annotate(total=Sum("amount"), n=Count("id")).order_by("currency"))
