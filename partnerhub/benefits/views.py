"""Pages of tier benefits: the partner's Benefits page (what my tier gives, used and remaining, request) and the
vendor's console (requests to decide and fulfil). Parse → selector/service → template."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partnerhub.core.forms import add_service_errors
from partnerhub.core.pagination import Paginator
from partnerhub.identity import selectors as identity_selectors
from partnerhub.identity.roles import OrgKind

from . import selectors, services
from .entitlements import can_decide, can_request
from .forms import DecisionForm, FilterForm, FulfilForm, RequestForm
from .models import BenefitRequest

PAGE = 25


@login_required
def benefits_home(request: HttpRequest) -> HttpResponse:
    """What my tier gives this year (used, remaining), a request form, and my requests."""
    if can_decide(request.user):
        return redirect("benefits-console")
    org = identity_selectors.home_organisation(actor=request.user, preferred_id=request.session.get("organisation_id"))
    if org is None or org.kind != OrgKind.PARTNER:
        return redirect("home")
    ents = selectors.organisation_entitlements(actor=request.user, organisation_id=org.pk)
    form = RequestForm(request.POST or None, entitlements=ents)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.submit_request(actor=request.user, organisation=org, **form.service_args())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Benefit requested."))
                return redirect("benefits-home")
        status = 422
    page = Paginator(selectors.requests(actor=request.user, organisation_id=org.pk), PAGE).get_page(
        request.GET.get("page")
    )
    ctx = {"org": org, "entitlements": ents, "form": form, "page": page, "query": "",
           "can_request": can_request(request.user, org.pk)}  # fmt: skip
    return render(request, "benefits/home.html", ctx, status=status)


@login_required
def console(request: HttpRequest) -> HttpResponse:
    if not can_decide(request.user):
        raise PermissionDenied
    form = FilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    qs = selectors.requests(actor=request.user, status=data.get("status", ""), kind=data.get("kind", ""))
    query = urlencode({k: v for k, v in request.GET.items() if k != "page" and v})
    ctx = {"page": Paginator(qs, PAGE).get_page(request.GET.get("page")), "query": query, "filter_form": form,
           "show_partner": True}  # fmt: skip
    return render(request, "benefits/console.html", ctx)


def _detail(request: HttpRequest, req: BenefitRequest, *, decision=None, fulfilment=None, status: int = 200):
    ctx = {
        "req": req,
        "can_decide": can_decide(request.user),
        "decision_form": decision or DecisionForm(),
        "fulfil_form": fulfilment or FulfilForm(),
    }
    return render(request, "benefits/detail.html", ctx, status=status)


@login_required
def detail(request: HttpRequest, request_id: int) -> HttpResponse:
    return _detail(request, selectors.request(actor=request.user, pk=request_id))


@login_required
@require_POST
def decide(request: HttpRequest, request_id: int) -> HttpResponse:
    req = selectors.request(actor=request.user, pk=request_id)
    form = DecisionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == "approve":
                services.approve(actor=request.user, request=req, reason=data["reason"])
            else:
                services.reject(actor=request.user, request=req, reason=data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Decision recorded."))
            return redirect("benefits-detail", request_id=req.pk)
    return _detail(request, req, decision=form, status=422)


@login_required
@require_POST
def fulfil(request: HttpRequest, request_id: int) -> HttpResponse:
    req = selectors.request(actor=request.user, pk=request_id)
    form = FulfilForm(request.POST)
    if form.is_valid():
        try:
            services.fulfil(actor=request.user, request=req, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Benefit delivered."))
            return redirect("benefits-detail", request_id=req.pk)
    return _detail(request, req, fulfilment=form, status=422)
