from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.utils.translation import gettext as _

from partnerhub.core.money import quantize
from partnerhub.core.tenancy import actor_for
from partnerhub.identity.models import Organisation, User
from partnerhub.identity.roles import OrgKind, Role
from partnerhub.partners.models import Enrolment
from partnerhub.programmes.models import ProgrammeVersion, RewardRate
from partnerhub.programmes.selectors import version_in_force

from .models import (
    Account,
    ExchangeRate,
    JournalEntry,
    LedgerLine,
    PriceList,
    Product,
    Rating,
    RatingIssue,
    RoleRate,
    Sale,
    SalePayment,
)
from .pricing import PriceBook, partner_price


def sales(
    *, actor: User, organisation_id: int | None = None, since: date | None = None, until: date | None = None,
    currency: str = "", product_family: str = "",
) -> QuerySet[Sale]:  # fmt: skip
    """Sales facts the actor may see; ``until`` is inclusive."""
    qs = Sale.objects.visible_to(actor).select_related("organisation", "product_family", "item")
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


# ---------------------------------------------------------------- earnings, statements, the ledger

EARNINGS_ROLES = {Role.PARTNER_ADMIN, Role.SALES}


def require_earnings_reader(actor: User, organisation: Organisation) -> None:
    """The partner's administrators and sales, and vendor staff in scope, read its rewards (403 otherwise)."""
    who = actor_for(actor)
    if who.is_vendor_staff or who.roles_in(organisation.pk) & EARNINGS_ROLES:
        return
    raise PermissionDenied(_("Your role does not show rewards."))


@dataclass
class Balance:
    currency: str
    accrued: Decimal
    held: Decimal
    payable: Decimal
    paid: Decimal


def _period_bounds(period: str) -> tuple[date, date]:
    try:
        start = date.fromisoformat(f"{period}-01")
    except ValueError:
        raise Http404 from None
    end = date(start.year + (start.month == 12), start.month % 12 + 1, 1)
    return start, end


def earnings_balances(*, actor: User, organisation: Organisation) -> list[Balance]:
    require_earnings_reader(actor, organisation)
    rows = (
        LedgerLine.objects.visible_to(actor).filter(organisation=organisation).exclude(account=Account.VENDOR_EXPENSE)
        .values("currency", "account").annotate(total=Sum("amount")).order_by("currency")
    )  # fmt: skip
    by: dict[str, dict[str, Decimal]] = {}
    for r in rows:
        by.setdefault(r["currency"], {})[r["account"]] = quantize(-r["total"])
    zero = Decimal("0.00")
    return [Balance(c, a.get(Account.ACCRUED, zero), a.get(Account.HELD, zero), a.get(Account.PAYABLE, zero),
                    a.get(Account.PAID, zero)) for c, a in sorted(by.items())]  # fmt: skip


def earnings_by_month(*, actor: User, organisation: Organisation, months: int = 12) -> list[dict]:
    """Rewards earned per month and currency (accruals less reversals and adjustments), newest first."""
    require_earnings_reader(actor, organisation)
    rows = (
        LedgerLine.objects.visible_to(actor)
        .filter(organisation=organisation, account=Account.VENDOR_EXPENSE)
        .annotate(month=TruncMonth("entry__posted_on"))
        .values("month", "currency").annotate(total=Sum("amount")).order_by("-month", "currency")
    )[: months * 4]  # fmt: skip
    out = [{"month": r["month"].strftime("%Y-%m") if hasattr(r["month"], "strftime") else str(r["month"])[:7],
            "currency": r["currency"], "amount": quantize(r["total"])} for r in rows]  # fmt: skip
    return out


def statement_lines(*, actor: User, organisation: Organisation, period: str) -> QuerySet[Rating]:
    """The reward lines posted in the period: ratings accrued in it and ratings reversed in it (negative)."""
    require_earnings_reader(actor, organisation)
    start, end = _period_bounds(period)
    accrued = Q(entry__posted_on__gte=start, entry__posted_on__lt=end)
    reversed_ = Q(reversal__posted_on__gte=start, reversal__posted_on__lt=end)
    return (
        Rating.objects.visible_to(actor).filter(organisation=organisation).filter(accrued | reversed_)
        .select_related("sale", "sale__product_family", "version", "entry", "reversal", "source_organisation")
        .order_by("sale__sold_on", "id")
    )  # fmt: skip


def statement_rows(lines: Iterable[Rating], period: str) -> list[dict]:
    """Statement rows of a page of lines: the accrual if posted in the period, the reversal (negative) if so.

    A network line (a distributor's or recruiter's override) names the partner that sold and nothing more of
    that partner's sale than the line's own figures: no customer, no invoice."""
    start, end = _period_bounds(period)
    out = []
    for r in lines:
        own = r.line == Rating.Line.OWN
        sale = r.sale
        trace = {
            "customer": sale.customer_name if own else "",
            "invoice": f"{sale.invoice_number}/{sale.invoice_line}" if own and sale.invoice_number else "",
            "source_partner": "" if own or r.source_organisation is None else r.source_organisation.name,
        }  # fmt: skip
        for kind, sign, entry in (("accrual", 1, r.entry), ("reversal", -1, r.reversal)):
            if entry is None or not start <= entry.posted_on < end:
                continue
            out.append({"rating": r, "kind": kind, "entry": entry, "reward": r.reward * sign,
                        "sale_amount": r.sale_amount * sign, "base_amount": r.base_amount * sign, **trace})  # fmt: skip
    return out


