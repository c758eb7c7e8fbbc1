"""Pages of partner support: the partner's Support page (list, new request, thread) and the vendor's queue.
Parse → selector/service → template; a refused input re-renders its form with the service's field errors."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partnerhub.core.forms import add_service_errors
from partnerhub.core.pagination import Paginator
from partnerhub.core.tenancy import actor_for
from partnerhub.identity import selectors as identity_selectors
from partnerhub.identity.roles import OrgKind, Role
from partnerhub.programmes import selectors as programme_selectors
from partnerhub.programmes.selectors import tiers_by_code

from . import selectors, services
from .forms import AssignForm, CloseForm, OpenForm, QueueFilterForm, ReopenForm, ReplyForm, StatusForm, TargetForm
from .models import SupportRequest
from .rules import agents, is_agent, is_requester

PAGE = 25


def _partner_org(request: HttpRequest):
    org = identity_selectors.home_organisation(actor=request.user, preferred_id=request.session.get("organisation_id"))
    return org if org is not None and org.kind == OrgKind.PARTNER else None


@login_required
def support_home(request: HttpRequest) -> HttpResponse:
    """The partner's Support page: its requests with their clocks, and a new request."""
    if is_agent(request.user):
        return redirect("support-console")
    org = _partner_org(request)
    if org is None:
        return redirect("home")
    page = Paginator(selectors.requests(actor=request.user, organisation_id=org.pk), PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "support/home.html", {"org": org, "page": page, "query": "",
                                                 "can_open": is_requester(request.user, org.pk)})  # fmt: skip


@login_required
def support_new(request: HttpRequest) -> HttpResponse:
    org = _partner_org(request)
    if org is None:
        raise Http404
    form = OpenForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            req = services.open_request(
                actor=request.user, organisation=org, kind=data["kind"], subject=data["subject"], body=data["body"],
                files=request.FILES.getlist("files"),
            )  # fmt: skip
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Support request sent."))
            return redirect("support-detail", request_id=req.pk)
    return render(request, "support/new.html", {"form": form, "org": org}, status=422 if form.errors else 200)


def _filters(request: HttpRequest, form: QueueFilterForm) -> dict:
    data = form.cleaned_data if form.is_valid() else {}
    assignee = data.get("assignee", "")
    return {
        "status": data.get("status", ""),
        "kind": data.get("kind", ""),
        "breached": {"yes": True, "no": False}.get(data.get("breached", "")),
        "unassigned": assignee == "none",
        "assignee_id": request.user.pk if assignee == "me" else (int(assignee) if assignee.isdigit() else None),
    }


@login_required
def console(request: HttpRequest, *, target_form=None, status: int = 200) -> HttpResponse:
    """The vendor's queue: filtered by status, kind, breach and assignee in SQL, paginated."""
    if not is_agent(request.user):
        raise PermissionDenied
    people = list(agents())
    form = QueueFilterForm(request.GET or None, agents=people)
    qs = selectors.requests(actor=request.user, **_filters(request, form))
    query = urlencode({k: v for k, v in request.GET.items() if k != "page" and v})
    ctx = {
        "page": Paginator(qs, PAGE).get_page(request.GET.get("page")),
        "query": query,
        "filter_form": form,
        "targets": _named(list(selectors.targets(actor=request.user)[:200])),
        "target_form": target_form or TargetForm(programmes=_programmes(request)),
        "can_set_targets": Role.VENDOR_ADMIN in actor_for(request.user).vendor_roles,
    }
    return render(request, "support/console.html", ctx, status=status)


def _programmes(request: HttpRequest):
    return programme_selectors.programmes(actor=request.user).order_by("code")[:200]


def _named(targets: list) -> list:
    """Each target with its tier's name (the pages name tiers, never show their codes)."""
    names = tiers_by_code({t.tier_code for t in targets})
    for t in targets:
        t.tier_name = names.get(t.tier_code, t.tier_code)
    return targets


@login_required
@require_POST
def target(request: HttpRequest) -> HttpResponse:
    form = TargetForm(request.POST, programmes=_programmes(request))
    if form.is_valid():
        try:
            services.set_target(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Targets saved."))
            return redirect("support-console")
    return console(request, target_form=form, status=422)


def _detail(request: HttpRequest, req: SupportRequest, *, forms: dict | None = None, status: int = 200):
    agent = is_agent(request.user)
    forms = forms or {}
    ctx = {
        "req": req,
        "replies": selectors.replies(actor=request.user, request=req),
        "response_clock": req.response_clock(),
        "resolution_clock": req.resolution_clock(),
        "is_agent": agent,
        "is_partner": is_requester(request.user, req.organisation_id),
        "reply_form": forms.get("reply") or ReplyForm(),
        "close_form": forms.get("close") or CloseForm(),
        "reopen_form": forms.get("reopen") or ReopenForm(),
    }
    if agent:
        ctx["assign_form"] = forms.get("assign") or AssignForm(initial={"assignee_id": req.assignee_id},
                                                               agents=agents())  # fmt: skip
        ctx["status_form"] = forms.get("status") or StatusForm(initial={"status": req.status})
    return render(request, "support/detail.html", ctx, status=status)


@login_required
def detail(request: HttpRequest, request_id: int) -> HttpResponse:
    return _detail(request, selectors.request(actor=request.user, pk=request_id))


def _act(request: HttpRequest, request_id: int, name: str, form, call, done: str) -> HttpResponse:
    req = selectors.request(actor=request.user, pk=request_id)
    if form.is_valid():
        try:
            call(req, form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("support-detail", request_id=req.pk)
    return _detail(request, req, forms={name: form}, status=422)


@login_required
@require_POST
def reply(request: HttpRequest, request_id: int) -> HttpResponse:
    def call(req, data):
        services.reply(actor=request.user, request=req, body=data["body"], files=request.FILES.getlist("files"),
                       waiting_for_partner=data["waiting_for_partner"])  # fmt: skip

    return _act(request, request_id, "reply", ReplyForm(request.POST, request.FILES), call, _("Reply sent."))


@login_required
@require_POST
def assign(request: HttpRequest, request_id: int) -> HttpResponse:
    def call(req, data):
        services.assign(actor=request.user, request=req, assignee_id=data["assignee_id"])

    form = AssignForm(request.POST, agents=agents())
    return _act(request, request_id, "assign", form, call, _("Assignment saved."))


@login_required
@require_POST
def move(request: HttpRequest, request_id: int) -> HttpResponse:
    def call(req, data):
        services.set_status(actor=request.user, request=req, status=data["status"])

    return _act(request, request_id, "status", StatusForm(request.POST), call, _("Status changed."))


@login_required
@require_POST
def close(request: HttpRequest, request_id: int) -> HttpResponse:
    def call(req, data):
        services.close(actor=request.user, request=req, rating=data["rating"], comment=data["comment"])

    return _act(request, request_id, "close", CloseForm(request.POST), call, _("Request closed. Thank you!"))


@login_required
@require_POST
def reopen(request: HttpRequest, request_id: int) -> HttpResponse:
    def call(req, data):
        services.reopen(actor=request.user, request=req, reason=data["reason"])

    return _act(request, request_id, "reopen", ReopenForm(request.POST), call, _("Request reopened."))


@login_required
def attachment(request: HttpRequest, file_id: int) -> HttpResponse:
    f = selectors.attachment(actor=request.user, pk=file_id)
    try:
        handle = f.file.open("rb")
    except FileNotFoundError as exc:  # the row outlived its file (restored database, moved storage)
        raise Http404 from exc
    return FileResponse(handle, as_attachment=True, filename=f.name)
