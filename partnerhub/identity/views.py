"""Server-rendered pages of the identity context: thin over selectors and services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partnerhub.core.forms import add_service_errors
from partnerhub.core.pagination import Paginator

from . import selectors, services
from .forms import AcceptInvitationForm, InvitationForm, LoginForm, OrganisationForm, RoleForm, TokenForm
from .roles import OrgKind, Perm


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "identity/login.html"
    redirect_authenticated_user = True


def _current_org(request: HttpRequest):
    org = selectors.home_organisation(actor=request.user, preferred_id=request.session.get("organisation_id"))
    if org is None:
        raise Http404(_("You are not a member of any organisation."))
    return org


@login_required
@require_POST
def switch_organisation(request: HttpRequest) -> HttpResponse:
    try:
        org = selectors.organisation(actor=request.user, pk=int(request.POST.get("organisation_id", "0")))
    except ValueError as exc:
        raise Http404 from exc
    request.session["organisation_id"] = org.pk
    return redirect("home")


# ---------------------------------------------------------------- organisations


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    search = request.GET.get("q", "").strip()
    qs = selectors.organisations(actor=request.user, kind=kind if kind in OrgKind.values else None, search=search)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    vendor = services.vendor_organisation()
    can_create = vendor is not None and services.has_perm(actor=request.user, perm=Perm.ORG_CREATE, organisation=vendor)
    ctx = {"page": page, "kind": kind, "q": search, "kinds": OrgKind.choices, "can_create": can_create}
    return render(request, "identity/organisation_list.html", ctx)


@login_required
def organisation_pick(request: HttpRequest) -> HttpResponse:
    """The partner picker's matches (identity/picker.py): only partners the user may see, at most a page."""
    from .picker import picks_response

    return picks_response(request, actor=request.user)


@login_required
def my_organisation(request: HttpRequest) -> HttpResponse:
    return redirect("organisation-detail", org_id=_current_org(request).pk)


@login_required
def my_members(request: HttpRequest) -> HttpResponse:
    return redirect("organisation-members", org_id=_current_org(request).pk)


@login_required
def organisation_detail(request: HttpRequest, org_id: int) -> HttpResponse:
    org = selectors.organisation(actor=request.user, pk=org_id)
    can_edit = services.has_perm(actor=request.user, perm=Perm.ORG_CHANGE, organisation=org)
    return render(request, "identity/organisation_detail.html", {"org": org, "can_edit": can_edit})


