"""Pages of the development funds: the partner's Funds page and the vendor's funds console.
Parse → selector/service → template; a refused input re-renders its form with the service's field errors."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partnerhub.core.forms import add_service_errors
from partnerhub.core.pagination import Paginator
from partnerhub.core.tenancy import actor_for
from partnerhub.identity import selectors as identity_selectors
from partnerhub.identity.models import Organisation
from partnerhub.identity.roles import OrgKind
from partnerhub.programmes.selectors import names_in_force

from . import selectors, services
from .forms import AllowanceForm, ClaimForm, DecisionForm, GrantForm, GrantFromTiersForm, RequestForm
from .models import ActivityRequest, Claim
from .rules import can_decide, can_request

QUEUE = 50


@login_required
def funds_home(request: HttpRequest) -> HttpResponse:
    """The partner's Funds page: budgets with reserved, used and remaining; its requests and claims."""
    if actor_for(request.user).is_vendor_staff:
        return redirect("funds-console")
    org = identity_selectors.home_organisation(actor=request.user, preferred_id=request.session.get("organisation_id"))
    if org is None or org.kind != OrgKind.PARTNER:
        return redirect("home")
    budgets = Paginator(selectors.budgets(actor=request.user, organisation_id=org.pk), 20).get_page(
        request.GET.get("page")
    )
    ctx = {
        "org": org,
        "page": budgets,
        "query": "",
        "requests": selectors.requests(actor=request.user, organisation_id=org.pk)[:QUEUE],
        "claims": selectors.claims(actor=request.user, organisation_id=org.pk)[:QUEUE],
        "can_request": can_request(request.user, org.pk),
    }
    return render(request, "funds/home.html", ctx)


def _named(allowances: list) -> list:
    """Each allowance with its tier's name (in force today), never its code."""
    names = names_in_force(programme_ids={a.programme_id for a in allowances}, on=timezone.localdate())
    for a in allowances:
        a.tier_name = names.tier(a.programme_id, a.tier_code) or a.tier_code
    return allowances


def _console(request: HttpRequest, *, grant=None, allowance=None, status: int = 200) -> HttpResponse:
    if not actor_for(request.user).is_vendor_staff:
        raise PermissionDenied
    partners = Organisation.objects.visible_to(request.user).filter(kind=OrgKind.PARTNER)
    budgets = Paginator(selectors.budgets(actor=request.user, status=request.GET.get("status", "")[:8]), 25)
    ctx = {
        "page": budgets.get_page(request.GET.get("page")),
        "query": "",
        **_queue(request),
        "pending_claims": selectors.claims(actor=request.user, status=Claim.Status.PENDING)[:QUEUE],
        "allowances": _named(list(selectors.allowances(actor=request.user)[:100])),
        "grant_form": grant or GrantForm(partners=partners),
        "allowance_form": allowance or AllowanceForm(),
        "tiers_form": GrantFromTiersForm(),
    }
    return render(request, "funds/console.html", ctx, status=status)


@login_required
def console(request: HttpRequest) -> HttpResponse:
    return _console(request)


