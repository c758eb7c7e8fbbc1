"""Pages of the referrals context: the tracked redirect, customer sign-up, partners' links, vendor reports."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from partnerhub.core.forms import add_service_errors
from partnerhub.core.middleware import client_ip
from partnerhub.core.pagination import Paginator
from partnerhub.core.tenancy import actor_for
from partnerhub.identity import selectors as identity_selectors
from partnerhub.identity.roles import OrgKind, Perm
from partnerhub.identity.services import has_perm, require_perm

from . import selectors, services
from .forms import LinkForm, PeriodForm, PurchaseForm, SignupForm, TrafficForm

# ---------------------------------------------------------------------------- public


@never_cache
@require_http_methods(["GET", "HEAD"])
def follow(request: HttpRequest, code: str) -> HttpResponse:
    """``/r/<code>``: record the click, remember the visitor, then redirect (302)."""
    outcome = services.record_click(
        code=code,
        method=request.method,
        headers=request.headers,
        ip=client_ip(request),
        cookie=request.COOKIES.get(settings.REFERRAL_COOKIE_NAME),
        user=request.user,
    )
    response = HttpResponseRedirect(outcome.target)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "strict-origin-when-cross-origin"
    if outcome.cookie:
        response.set_cookie(
            settings.REFERRAL_COOKIE_NAME,
            outcome.cookie,
            max_age=outcome.cookie_max_age,
            httponly=True,
            samesite="Lax",
            secure=settings.REFERRAL_COOKIE_SECURE,
        )
    return response


def signup(request: HttpRequest) -> HttpResponse:
    """The public customer sign-up; attributed to the referral link or code that brought the company."""
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None, initial={"referral_code": request.GET.get("code", "")})
    status = 200
    if request.method == "POST" and form.is_valid():
        if form.is_robot():
            return redirect("customer-signup")  # tell a robot nothing
        try:
            membership, _attribution = services.sign_up_customer(
                **form.service_kwargs(),
                cookie=request.COOKIES.get(settings.REFERRAL_COOKIE_NAME),
                ip=client_ip(request),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            status = 422
        except services.TooManySignups as exc:
            form.add_error(None, exc.detail)
            status = 429
        else:
            login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome! Your company's account is ready."))
            response = redirect("home")
            response.delete_cookie(settings.REFERRAL_COOKIE_NAME, samesite="Lax")
            return response
    elif request.method == "POST":
        status = 422
    return render(request, "referrals/signup.html", {"form": form}, status=status)


# ---------------------------------------------------------------------------- partners


@login_required
def referral_home(request: HttpRequest) -> HttpResponse:
    org = identity_selectors.home_organisation(actor=request.user, preferred_id=request.session.get("organisation_id"))
    if actor_for(request.user).is_vendor_staff:
        return redirect("referral-traffic")
    if org is None or org.kind != OrgKind.PARTNER:
        return redirect("home")
    return redirect("referral-links", org_id=org.pk)


def _period(request: HttpRequest) -> tuple[PeriodForm, selectors.Period, str]:
    form = PeriodForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    return form, selectors.Period.of(data.get("since"), data.get("until")), data.get("interval") or "day"


@login_required
def link_list(request: HttpRequest, org_id: int) -> HttpResponse:
    org = identity_selectors.organisation(actor=request.user, pk=org_id)
    can_edit = org.kind == OrgKind.PARTNER and has_perm(
        actor=request.user, perm=Perm.REFERRALS_MANAGE, organisation=org
    )
    form = LinkForm(request.POST or None)
    if request.method == "POST":
        require_perm(actor=request.user, perm=Perm.REFERRALS_MANAGE, organisation=org)  # 403 for a too-small role
        if form.is_valid():
            try:
                link = services.link_create(actor=request.user, organisation=org, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Link created: %(url)s") % {"url": services.link_url(link)})
                return redirect("referral-links", org_id=org.pk)
    period_form, period, _interval = _period(request)
    per_link, total = selectors.stats_by_link(actor=request.user, organisation=org, period=period)
    rows = [
        {"link": link, "url": services.link_url(link), "stats": per_link.get(link.pk, selectors.Stats())}
        for link in selectors.links(actor=request.user, organisation=org)
    ]
    ctx = {
        "org": org,
        "rows": rows,
        "total": total,
        "form": form,
        "can_edit": can_edit,
        "period": period,
        "period_form": period_form,
    }
    return render(request, "referrals/links.html", ctx, status=422 if form.errors else 200)


@login_required
def link_detail(request: HttpRequest, link_id: int) -> HttpResponse:
    link = selectors.link(actor=request.user, pk=link_id)
    period_form, period, interval = _period(request)
    conversions = selectors.conversions(actor=request.user, organisation=link.organisation, link_id=link.pk)
    ctx = {
        "link": link,
        "url": services.link_url(link),
        "period": period,
        "period_form": period_form,
        "stats": selectors.link_stats(actor=request.user, link=link, period=period),
        "series": selectors.series(
            actor=request.user, organisation=link.organisation, period=period, interval=interval, link_id=link.pk
        ),
        "page": Paginator(conversions, 50).get_page(request.GET.get("page")),
        "can_edit": has_perm(actor=request.user, perm=Perm.REFERRALS_MANAGE, organisation=link.organisation),
    }
    return render(request, "referrals/link_detail.html", ctx)


@login_required
@require_POST
def link_toggle(request: HttpRequest, link_id: int) -> HttpResponse:
    link = selectors.link(actor=request.user, pk=link_id)
    link = services.link_update(actor=request.user, link=link, is_active=not link.is_active)
    messages.success(request, _("The link is active again.") if link.is_active else _("The link is deactivated."))
    return redirect("referral-link-detail", link_id=link.pk)


# ---------------------------------------------------------------------------- vendor


@login_required
def traffic(request: HttpRequest) -> HttpResponse:
    form = TrafficForm(request.GET or None)
    threshold = form.cleaned_data.get("threshold") if form.is_valid() else None
    report = selectors.traffic(actor=request.user, threshold=threshold)
    can_record = bool(actor_for(request.user).vendor_roles & {"vendor_admin", "finance"})
    return render(request, "referrals/traffic.html", {"report": report, "form": form, "can_record": can_record})


@login_required
def purchase_new(request: HttpRequest) -> HttpResponse:
    services.require_purchase_recorder(request.user)
    form = PurchaseForm(request.POST or None)
    outcome = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            customer = services.customer_by_inn(actor=request.user, inn=data.pop("customer_inn"))
            outcome = services.record_purchase(actor=request.user, customer=customer, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            level = messages.SUCCESS if outcome.attributed else messages.WARNING
            prefix = "" if outcome.created else _("Already recorded. ")
            messages.add_message(request, level, prefix + outcome.explanation)
            return redirect("referral-purchase")
    return render(request, "referrals/purchase.html", {"form": form}, status=422 if form.errors else 200)
