"""Pages of rewards: a partner's earnings and statements (also the partner manager's view of them) and the
finance console."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partnerhub.core.charts import bar_chart
from partnerhub.core.formatting import money
from partnerhub.core.forms import add_service_errors
from partnerhub.core.pagination import Paginator
from partnerhub.core.tenancy import actor_for
from partnerhub.identity import selectors as identity_selectors
from partnerhub.programmes.selectors import tiers_of_versions

from . import selectors, selectors_payouts
from .api_earnings import statement_csv_response
from .forms import PostingForm
from .services import ledger, rating


def _can_post(user) -> bool:
    return bool(actor_for(user).vendor_roles & {"vendor_admin", "finance"})


def _recent_periods(n: int = 12) -> list[str]:
    today = timezone.localdate()
    y, m, out = today.year, today.month, []
    for _i in range(n):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return out


@login_required
def earnings_home(request: HttpRequest) -> HttpResponse:
    if actor_for(request.user).is_vendor_staff:
        return redirect("rewards-finance")
    org = identity_selectors.home_organisation(actor=request.user, preferred_id=request.session.get("organisation_id"))
    if org is None or org.kind != "partner":
        return redirect("home")
    return redirect("earnings", org_id=org.pk)


@login_required
def earnings(request: HttpRequest, org_id: int) -> HttpResponse:
    org = identity_selectors.organisation(actor=request.user, pk=org_id)
    form = PostingForm(request.POST or None)
    if request.method == "POST":
        ledger.require_finance(request.user)
        if form.is_valid():
            try:
                ledger.post_by_hand(actor=request.user, organisation=org, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Posted."))
                return redirect("earnings", org_id=org.pk)
    entries = Paginator(selectors.ledger_entries(actor=request.user, organisation=org), 20).get_page(
        request.GET.get("page"))  # fmt: skip
    months = selectors.earnings_by_month(actor=request.user, organisation=org)
    ctx = {
        "org": org, "balances": selectors.earnings_balances(actor=request.user, organisation=org),
        "months": months, "charts": _month_charts(months), "page": entries, "query": "",
        "periods": _recent_periods(), "form": form if _can_post(request.user) else None,
        "payouts": selectors_payouts.partner_payouts(actor=request.user, organisation=org)[:20],
    }  # fmt: skip
    return render(request, "rewards/earnings.html", ctx, status=422 if form.errors else 200)


@login_required
def statement(request: HttpRequest, org_id: int, period: str) -> HttpResponse:
    org = identity_selectors.organisation(actor=request.user, pk=org_id)
    lines = selectors.statement_lines(actor=request.user, organisation=org, period=period)
    page = Paginator(lines, 100).get_page(request.GET.get("page"))
    rows = selectors.statement_rows(page.object_list, period)
    tiers = tiers_of_versions((row["rating"].version_id, row["rating"].tier_code) for row in rows)
    for row in rows:  # the tier by its name, as the version the sale was rated under names it
        r = row["rating"]
        row["tier_name"] = str(tiers.get((r.version_id, r.tier_code), r.tier_code))
    ctx = {"org": org, "period": period, "page": page, "query": "", "rows": rows,
           "totals": selectors.statement_totals(actor=request.user, organisation=org, period=period),
           "others": selectors.statement_other_entries(actor=request.user, organisation=org,
                                                       period=period)}  # fmt: skip
    return render(request, "rewards/statement.html", ctx)


@login_required
def statement_csv(request: HttpRequest, org_id: int, period: str) -> HttpResponse:
    org = identity_selectors.organisation(actor=request.user, pk=org_id)
    return statement_csv_response(request.user, org, period)


@login_required
def finance(request: HttpRequest) -> HttpResponse:
    orgs = selectors.partner_balances(actor=request.user, currency=(request.GET.get("currency") or "").upper()[:3])
    page = Paginator(orgs, 50).get_page(request.GET.get("page"))
    by = selectors.balances_of(page.object_list)
    rows = [{"org": o, "balances": by.get(o.pk, [])} for o in page.object_list]
    issues = selectors.rating_issues(actor=request.user)
    ctx = {"page": page, "rows": rows, "issues": issues[:50], "issue_count": issues.count(), "query": "",
           "can_post": _can_post(request.user)}  # fmt: skip
    return render(request, "rewards/finance.html", ctx)


@login_required
@require_POST
def rate_now(request: HttpRequest) -> HttpResponse:
    if not _can_post(request.user):
        raise PermissionDenied
    run = rating.rate_pending(actor=request.user)
    messages.success(request, _("Rated %(rated)s sales; %(issues)s wait with a reason.")
                     % {"rated": run.rated, "issues": run.issues})  # fmt: skip
    return redirect("rewards-finance")


def _month_charts(months: list[dict]) -> list:
    """One chart of earnings by month per currency (oldest month first); the table keeps exact figures."""
    by_currency: dict[str, list[tuple[str, object]]] = {}
    for m in reversed(months):
        by_currency.setdefault(m["currency"], []).append((m["month"], max(m["amount"], 0)))
    return [
        bar_chart(
            key=f"earnings-{currency}",
            title=_("Earnings by month, %(currency)s") % {"currency": currency},
            points=points,
            fmt=lambda v, c=currency: money(v, c),
            label_heading=_("Month"),
            value_heading=_("Earned"),
        )
        for currency, points in sorted(by_currency.items())
    ]