@login_required
@require_POST
def grant(request: HttpRequest) -> HttpResponse:
    partners = Organisation.objects.visible_to(request.user).filter(kind=OrgKind.PARTNER)
    form = GrantForm(request.POST, partners=partners)
    if form.is_valid():
        try:
            services.grant_by_hand(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Budget granted."))
            return redirect("funds-console")
    return _console(request, grant=form, status=422)


@login_required
@require_POST
def allowance(request: HttpRequest) -> HttpResponse:
    form = AllowanceForm(request.POST)
    if form.is_valid():
        try:
            services.set_allowance(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Allowance saved."))
            return redirect("funds-console")
    return _console(request, allowance=form, status=422)


@login_required
@require_POST
def grant_tiers(request: HttpRequest) -> HttpResponse:
    form = GrantFromTiersForm(request.POST)
    if not form.is_valid():
        return _console(request, status=422)
    created = services.grant_from_tiers(actor=request.user, period_kind=form.cleaned_data["period_kind"])
    messages.success(request, _("%(n)s budgets granted from tiers.") % {"n": len(created)})
    return redirect("funds-console")


@login_required
def request_new(request: HttpRequest, budget_id: int) -> HttpResponse:
    budget = selectors.budget(actor=request.user, pk=budget_id)
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            req = services.submit_request(actor=request.user, budget=budget, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Activity requested."))
            return redirect("funds-request-detail", request_id=req.pk)
    return render(request, "funds/request_new.html", {"budget": budget, "form": form},
                  status=422 if form.errors else 200)  # fmt: skip


def _detail(request: HttpRequest, req: ActivityRequest, *, claim_form=None, decision_form=None, claim_forms=None,
            status: int = 200) -> HttpResponse:  # fmt: skip
    claims = list(selectors.claims(actor=request.user).filter(request=req))
    deciding = can_decide(request.user)
    claim_forms = claim_forms or {}
    rows = [{"claim": c, "form": claim_forms.get(c.pk) or (DecisionForm() if deciding else None)} for c in claims]
    ctx = {
        "req": req,
        "budget": selectors.budget(actor=request.user, pk=req.budget_id),
        "claims": rows,
        "claim_form": claim_form or ClaimForm(),
        "decision_form": decision_form or DecisionForm(),
        "can_decide": deciding,
        "can_claim": can_request(request.user, req.organisation_id) and req.status == ActivityRequest.Status.APPROVED,
    }
    return render(request, "funds/request_detail.html", ctx, status=status)


@login_required
def request_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    return _detail(request, selectors.request(actor=request.user, pk=request_id))


@login_required
@require_POST
def request_decide(request: HttpRequest, request_id: int) -> HttpResponse:
    req = selectors.request(actor=request.user, pk=request_id)
    form = DecisionForm(request.POST)
    done = ""
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == "approve":
                services.approve_request(actor=request.user, request=req, reason=data["reason"])
            else:
                services.reject_request(actor=request.user, request=req, reason=data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            done = _("Decision recorded.")
            if not request.htmx:
                messages.success(request, done)
                return redirect("funds-request-detail", request_id=req.pk)
    if request.htmx:  # the console's queue, redrawn in place (errors beside the request they concern)
        errors = {req.pk: [e for errs in form.errors.values() for e in errs]} if form.errors else {}
        return render(request, "funds/_request_queue.html", _queue(request) | {"errors": errors, "done": done})
    return _detail(request, req, decision_form=form, status=422)


def _queue(request: HttpRequest) -> dict:
    return {
        "pending_requests": selectors.requests(actor=request.user, status=ActivityRequest.Status.PENDING)[:QUEUE],
        "can_decide": can_decide(request.user),
    }


@login_required
@require_POST
def claim_new(request: HttpRequest, request_id: int) -> HttpResponse:
    req = selectors.request(actor=request.user, pk=request_id)
    form = ClaimForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.submit_claim(actor=request.user, request=req, actual_cost=data["actual_cost"],
                                  note=data["note"], files=request.FILES.getlist("files"))  # fmt: skip
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Claim submitted."))
            return redirect("funds-request-detail", request_id=req.pk)
    return _detail(request, req, claim_form=form, status=422)


@login_required
@require_POST
def claim_decide(request: HttpRequest, claim_id: int) -> HttpResponse:
    claim = selectors.claim(actor=request.user, pk=claim_id)
    form = DecisionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == "approve":
                services.approve_claim(actor=request.user, claim=claim, amount=data["amount"], reason=data["reason"])
            else:
                services.reject_claim(actor=request.user, claim=claim, reason=data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Decision recorded."))
            return redirect("funds-request-detail", request_id=claim.request_id)
    return _detail(request, claim.request, claim_forms={claim.pk: form}, status=422)


@login_required
def proof_file(request: HttpRequest, file_id: int) -> HttpResponse:
    f = selectors.proof_file(actor=request.user, pk=file_id)
    try:
        handle = f.file.open("rb")
    except FileNotFoundError as exc:  # the row outlived its file (restored database, moved storage)
        raise Http404 from exc
    return FileResponse(handle, as_attachment=True, filename=f.name)
