"""Pages of the content library: the partner's Library, downloads, co-branded PDFs, contributions; the console."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partnerhub.core.forms import add_service_errors
from partnerhub.core.pagination import Paginator
from partnerhub.core.problems import Problem
from partnerhub.core.tenancy import actor_for
from partnerhub.identity import selectors as identity_selectors

from . import downloads, selectors, services
from .forms import ContributionForm, LogoForm, MaterialForm, NewMaterialForm, ReviewForm, SearchForm, VersionForm


def _home_org(request):
    return identity_selectors.home_organisation(actor=request.user, preferred_id=request.session.get("organisation_id"))


@login_required
def library(request: HttpRequest) -> HttpResponse:
    org = _home_org(request)
    search = SearchForm(request.GET or None)
    filters = search.cleaned_data if search.is_valid() else {}
    qs = selectors.materials(actor=request.user, q=filters.get("q", ""), kind=filters.get("kind", ""),
                             tag=filters.get("tag", ""))  # fmt: skip
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    partner = org is not None and org.kind == "partner"
    contribution_form = ContributionForm(request.POST or None, request.FILES or None) if partner else None
    if partner and request.method == "POST" and contribution_form.is_valid():
        try:
            services.contribution_submit(actor=request.user, organisation=org, **contribution_form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(contribution_form, exc)
        else:
            messages.success(request, _("Thank you: the vendor will review your contribution."))
            return redirect("library")
    allowed, reason = services.cobranding_check(organisation=org) if partner else (False, "")
    ctx = {
        "org": org, "partner": partner, "search": search, "page": page,
        "query": urlencode({k: v for k, v in filters.items() if v}),
        "templates": selectors.templates(actor=request.user)[:20] if partner else [],
        "cobranding_allowed": allowed, "cobranding_reason": reason, "logo_form": LogoForm(),
        "contributions": selectors.contributions(actor=request.user, organisation_id=org.pk)[:20] if partner else [],
        "contribution_form": contribution_form,
    }  # fmt: skip
    return render(request, "library/library.html", ctx, status=422 if request.method == "POST" else 200)


@login_required
def material_page(request: HttpRequest, material_id: int) -> HttpResponse:
    material = selectors.material(actor=request.user, pk=material_id)
    ctx = {"material": material, "versions": selectors.versions(material=material)[:50]}
    return render(request, "library/material.html", ctx)


@login_required
def download(request: HttpRequest, material_id: int) -> HttpResponse:
    material = selectors.material(actor=request.user, pk=material_id)
    raw = request.GET.get("version", "")
    version = selectors.version(material=material, number=int(raw)) if raw.isdigit() and len(raw) < 9 else None
    version = services.record_download(actor=request.user, material=material, version=version)
    return downloads.file_response(version.file, stem=material.title)


@login_required
@require_POST
def cobrand(request: HttpRequest, material_id: int) -> HttpResponse:
    material = selectors.material(actor=request.user, pk=material_id)
    org = _home_org(request)
    if org is None:
        return redirect("library")
    try:
        pdf = services.cobranded_pdf(actor=request.user, material=material, organisation=org)
    except Problem as exc:
        messages.error(request, exc.detail)
        return redirect("library")
    return downloads.pdf_response(pdf, material)


@login_required
@require_POST
def logo(request: HttpRequest) -> HttpResponse:
    org = _home_org(request)
    form = LogoForm(request.POST, request.FILES)
    if org is None or not form.is_valid():
        messages.error(request, _("Choose a file."))
        return redirect("library")
    try:
        services.logo_set(actor=request.user, organisation=org, file=form.cleaned_data["logo"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Logo saved."))
    return redirect("library")


@login_required
def contribution_page(request: HttpRequest, contribution_id: int) -> HttpResponse:
    c = selectors.contribution(actor=request.user, pk=contribution_id)
    reviewer = actor_for(request.user).is_vendor_admin
    form = ReviewForm(request.POST or None) if reviewer else None
    if reviewer and request.method == "POST" and form.is_valid():
        try:
            services.contribution_review(actor=request.user, contribution=c, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except Problem as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(request, _("Decision recorded."))
            return redirect("library-contribution", contribution_id=c.pk)
    return render(request, "library/contribution.html", {"c": c, "form": form})


@login_required
def contribution_file(request: HttpRequest, contribution_id: int) -> HttpResponse:
    c = selectors.contribution(actor=request.user, pk=contribution_id)
    return downloads.file_response(c.file, stem=c.title)


# ------------------------------------------------------------------ the vendor's console


def _material_values(data: dict) -> dict:
    return {k: v for k, v in data.items() if k not in ("file", "note")}


@login_required
def console(request: HttpRequest) -> HttpResponse:
    services.require_librarian(request.user)
    form = NewMaterialForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            material = services.material_create(actor=request.user, file=data["file"], note=data["note"],
                                                **_material_values(data))  # fmt: skip
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Material added."))
            return redirect("library-console-material", material_id=material.pk)
    page = Paginator(selectors.materials(actor=request.user), 50).get_page(request.GET.get("page"))
    queue = selectors.contributions(actor=request.user).filter(status__in=["submitted", "reviewed"])[:50]
    return render(request, "library/console.html", {"page": page, "form": form, "queue": queue})


def _initial(material) -> dict:
    data = {f: getattr(material, f) for f in ("kind", "title", "description", "template", "is_published")}
    for name in ("tags", "roles", "tiers"):
        data[name] = ", ".join(material.codes(getattr(material, name)))
    data["programme_code"] = material.programme.code if material.programme else ""
    return data


@login_required
def console_material(request: HttpRequest, material_id: int) -> HttpResponse:
    material = selectors.material(actor=request.user, pk=material_id)
    services.require_librarian(request.user)
    action = request.POST.get("action") if request.method == "POST" else None
    form = MaterialForm(request.POST if action == "save" else None, initial=_initial(material))
    version_form = VersionForm(request.POST if action == "version" else None,
                               request.FILES if action == "version" else None)  # fmt: skip
    try:
        if action == "save" and form.is_valid():
            services.material_update(actor=request.user, material=material, **form.cleaned_data)
            messages.success(request, _("Saved."))
            return redirect("library-console-material", material_id=material.pk)
        if action == "version" and version_form.is_valid():
            services.version_add(actor=request.user, material=material, **version_form.cleaned_data)
            messages.success(request, _("New version added."))
            return redirect("library-console-material", material_id=material.pk)
    except ValidationError as exc:
        add_service_errors(version_form if action == "version" else form, exc)
    ctx = {"material": material, "form": form, "version_form": version_form,
           "versions": selectors.versions(material=material)[:50]}  # fmt: skip
    return render(request, "library/console_material.html", ctx)
