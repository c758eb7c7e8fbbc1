from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from partnerhub.core.tenancy import actor_for
from partnerhub.identity.models import Organisation, User
from partnerhub.identity.roles import OrgKind
from partnerhub.partners.models import Enrolment
from partnerhub.programmes.models import ProgrammeVersion, RewardRate
from partnerhub.programmes.selectors import version_in_force

from .models import ExchangeRate, PriceList, Product, Sale
from .pricing import PriceBook, partner_price


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


# ---------------------------------------------------------------- products and prices


def _require_catalogue_reader(actor: User) -> None:
    """Vendor staff and partners read the vendor's products and prices; customers do not."""
    who = actor_for(actor)
    if not (who.is_vendor_staff or {m.organisation.kind for m in who.memberships} & {OrgKind.PARTNER}):
        raise PermissionDenied(_("Products and price lists are for the vendor's staff and partners."))


def products(*, actor: User, family: str = "", q: str = "", active_only: bool = False) -> QuerySet[Product]:
    _require_catalogue_reader(actor)
    qs = Product.objects.select_related("family").order_by("sku")
    if family:
        qs = qs.filter(family__code=family)
    if q:
        qs = qs.filter(Q(sku__icontains=q) | Q(name__icontains=q) | Q(name_en__icontains=q))
    if active_only:
        qs = qs.filter(is_active=True)
    return qs


def price_lists(*, actor: User, currency: str = "", kind: str = "") -> QuerySet[PriceList]:
    _require_catalogue_reader(actor)
    qs = PriceList.objects.annotate(item_count=Count("items"))
    if currency:
        qs = qs.filter(currency=currency)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-valid_from", "-id")


@dataclass
class PriceRow:
    product: Product
    retail: Decimal | None
    percent: Decimal | None = None
    partner: Decimal | None = None


def priced(page: Iterable[Product], *, currency: str, kind: str, on: date) -> list[PriceRow]:
    """The page's products with the price in force on ``on`` (one query for the whole page)."""
    items = list(page)
    book = PriceBook(p.pk for p in items)
    return [PriceRow(product=p, retail=book.price(p.pk, kind, currency, on)) for p in items]


@dataclass
class PartnerTerms:
    """What a partner's prices are computed from: its enrolment, tier and the version in force."""

    organisation: Organisation
    enrolment: Enrolment | None
    version: ProgrammeVersion | None
    tier_code: str | None
    percents: dict[tuple[int, str], Decimal]  # (family id, sale type) -> reward percent


def partner_terms(*, organisation: Organisation, on: date) -> PartnerTerms:
    enrolment = Enrolment.objects.filter(organisation=organisation).order_by("pk").first()
    if enrolment is None:
        return PartnerTerms(organisation, None, None, None, {})
    version = version_in_force(programme=enrolment.programme, on=on)
    tier_code = enrolment.override_tier_code or enrolment.tier_code
    percents: dict[tuple[int, str], Decimal] = {}
    if version is not None and tier_code:
        for rate in RewardRate.objects.filter(tier__version=version, tier__code=tier_code):
            percents[(rate.product_family_id, rate.sale_type)] = rate.percent
    return PartnerTerms(organisation, enrolment, version, tier_code, percents)


def partner_price_list(
    *, actor: User, organisation: Organisation, currency: str, kind: str, on: date
) -> tuple[PartnerTerms, list[PriceRow]]:
    """Every product on sale with its retail price on ``on`` and this partner's price (its tier's percent off)."""
    _require_catalogue_reader(actor)
    terms = partner_terms(organisation=organisation, on=on)
    sale_type = "renewal" if kind == PriceList.Kind.RENEWAL else "new"
    rows = priced(products(actor=actor, active_only=True), currency=currency, kind=kind, on=on)
    out = []
    for row in rows:
        if row.retail is None:
            continue
        row.percent = terms.percents.get((row.product.family_id, sale_type))
        row.partner = partner_price(row.retail, row.percent)
        out.append(row)
    return terms, out


# ---------------------------------------------------------------- exchange rates


def exchange_rates(
    *, actor: User, currency: str = "", since: date | None = None, until: date | None = None
) -> QuerySet[ExchangeRate]:
    _require_catalogue_reader(actor)
    qs = ExchangeRate.objects.all()
    if currency:
        qs = qs.filter(currency=currency)
    if since:
        qs = qs.filter(on__gte=since)
    if until:
        qs = qs.filter(on__lte=until)
    return qs.order_by("-on", "currency")
