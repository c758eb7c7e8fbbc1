"""Each role's home page: KPIs and charts built from ``portal.selectors``.

``dashboard_for(user, organisation)`` picks the dashboard by the role the user holds in the
organisation the UI acts for (vendor staff, partner manager, partner, customer) and returns the
template context. Money is formatted for the active language; every chart carries its table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from partnerhub.core.charts import Chart, bar_chart
from partnerhub.core.formatting import money, number
from partnerhub.core.tenancy import actor_for
from partnerhub.identity.models import Organisation, User
from partnerhub.identity.roles import OrgKind, Role

from . import selectors

VENDOR, MANAGER, PARTNER, CUSTOMER, NONE = "vendor", "manager", "partner", "customer", "none"


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str
    value: str
    note: str = ""
    url: str = ""
    tone: str = ""


def role_of(user: User, organisation: Organisation | None) -> str:
    if organisation is None:
        return NONE
    actor = actor_for(user)
    if organisation.kind == OrgKind.VENDOR:
        return VENDOR if actor.sees_everything or not actor.is_partner_manager else MANAGER
    if organisation.kind == OrgKind.PARTNER:
        return PARTNER
    return CUSTOMER


def month_label(m: date) -> str:
    return formats.date_format(m, "M y" if m.month == 1 else "M")


def monthly_chart(*, key: str, title: str, series, currency: str = "", heading: str = "") -> Chart:
    fmt = (lambda v: money(v, currency)) if currency else number
    points = [(month_label(m), v) for m, v in series]
    total = sum((v for _, v in series), Decimal(0) if currency else 0)
    return bar_chart(key=key, title=title, points=points, fmt=fmt, label_heading=_("Month"),
                     value_heading=heading or title,
                     summary=_("%(total)s in twelve months") % {"total": fmt(total)})  # fmt: skip


def _sales_charts(sales: selectors.Monthly, key: str = "sales") -> list[Chart]:
    return [
        monthly_chart(
            key=f"{key}-{c.lower()}",
            title=_("Sales by month, %(currency)s") % {"currency": c},
            series=sales.series(c),
            currency=c,
            heading=_("Sales"),
        )
        for c in sales.keys[:2]
    ] or [monthly_chart(key=f"{key}-none", title=_("Sales by month"), series=sales.series("RUB"), currency="RUB")]


def _year_total(sales: selectors.Monthly, today: date) -> str:
    parts = []
    for c in sales.keys:
        total = sum((v for m, v in sales.series(c) if m.year == today.year), Decimal(0))
        if total:
            parts.append(money(total, c))
    return " · ".join(parts) or money(0, "RUB")


def _pipeline_chart(stages: list[dict]) -> Chart:
    return bar_chart(key="pipeline", title=_("Open deals by stage"), horizontal=True,
                     points=[(r["label"], r["n"]) for r in stages], fmt=number, label_heading=_("Stage"),
                     value_heading=_("Deals"))  # fmt: skip


def _pipeline_amounts(stages: list[dict]) -> str:
    totals: dict[str, Decimal] = {}
    for r in stages:
        for c, v in r["totals"].items():
            totals[c] = totals.get(c, Decimal(0)) + v
    return " · ".join(money(v, c) for c, v in sorted(totals.items())) or money(0, "RUB")


def vendor_dashboard(user: User, *, manager: bool = False, today: date | None = None) -> dict:
    today = today or timezone.localdate()
    tiers = selectors.partners_by_tier(actor=user, today=today)
    stages = selectors.pipeline_by_stage(actor=user)
    deals = selectors.deal_counts(actor=user, today=today)
    leads = selectors.lead_offer_counts(actor=user)
    applications, oldest = selectors.applications_awaiting(actor=user)
    registered = selectors.deals_registered_by_month(actor=user, today=today)
    sales = selectors.sales_by_month(actor=user, today=today)
    partners = sum(r["n"] for r in tiers["per_tier"])
    moves = tiers["moves"]
    kpis = [
        Kpi("partners", _("Active partners"), number(partners), url=reverse("enrolment-list"),
            note=_("%(up)s up, %(down)s down, %(new)s new this quarter") % moves),
        Kpi("decisions", _("Deals awaiting a decision"), number(deals["awaiting"]), url=reverse("deal-review"),
            note=_("%(n)s overdue") % {"n": deals["overdue"]}, tone="warn" if deals["overdue"] else ""),
        Kpi("pipeline", _("Open pipeline"), _pipeline_amounts(stages), url=reverse("deal-board"),
            note=_("%(n)s protected deals") % {"n": deals["protected"]}),
        Kpi("leads", _("Leads awaiting acceptance"), number(leads["waiting"]), url=reverse("lead-list"),
            note=_("%(n)s past their clock") % {"n": leads["overdue"]}, tone="warn" if leads["overdue"] else ""),
        Kpi("applications", _("Applications to review"), number(applications),
            url=reverse("onboarding-application-list")),
        Kpi("sales", _("Sales this year"), _year_total(sales, today), url=reverse("sale-list")),
    ]  # fmt: skip
    programmes: dict[str, list[dict]] = {}
    for r in tiers["per_tier"]:
        programmes.setdefault(r["programme"], []).append(r)
    tier_charts = [
        bar_chart(key=f"tiers-{n}", title=_("Partners by tier: %(programme)s") % {"programme": name}, horizontal=True,
                  fmt=number, label_heading=_("Tier"), value_heading=_("Partners"),
                  points=[(r["tier"] or _("No tier yet"), r["n"]) for r in rows])
        for n, (name, rows) in enumerate(sorted(programmes.items()))
    ] or [bar_chart(key="tiers", title=_("Partners by tier"), points=[], horizontal=True)]  # fmt: skip
    charts = [
        *tier_charts,
        _pipeline_chart(stages),
        monthly_chart(
            key="registered", title=_("Deals registered by month"), series=registered.series(""), heading=_("Deals")
        ),
        *_sales_charts(sales),
    ]
    context = {"kpis": kpis, "charts": charts, "stages": stages, "now": timezone.now()}
    if manager:
        context["decisions"] = selectors.decisions_due(actor=user)
        context["applications"] = oldest
    return context


def partner_dashboard(user: User, organisation: Organisation, *, today: date | None = None) -> dict:
    today = today or timezone.localdate()
    progress = selectors.tier_progress(actor=user, organisation_id=organisation.pk)
    stages = selectors.pipeline_by_stage(actor=user, organisation_id=organisation.pk)
    deals = selectors.deal_counts(actor=user, organisation_id=organisation.pk, today=today)
    offers = selectors.open_lead_offers(actor=user, organisation_id=organisation.pk)
    sales = selectors.sales_by_month(actor=user, organisation_id=organisation.pk, today=today)
    referrals = selectors.referral_activity(actor=user, organisation_id=organisation.pk, today=today)
    clicks = referrals["clicks"].series("")
    signups = referrals["conversions"].series("signup")
    purchases = referrals["conversions"].series("purchase")
    tier_text = ", ".join(p["tier"] or _("No tier yet") for p in progress) or _("Not enrolled yet")
    # Deals, leads and sales are the work of the partner's administrators and sales people (engineers do not see them).
    sells = bool({Role.PARTNER_ADMIN, Role.SALES} & actor_for(user).roles_in(organisation.pk))
    kpis = [
        Kpi("tier", _("Tier"), tier_text, url=reverse("partner-tier"),
            note=", ".join(_("%(p)s%% toward %(t)s") % {"p": p["percent"], "t": p["next"]} for p in progress
                           if p["next"])),
    ]  # fmt: skip
    if sells:
        kpis += [
            Kpi("protected", _("Protected deals"), number(deals["protected"]), url=reverse("deal-board"),
                note=_("%(n)s awaiting approval") % {"n": deals["awaiting"]}),
            Kpi("leads", _("Leads to accept"), number(len(offers)), url=reverse("lead-inbox"),
                tone="warn" if offers else ""),
            Kpi("sales", _("Sales this year"), _year_total(sales, today), url=reverse("sale-list")),
        ]  # fmt: skip
    kpis.append(
        Kpi("clicks", _("Referral clicks"), number(sum(v for _, v in clicks)), url=reverse("referral-home"),
            note=_("%(s)s sign-ups, %(p)s purchases in twelve months")
            % {"s": sum(v for _, v in signups), "p": sum(v for _, v in purchases)})
    )  # fmt: skip
    conversions = monthly_chart(
        key="conversions",
        title=_("Referred sign-ups and purchases by month"),
        series=[(m, s + p) for (m, s), (_m, p) in zip(signups, purchases, strict=True)],
        heading=_("Conversions"),
    )
    clicks_chart = monthly_chart(key="clicks", title=_("Referral clicks by month"), series=clicks, heading=_("Clicks"))
    charts = [_pipeline_chart(stages), *_sales_charts(sales)] if sells else []
    charts += [clicks_chart, conversions]
    return {"kpis": kpis, "charts": charts, "progress": progress, "offers": offers if sells else None,
            "sells": sells, "now": timezone.now()}  # fmt: skip


def customer_dashboard(user: User, organisation: Organisation, *, today: date | None = None) -> dict:
    data = selectors.customer_overview(actor=user, customer=organisation, today=today)
    by_month = data["by_month"]
    currency = (by_month.keys or ["RUB"])[0]
    chart = monthly_chart(key="purchases", title=_("Purchases by month, %(currency)s") % {"currency": currency},
                          series=by_month.series(currency), currency=currency, heading=_("Purchases"))  # fmt: skip
    kpis = [
        Kpi("partners", _("Your partners"), number(len(data["partners"]))),
        Kpi("purchases", _("Purchases in twelve months"),
            " · ".join(money(sum(v for _, v in by_month.series(c)), c) for c in by_month.keys) or money(0, "RUB")),
    ]  # fmt: skip
    return {"kpis": kpis, "charts": [chart], "partners": data["partners"], "purchases": data["purchases"]}


def dashboard_for(user: User, organisation: Organisation | None) -> tuple[str, dict]:
    role = role_of(user, organisation)
    if role in (VENDOR, MANAGER):
        return role, vendor_dashboard(user, manager=role == MANAGER)
    if role == PARTNER:
        return role, partner_dashboard(user, organisation)
    if role == CUSTOMER:
        return role, customer_dashboard(user, organisation)
    return role, {}