def statement_totals(*, actor: User, organisation: Organisation, period: str) -> list[dict]:
    """Per currency: rewards accrued and reversed in the period, and adjustments posted by hand."""
    require_earnings_reader(actor, organisation)
    start, end = _period_bounds(period)
    rows = (
        LedgerLine.objects.visible_to(actor)
        .filter(organisation=organisation, account=Account.VENDOR_EXPENSE, entry__posted_on__gte=start,
                entry__posted_on__lt=end)
        .values("currency", "entry__kind").annotate(total=Sum("amount")).order_by("currency")
    )  # fmt: skip
    by: dict[str, dict[str, Decimal]] = {}
    for r in rows:
        by.setdefault(r["currency"], {})[r["entry__kind"]] = quantize(r["total"])
    zero = Decimal("0.00")
    return [{"currency": c, "accrued": k.get("accrual", zero), "reversed": -k.get("reversal", zero),
             "adjusted": k.get("adjustment", zero), "rebates": k.get("rebate", zero),
             "incentives": k.get("incentive", zero), "fund_claims": k.get("fund_claim", zero),
             "total": quantize(sum(k.values(), zero))}
            for c, k in sorted(by.items())]  # fmt: skip


def statement_other_entries(*, actor: User, organisation: Organisation, period: str) -> list[dict]:
    """The period's rebates, contest prizes and SPIF bonuses, development-funds claims and adjustments, each
    with its amount and its source named (the contest, the rebate's quarter, the claim)."""
    from .statement_sources import OTHER_KINDS, sources

    require_earnings_reader(actor, organisation)
    start, end = _period_bounds(period)
    entries = list(
        JournalEntry.objects.visible_to(actor)
        .filter(organisation=organisation, kind__in=OTHER_KINDS, posted_on__gte=start, posted_on__lt=end)
        .annotate(amount=Sum("lines__amount", filter=Q(lines__account=Account.VENDOR_EXPENSE)))
        .order_by("kind", "posted_on", "id")
    )  # fmt: skip
    names = sources(entries)
    return [{"entry": e, "kind": e.kind, "kind_label": e.get_kind_display(), "posted_on": e.posted_on,
             "amount": quantize(e.amount or 0), "currency": e.currency, "source": names.get(e.pk, "")}
            for e in entries]  # fmt: skip


def ledger_entries(*, actor: User, organisation: Organisation) -> QuerySet[JournalEntry]:
    require_earnings_reader(actor, organisation)
    credit = Sum("lines__amount", filter=Q(lines__account=Account.VENDOR_EXPENSE))
    return (
        JournalEntry.objects.visible_to(actor).filter(organisation=organisation)
        .annotate(amount=credit).order_by("-posted_at", "-id")
    )  # fmt: skip


def partner_balances(*, actor: User, currency: str = "") -> QuerySet[Organisation]:
    """Finance: the partners in scope that have rewards, each with its balances per currency (paginated by
    partner in SQL; :func:`balances_of` fills a page in one query)."""
    who = actor_for(actor)
    if not who.vendor_roles & {Role.VENDOR_ADMIN, Role.FINANCE, Role.PARTNER_MANAGER}:
        raise PermissionDenied(_("Only the vendor's staff read every partner's rewards."))
    lines = LedgerLine.objects.visible_to(actor)
    if currency:
        lines = lines.filter(currency=currency)
    return Organisation.objects.filter(pk__in=lines.values("organisation_id")).order_by("name", "pk")


def balances_of(orgs: Iterable[Organisation]) -> dict[int, list[Balance]]:
    from .services.ledger import balances

    out: dict[int, list[Balance]] = {}
    for (org_id, cur), acc in sorted(balances([o.pk for o in orgs]).items()):
        out.setdefault(org_id, []).append(Balance(cur, acc["accrued"], acc["held"], acc["payable"], acc["paid"]))
    return out


def rating_issues(*, actor: User) -> QuerySet[RatingIssue]:
    return RatingIssue.objects.visible_to(actor).select_related("sale", "organisation").order_by("-seen_at", "-id")


def sale(*, actor: User, pk: int) -> Sale:
    return Sale.objects.get_visible_or_404(actor, pk=pk)


def sale_payments(*, actor: User, sale: Sale) -> QuerySet[SalePayment]:
    return SalePayment.objects.visible_to(actor).filter(sale=sale).order_by("paid_on", "id")


def sale_ratings(*, actor: User, sale: Sale) -> QuerySet[Rating]:
    """The lines a sale gave, as far as the actor sees them (a partner: its own line only)."""
    return (Rating.objects.visible_to(actor).filter(sale=sale).select_related("organisation", "version", "entry",
                                                                              "reversal").order_by("id"))  # fmt: skip


def role_rates(*, actor: User, programme: str, number: int) -> QuerySet[RoleRate]:
    if not actor_for(actor).is_vendor_staff:
        raise PermissionDenied(_("Role rates are for the vendor's staff."))
    return RoleRate.objects.filter(version__programme__code=programme, version__number=number).select_related(
        "product_family").order_by("role_code", "id")  # fmt: skip
