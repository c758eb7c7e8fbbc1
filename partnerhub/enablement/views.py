from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partnerhub.core.forms import add_service_errors
from partnerhub.identity import selectors as identity_selectors
from partnerhub.identity.roles import Perm
from partnerhub.identity.services import has_perm, require_perm

from . import selectors, services
from .forms import CertificationForm, SpecialistForm


@login_required
def my_specialists(request: HttpRequest) -> HttpResponse:
    org = identity_selectors.home_organisation(actor=request.user, preferred_id=request.session.get("organisation_id"))
    if org is None:
        return redirect("home")
    return redirect("specialist-list", org_id=org.pk)


@login_required
def specialist_list(request: HttpRequest, org_id: int) -> HttpResponse:
    org = identity_selectors.organisation(actor=request.user, pk=org_id)
    can_edit = has_perm(actor=request.user, perm=Perm.ORG_CHANGE, organisation=org)
    form = SpecialistForm(request.POST or None)
    if request.method == "POST" and can_edit and form.is_valid():
        try:
            services.specialist_create(actor=request.user, organisation=org, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Specialist added."))
            return redirect("specialist-list", org_id=org.pk)
    elif request.method == "POST":
        require_perm(actor=request.user, perm=Perm.ORG_CHANGE, organisation=org)  # 403 for a too-small role
    ctx = {
        "org": org, "can_edit": can_edit, "form": form,
        "specialists": selectors.specialists(actor=request.user, organisation=org, include_inactive=True),
    }  # fmt: skip
    return render(request, "enablement/specialists.html", ctx)


@login_required
def specialist_detail(request: HttpRequest, specialist_id: int) -> HttpResponse:
    s = selectors.specialist(actor=request.user, pk=specialist_id)
    can_edit = has_perm(actor=request.user, perm=Perm.ORG_CHANGE, organisation=s.organisation)
    form = CertificationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.certification_add(actor=request.user, specialist=s, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Certification added."))
            return redirect("specialist-detail", specialist_id=s.pk)
    certs = s.certifications.select_related("type").all()
    learning = {"enrolments": s.enrolments.select_related("course").annotate(done=Count("progress")),
                "attempts": s.attempts.select_related("exam").order_by("-started_at")[:20]}  # fmt: skip
    can_revoke = has_perm(actor=request.user, perm=Perm.PROGRAMMES_MANAGE, organisation=s.organisation)
    ctx = {"s": s, "certs": certs, "form": form, "can_edit": can_edit, "can_revoke": can_revoke, **learning}
    return render(request, "enablement/specialist_detail.html", ctx)


@login_required
@require_POST
def specialist_toggle(request: HttpRequest, specialist_id: int) -> HttpResponse:
    s = selectors.specialist(actor=request.user, pk=specialist_id)
    services.specialist_update(actor=request.user, specialist=s, is_active=not s.is_active)
    messages.success(request, _("Saved."))
    return redirect("specialist-list", org_id=s.organisation_id)


@login_required
@require_POST
def certification_remove(request: HttpRequest, certification_id: int) -> HttpResponse:
    c = selectors.certification(actor=request.user, pk=certification_id)
    services.certification_remove(actor=request.user, certification=c)
    messages.success(request, _("Certification removed."))
    return redirect("specialist-detail", specialist_id=c.specialist_id)