@login_required
def organisation_create(request: HttpRequest) -> HttpResponse:
    vendor = services.vendor_organisation()
    if vendor is None or not services.has_perm(actor=request.user, perm=Perm.ORG_CREATE, organisation=vendor):
        raise PermissionDenied(_("Only vendor administrators create organisations."))
    form = OrganisationForm(request.POST or None, creating=True, can_assign_manager=True)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        kind = data.pop("kind")
        name = data.pop("name")
        try:
            org = services.organisation_create(actor=request.user, kind=kind, name=name, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Organisation %(name)s created.") % {"name": org.name})
            return redirect("organisation-detail", org_id=org.pk)
    return render(request, "identity/organisation_form.html", {"form": form, "creating": True})


@login_required
def organisation_edit(request: HttpRequest, org_id: int) -> HttpResponse:
    org = selectors.organisation(actor=request.user, pk=org_id)
    services.require_perm(actor=request.user, perm=Perm.ORG_CHANGE, organisation=org)
    can_assign = services.has_perm(actor=request.user, perm=Perm.ORG_ASSIGN_MANAGER, organisation=org) and (
        org.kind != OrgKind.VENDOR
    )
    initial = {name: getattr(org, name) for name in services.ORG_EDITABLE_FIELDS}
    initial["partner_manager"] = org.partner_manager_id
    form = OrganisationForm(request.POST or None, initial=initial, can_assign_manager=can_assign)
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update(actor=request.user, organisation=org, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("organisation-detail", org_id=org.pk)
    return render(request, "identity/organisation_form.html", {"form": form, "org": org, "creating": False})


# ---------------------------------------------------------------- members and invitations


def _members_context(request: HttpRequest, org, invite_form=None) -> dict:
    can_manage = services.has_perm(actor=request.user, perm=Perm.MEMBERS_MANAGE, organisation=org)
    return {
        "org": org,
        "members": selectors.members(actor=request.user, organisation=org),
        "invitations": selectors.invitations(actor=request.user, organisation=org, status="pending")
        if can_manage
        else [],
        "can_manage": can_manage,
        "invite_form": invite_form or InvitationForm(organisation=org),
    }


@login_required
def organisation_members(request: HttpRequest, org_id: int) -> HttpResponse:
    org = selectors.organisation(actor=request.user, pk=org_id)
    return render(request, "identity/members.html", _members_context(request, org))


@login_required
@require_POST
def invitation_create(request: HttpRequest, org_id: int) -> HttpResponse:
    org = selectors.organisation(actor=request.user, pk=org_id)
    services.require_perm(actor=request.user, perm=Perm.MEMBERS_MANAGE, organisation=org)
    form = InvitationForm(request.POST, organisation=org)
    if form.is_valid():
        try:
            invitation, _key = services.invitation_create(
                actor=request.user, organisation=org, email=form.cleaned_data["email"], role=form.cleaned_data["role"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
            form = InvitationForm(organisation=org)
    ctx = _members_context(request, org, invite_form=form)
    template = "identity/_invitations.html" if request.htmx else "identity/members.html"
    return render(request, template, ctx, status=200 if not form.errors else 422 if request.htmx else 200)


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, org_id: int, invitation_id: int) -> HttpResponse:
    org = selectors.organisation(actor=request.user, pk=org_id)
    inv = selectors.invitation(actor=request.user, organisation=org, pk=invitation_id)
    try:
        services.invitation_revoke(actor=request.user, invitation=inv)
        messages.success(request, _("Invitation revoked."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    if request.htmx:
        return render(request, "identity/_invitations.html", _members_context(request, org))
    return redirect("organisation-members", org_id=org.pk)


@login_required
@require_POST
def member_role(request: HttpRequest, org_id: int, member_id: int) -> HttpResponse:
    org = selectors.organisation(actor=request.user, pk=org_id)
    m = selectors.membership(actor=request.user, organisation=org, pk=member_id)
    form = RoleForm(request.POST, organisation=org, prefix=f"m{m.pk}")
    if form.is_valid():
        try:
            services.membership_change_role(actor=request.user, membership=m, role=form.cleaned_data["role"])
            messages.success(request, _("Role of %(email)s changed.") % {"email": m.user.email})
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("Choose a role from the list."))
    return redirect("organisation-members", org_id=org.pk)


@login_required
@require_POST
def member_remove(request: HttpRequest, org_id: int, member_id: int) -> HttpResponse:
    org = selectors.organisation(actor=request.user, pk=org_id)
    m = selectors.membership(actor=request.user, organisation=org, pk=member_id)
    try:
        services.membership_remove(actor=request.user, membership=m)
        messages.success(request, _("%(email)s removed from the organisation.") % {"email": m.user.email})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("organisation-members", org_id=org.pk)


def invitation_accept(request: HttpRequest, key: str) -> HttpResponse:
    try:
        invitation = services.invitation_for_key(raw_key=key)
    except services.InvitationUnusable as exc:
        return render(request, "identity/invitation_unusable.html", {"reason": exc.detail}, status=410)
    signed_in = request.user.is_authenticated
    form = None if signed_in else AcceptInvitationForm(request.POST or None)
    error = ""
    if request.method == "POST" and (signed_in or form.is_valid()):
        try:
            if signed_in:
                services.invitation_accept(raw_key=key, user=request.user)
            else:
                services.invitation_accept(
                    raw_key=key, full_name=form.cleaned_data["full_name"], password=form.cleaned_data["password"]
                )
        except ValidationError as exc:
            if form is not None:
                add_service_errors(form, exc)
            else:
                error = " ".join(exc.messages)
        except services.InvitationUnusable as exc:
            return render(request, "identity/invitation_unusable.html", {"reason": exc.detail}, status=410)
        else:
            if not signed_in:
                from .models import User

                user = User.objects.get(email=invitation.email)
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            request.session["organisation_id"] = invitation.organisation_id
            messages.success(request, _("Welcome to %(org)s.") % {"org": invitation.organisation.name})
            return redirect("home")
    ctx = {
        "invitation": invitation,
        "form": form,
        "error": error,
        "login_url": reverse("login") + f"?next={request.path}",
    }
    return render(request, "identity/invitation_accept.html", ctx)


# ---------------------------------------------------------------- API tokens


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    created_secret = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, created_secret = services.token_create(
                actor=request.user, name=form.cleaned_data["name"], expires_at=form.cleaned_data["expires_at"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            form = TokenForm()
    ctx = {"form": form, "tokens": selectors.tokens(actor=request.user), "created_secret": created_secret}
    return render(request, "identity/tokens.html", ctx)


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    tok = selectors.token(actor=request.user, pk=token_id)
    try:
        services.token_revoke(actor=request.user, token=tok)
        messages.success(request, _("Token “%(name)s” revoked.") % {"name": tok.name})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("token-list")
