"""Pages of the finance console for closing periods and paying rewards, and the statement PDF."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partnerhub.core.forms import add_service_errors
from partnerhub.core.pagination import Paginator
from partnerhub.core.problems import Problem
from partnerhub.identity import selectors as identity_selectors

from . import periods, selectors_payouts
from .api_settlement import preview_of, run_export, statement_pdf_response
from .forms import PayoutRunForm
from .services import payouts, settlement


@login_required
def period_list(request: HttpRequest) -> HttpResponse:
    selectors_payouts.require_finance_reader(request.user)
    return render(request, "rewards/periods.html", {"periods": settlement.period_list()})


@login_required
def period_preview(request: HttpRequest, period: str) -> HttpResponse:
    selectors_payouts.require_finance_reader(request.user)
    month = periods.parse_month(period)
    return render(request, "rewards/period_preview.html", {"preview": preview_of(month), "period": period})


@login_required
@require_POST
def period_close(request: HttpRequest, period: str) -> HttpResponse:
    selectors_payouts.require_finance_reader(request.user)
    month = periods.parse_month(period)
    try:
        settlement.close_period(actor=request.user, month=month)
    except ValidationError as exc:
        messages.error(request, " ".join(m for ms in exc.message_dict.values() for m in ms))
        return redirect("rewards-period-preview", period=period)
    messages.success(request, _("%(period)s is closed; the statements are ready.") % {"period": period})
    return redirect("rewards-periods")


@login_required
def payout_runs(request: HttpRequest) -> HttpResponse:
    runs = selectors_payouts.payout_runs(actor=request.user)
    form = PayoutRunForm(request.POST or None)
    if request.method == "POST":
        selectors_payouts.require_finance_reader(request.user)
        if form.is_valid():
            try:
                run = payouts.prepare_run(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Run prepared: another finance user approves it."))
                return redirect("rewards-payout-run", run_id=run.pk)
    page = Paginator(runs, 50).get_page(request.GET.get("page"))
    ctx = {"page": page, "form": form if selectors_payouts.is_finance(request.user) else None, "query": ""}
    return render(request, "rewards/payout_runs.html", ctx, status=422 if form.errors else 200)


@login_required
def payout_run(request: HttpRequest, run_id: int) -> HttpResponse:
    run = selectors_payouts.payout_run(actor=request.user, pk=run_id)
    items = Paginator(selectors_payouts.run_items(actor=request.user, run=run), 100).get_page(request.GET.get("page"))
    ctx = {"run": run, "page": items, "query": "", "can_act": selectors_payouts.is_finance(request.user),
           "four_eyes": run.prepared_by_id == request.user.pk}  # fmt: skip
    return render(request, "rewards/payout_run.html", ctx)


def _act(request: HttpRequest, run_id: int, action, done: str) -> HttpResponse:
    run = selectors_payouts.payout_run(actor=request.user, pk=run_id)
    selectors_payouts.require_finance_reader(request.user)
    try:
        action(actor=request.user, run=run)
    except Problem as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, done)
    return redirect("rewards-payout-run", run_id=run.pk)


@login_required
@require_POST
def payout_run_approve(request: HttpRequest, run_id: int) -> HttpResponse:
    return _act(request, run_id, payouts.approve_run, _("Run approved."))


@login_required
@require_POST
def payout_run_pay(request: HttpRequest, run_id: int) -> HttpResponse:
    return _act(request, run_id, payouts.mark_paid, _("Run marked paid; the payouts are posted."))


@login_required
@require_POST
def payout_run_cancel(request: HttpRequest, run_id: int) -> HttpResponse:
    run = selectors_payouts.payout_run(actor=request.user, pk=run_id)
    selectors_payouts.require_finance_reader(request.user)
    try:
        payouts.cancel_run(actor=request.user, run=run, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except Problem as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Run cancelled; its partners may go into a new run."))
    return redirect("rewards-payout-run", run_id=run.pk)


@login_required
def payout_run_csv(request: HttpRequest, run_id: int) -> HttpResponse:
    return _export(request, run_id, "csv")


@login_required
def payout_run_1c(request: HttpRequest, run_id: int) -> HttpResponse:
    return _export(request, run_id, "1c")


def _export(request: HttpRequest, run_id: int, kind: str) -> HttpResponse:
    try:
        return run_export(request.user, run_id, kind)
    except (Problem, ValidationError) as exc:
        messages.error(request, exc.detail if isinstance(exc, Problem) else " ".join(exc.messages))
        return redirect("rewards-payout-run", run_id=run_id)


@login_required
def statement_pdf(request: HttpRequest, org_id: int, period: str) -> HttpResponse:
    org = identity_selectors.organisation(actor=request.user, pk=org_id)
    return statement_pdf_response(request.user, org, period)
