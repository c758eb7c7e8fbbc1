"""Pages of vendor admission: apply, the applications, scoring and the decision, the scorecard."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from partnerhub.core.forms import add_service_errors
from partnerhub.core.pagination import Paginator
from partnerhub.core.tenancy import actor_for
from partnerhub.identity import selectors as identity_selectors
from partnerhub.identity.roles import OrgKind, Perm
from partnerhub.identity.services import has_perm

from .. import selectors, services
from ..forms import ApplicationForm, CriterionForm, DecisionForm, ScoreForm
from ..services.access import require_vendor_perm


def home_org(request: HttpRequest):
    return identity_selectors.home_organisation(actor=request.user, preferred_id=request.session.get("organisation_id"))


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The marketplace for the signed-in organisation: a vendor's applications and listings, or staff queues."""
    org = home_org(request)
    if actor_for(request.user).is_vendor_staff:
        ctx = {"staff": True, "open_applications": selectors.applications(actor=request.user, status="submitted")[:20]}
        return render(request, "marketplace/home.html", ctx)
    if org is None or org.kind != OrgKind.PARTNER:
        return redirect("store-list")
    apps = selectors.applications(actor=request.user).filter(organisation=org)[:10]
    ctx = {"org": org, "applications": apps, "admitted": services.admission.is_admitted(org.pk),
           "listings": selectors.listings(actor=request.user, organisation=org)[:50],
           "can_sell": has_perm(actor=request.user, perm=Perm.MARKETPLACE_SELL, organisation=org)}  # fmt: skip
    return render(request, "marketplace/home.html", ctx)


@login_required
def apply(request: HttpRequest) -> HttpResponse:
    org = home_org(request)
    if org is None or org.kind != OrgKind.PARTNER:
        return redirect("marketplace-home")
    form = ApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.vendor_apply(actor=request.user, organisation=org, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Application sent. The vendor's experts will assess it."))
            return redirect("marketplace-application", application_id=application.pk)
    return render(request, "marketplace/apply.html", {"form": form, "org": org})


@login_required
def application_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    qs = selectors.applications(actor=request.user, status=status if status in ("submitted", "admitted",
                                                                                 "declined") else "")  # fmt: skip
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    ctx = {"page": page, "status": status, "query": f"status={status}" if status else ""}
    return render(request, "marketplace/applications.html", ctx)


@login_required
def application_detail(request: HttpRequest, application_id: int) -> HttpResponse:
    application = selectors.application(actor=request.user, pk=application_id)
    criteria = list(selectors.criteria(active_only=True))
    can_assess = has_perm(actor=request.user, perm=Perm.MARKETPLACE_ASSESS, organisation=application.organisation)
    score_form = ScoreForm(criteria=criteria, language=get_language())
    decision_form = DecisionForm()
    if request.method == "POST":
        action = request.POST.get("action")
        form = ScoreForm(request.POST, criteria=criteria, language=get_language()) if action == "score" else (
            DecisionForm(request.POST))  # fmt: skip
        if form.is_valid():
            try:
                if action == "score":
                    services.application_score(actor=request.user, application=application, **form.cleaned_data)
                else:
                    services.application_decide(actor=request.user, application=application, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("marketplace-application", application_id=application.pk)
        score_form, decision_form = (form, decision_form) if action == "score" else (score_form, form)
    rows, total, missing = services.admission.scorecard(application)
    ctx = {"a": application, "can_assess": can_assess, "score_form": score_form, "decision_form": decision_form,
           "scores": selectors.scores(actor=request.user, application=application),
           "rows": application.scorecard or rows, "total": application.total_score or total,
           "missing": missing}  # fmt: skip
    return render(request, "marketplace/application_detail.html", ctx)


@login_required
def criteria(request: HttpRequest) -> HttpResponse:
    vendor = require_vendor_perm(actor=request.user, perm=Perm.MARKETPLACE_ASSESS)
    form = CriterionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.criterion_save(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("marketplace-criteria")
    can_edit = has_perm(actor=request.user, perm=Perm.STOREFRONTS_MANAGE, organisation=vendor)
    return render(request, "marketplace/criteria.html",
                  {"form": form, "criteria": selectors.criteria(), "can_edit": can_edit})  # fmt: skip
