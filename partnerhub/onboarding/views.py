"""Pages of partner onboarding and the public partner catalogue: thin over selectors and services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partnerhub.core.forms import add_service_errors
from partnerhub.core.middleware import client_ip
from partnerhub.core.pagination import Paginator
from partnerhub.core.tenancy import actor_for
from partnerhub.identity import selectors as identity_selectors
from partnerhub.identity.roles import OrgKind
from partnerhub.partners.models import Application
from partnerhub.programmes.models import ProductFamily, Programme
from partnerhub.programmes.selectors import names_in_force

from . import selectors
from . import services as onboarding
from .forms import (
    AcceptTermsForm,
    ApplicationFilterForm,
    ApplicationForm,
    ApproveForm,
    ContractUploadForm,
    ProfileForm,
    RejectForm,
)

# ---------------------------------------------------------------------------- public: applying


def become_partner_index(request: HttpRequest) -> HttpResponse:
    return render(request, "partners/onboarding/apply_index.html", {"programmes": selectors.open_programmes()})


def become_partner(request: HttpRequest, code: str) -> HttpResponse:
    programme, version = selectors.programme_for_application(code=code)
    roles = list(version.roles.all())
    form = ApplicationForm(request.POST or None, roles=roles)
    status = 200
    if request.method == "POST" and form.is_valid():
        if form.is_robot():
            return redirect("become-partner-sent", code=programme.code)  # tell a robot nothing
        try:
            onboarding.application_submit(programme=programme, ip=client_ip(request), **form.service_kwargs())
        except ValidationError as exc:
            add_service_errors(form, exc)
        except onboarding.TooManyApplications as exc:
            form.add_error(None, exc.detail)
            status = 429
        else:
            return redirect("become-partner-sent", code=programme.code)
    ctx = {"programme": programme, "version": version, "roles": roles, "tiers": list(version.tiers.all()), "form": form}
    return render(request, "partners/onboarding/apply.html", ctx, status=status)


def become_partner_sent(request: HttpRequest, code: str) -> HttpResponse:
    programme = Programme.objects.filter(code=code).first()
    if programme is None:
        raise Http404
    return render(request, "partners/onboarding/apply_sent.html", {"programme": programme})


# ---------------------------------------------------------------------------- vendor: review queue


@login_required
def application_list(request: HttpRequest) -> HttpResponse:
    form = ApplicationFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.applications(actor=request.user, status=filters.get("status", ""), search=filters.get("q", ""))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    names = names_in_force(programme_ids={a.programme_id for a in page}, on=timezone.localdate())
    for a in page:
        a.role_name = names.role(a.programme_id, a.role_code)
    query = request.GET.copy()
    query.pop("page", None)
    ctx = {"form": form, "page": page, "query": query.urlencode()}
    return render(request, "partners/onboarding/application_list.html", ctx)


def _detail(request: HttpRequest, app: Application, approve_form=None, reject_form=None, status: int = 200):
    version, role = selectors.role_of(app)
    tiers = list(version.tiers.all()) if version is not None else []
    can_decide = app.status == Application.Status.SUBMITTED and onboarding.is_decider(request.user)
    if can_decide and approve_form is None:
        approve_form = ApproveForm(
            managers=selectors.partner_managers(), tiers=tiers, has_tiers=bool(role and role.has_tiers)
        )
    ctx = {
        "app": app,
        "role": role,
        "version": version,
        "same_inn": selectors.organisations_with_same_inn(actor=request.user, application=app),
        "can_decide": can_decide,
        "is_vendor": actor_for(request.user).is_vendor_staff,
        "approve_form": approve_form,
        "reject_form": reject_form or (RejectForm() if can_decide else None),
    }
    return render(request, "partners/onboarding/application_detail.html", ctx, status=status)


@login_required
def application_detail(request: HttpRequest, application_id: int) -> HttpResponse:
    app = selectors.application(actor=request.user, pk=application_id)
    return _detail(request, app)


@login_required
@require_POST
def application_approve(request: HttpRequest, application_id: int) -> HttpResponse:
    app = selectors.application(actor=request.user, pk=application_id)
    version, role = selectors.role_of(app)
    form = ApproveForm(
        request.POST, managers=selectors.partner_managers(), tiers=list(version.tiers.all()) if version else [],
        has_tiers=bool(role and role.has_tiers),
    )  # fmt: skip
    if form.is_valid():
        try:
            onboarding.application_approve(actor=request.user, application=app, **form.service_kwargs())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("Application approved: %(company)s is a partner now; its contact is invited.")
                % {"company": app.company_name},
            )  # fmt: skip
            return redirect("onboarding-application-detail", application_id=app.pk)
    return _detail(request, selectors.application(actor=request.user, pk=app.pk), approve_form=form)


@login_required
@require_POST
def application_reject(request: HttpRequest, application_id: int) -> HttpResponse:
    app = selectors.application(actor=request.user, pk=application_id)
    form = RejectForm(request.POST)
    if form.is_valid():
        try:
            onboarding.application_reject(actor=request.user, application=app, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Application rejected; the applicant is told why."))
            return redirect("onboarding-application-detail", application_id=app.pk)
    return _detail(request, selectors.application(actor=request.user, pk=app.pk), reject_form=form)


@login_required
def application_contract(request: HttpRequest, application_id: int) -> HttpResponse:
    app = selectors.application(actor=request.user, pk=application_id)
    if not app.contract_file:
        raise Http404
    return FileResponse(
        app.contract_file.open("rb"), as_attachment=True, filename=f"contract-{app.pk}.pdf",
        content_type="application/pdf",
    )  # fmt: skip


# ---------------------------------------------------------------------------- partner: checklist


def _partner_org(request: HttpRequest):
    org = identity_selectors.home_organisation(actor=request.user, preferred_id=request.session.get("organisation_id"))
    if org is None or org.kind != OrgKind.PARTNER:
        raise Http404(_("Onboarding is for partner organisations."))
    return org


@login_required
def checklist(request: HttpRequest) -> HttpResponse:
    if actor_for(request.user).is_vendor_staff:
        return redirect("onboarding-application-list")
    org = _partner_org(request)
    return render(
        request, "partners/onboarding/checklist.html",
        {"org": org, "checklist": selectors.checklist(actor=request.user, organisation=org)},
    )  # fmt: skip


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    org = _partner_org(request)
    current = selectors.profile(actor=request.user, organisation=org)
    initial = {
        "description": current.description if current else "",
        "competences": current.competences if current else [],
        "regions": current.regions if current else [],
        "product_families": current.product_families if current else [],
        "listed_in_catalogue": current.listed_in_catalogue if current else False,
    }
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            onboarding.profile_update(actor=request.user, organisation=org, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Profile saved."))
            return redirect("onboarding")
    return render(request, "partners/onboarding/profile.html", {"org": org, "form": form})


def _contract_page(request, org, accept_form=None, upload_form=None) -> HttpResponse:
    c = selectors.checklist(actor=request.user, organisation=org)
    if c is None:
        raise Http404(_("Your organisation has no onboarding in progress."))
    ctx = {
        "org": org, "checklist": c, "accept_form": accept_form or AcceptTermsForm(),
        "upload_form": upload_form or ContractUploadForm(),
    }  # fmt: skip
    return render(request, "partners/onboarding/contract.html", ctx)


@login_required
def contract(request: HttpRequest) -> HttpResponse:
    return _contract_page(request, _partner_org(request))


@login_required
@require_POST
def contract_accept(request: HttpRequest) -> HttpResponse:
    org = _partner_org(request)
    form = AcceptTermsForm(request.POST)
    if form.is_valid():
        try:
            onboarding.contract_accept_terms(actor=request.user, organisation=org, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Terms accepted: your organisation is an active partner now."))
            return redirect("onboarding")
    return _contract_page(request, org, accept_form=form)


@login_required
@require_POST
def contract_upload(request: HttpRequest) -> HttpResponse:
    org = _partner_org(request)
    form = ContractUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            onboarding.contract_upload(actor=request.user, organisation=org, file=form.cleaned_data["file"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Contract received: your organisation is an active partner now."))
            return redirect("onboarding")
    return _contract_page(request, org, upload_form=form)


# ---------------------------------------------------------------------------- public catalogue


def catalogue(request: HttpRequest) -> HttpResponse:
    filters = {
        k: request.GET.get(k, "").strip()
        for k in ("region", "city", "competence", "product_family", "programme", "tier")
    }
    entries = selectors.catalogue(**filters)
    page = Paginator(entries, 30).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    ctx = {"page": page, "filters": filters, "facets": selectors.catalogue_facets(), "query": query.urlencode()}
    return render(request, "partners/catalogue/list.html", ctx)


def catalogue_partner(request: HttpRequest, org_id: int) -> HttpResponse:
    entry = selectors.catalogue_entry(org_id=org_id)
    families = [str(f) for f in ProductFamily.objects.filter(code__in=entry.product_families)]
    return render(request, "partners/catalogue/detail.html", {"entry": entry, "families": families})
