"""Pages of the incentives context: the vendor's console (incentives, standings, award; quarterly rebates)
and the partner's contests with their live leaderboards. Thin over selectors and services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partnerhub.core.pagination import Paginator
from partnerhub.core.problems import Problem
from partnerhub.core.tenancy import actor_for

from . import selectors, services
from .forms import PRIZE_ROWS, IncentiveForm, QuarterForm, tier_choices
from .models import Incentive


@login_required
def incentive_list(request: HttpRequest) -> HttpResponse:
    vendor = actor_for(request.user).is_vendor_staff
    kind, state = request.GET.get("kind", ""), request.GET.get("state", "")
    qs = selectors.incentives(actor=request.user, kind=kind if kind in Incentive.Kind.values else "",
                              state=state if state in ("running", "upcoming", "past") else "")  # fmt: skip
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    ctx = {"page": page, "query": query.urlencode(), "kind": kind, "state": state, "kinds": Incentive.Kind.choices,
           "vendor": vendor, "can_manage": selectors.can_manage(request.user),
           "can_award": selectors.can_award(request.user)}  # fmt: skip
    return render(request, "incentives/list.html", ctx)


def _edit(request: HttpRequest, obj: Incentive | None) -> HttpResponse:
    if not selectors.can_manage(request.user):
        raise PermissionDenied(_("Only the vendor's administrators define incentives."))
    initial = IncentiveForm.initial_from(obj) if obj else {"starts_on": timezone.localdate()}
    form = IncentiveForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_incentive(actor=request.user, incentive=obj, **form.service_fields())
        except ValidationError as exc:
            for key, errors in exc.message_dict.items():
                for message in errors:
                    form.add_error(form.field_for(key), message)
        except Problem as exc:
            form.add_error(None, exc.detail)
        else:
            messages.success(request, _("Incentive saved."))
            return redirect("incentive-detail", saved.pk)
    prize_rows = [[form[f"prize_{n}_{k}"] for k in ("amount", "currency", "label")] for n in range(1, PRIZE_ROWS + 1)]
    main = [form[name] for name in form.fields if not name.startswith("prize_")]
    ctx = {"form": form, "obj": obj, "main_fields": main, "prize_rows": prize_rows}
    return render(request, "incentives/form.html", ctx, status=422 if form.errors else 200)


@login_required
def incentive_create(request: HttpRequest) -> HttpResponse:
    return _edit(request, None)


@login_required
def incentive_edit(request: HttpRequest, incentive_id: int) -> HttpResponse:
    return _edit(request, selectors.incentive(actor=request.user, pk=incentive_id))


@login_required
def incentive_detail(request: HttpRequest, incentive_id: int) -> HttpResponse:
    obj = selectors.incentive(actor=request.user, pk=incentive_id)
    names = tier_choices(obj.programme_id) if obj.tier_codes else {}
    page = Paginator(selectors.standings_page(actor=request.user, incentive=obj), 50).get_page(request.GET.get("page"))
    ctx = {
        "obj": obj, "page": page, "query": "", "prizes": list(obj.prizes.all()),
        "tier_names": [names.get(c, c) for c in obj.tier_codes],
        "own": selectors.own_standings(actor=request.user, incentive=obj),
        "awards": list(selectors.awards(actor=request.user, incentive=obj)),
        "vendor": actor_for(request.user).is_vendor_staff, "can_manage": selectors.can_manage(request.user),
        "can_award": selectors.can_award(request.user) and obj.state == "finished",
    }  # fmt: skip
    return render(request, "incentives/detail.html", ctx)


@login_required
@require_POST
def incentive_award(request: HttpRequest, incentive_id: int) -> HttpResponse:
    obj = selectors.incentive(actor=request.user, pk=incentive_id)
    try:
        awards = services.award_incentive(actor=request.user, incentive=obj)
    except Problem as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Awarded: %(n)s partners paid.") % {"n": len(awards)})
    return redirect("incentive-detail", obj.pk)


@login_required
def rebates(request: HttpRequest) -> HttpResponse:
    """Finance: preview a quarter's rebates and post them; the rebates posted so far."""
    if not selectors.can_award(request.user):
        raise PermissionDenied(_("Only the vendor's administrators and finance post to the ledger."))
    today = timezone.localdate()
    data = request.POST if request.method == "POST" else (request.GET if "year" in request.GET else None)
    form = QuarterForm(data, initial={"year": today.year, "quarter": (today.month + 2) // 3})
    lines, status = None, 200
    if form.is_valid():
        year, quarter = form.cleaned_data["year"], form.cleaned_data["quarter"]
        try:
            if request.method == "POST":
                posted = services.post_quarterly_rebates(actor=request.user, year=year, quarter=quarter)
                messages.success(request, _("Posted %(n)s rebates.") % {"n": len(posted)})
                return redirect(f"{request.path}?year={year}&quarter={quarter}")
            lines = services.preview_quarterly_rebates(actor=request.user, year=year, quarter=quarter)
        except ValidationError as exc:
            for key, errors in exc.message_dict.items():
                for message in errors:
                    form.add_error(key if key in form.fields else None, message)
    if form.errors:
        status = 422
    page = Paginator(selectors.rebates(actor=request.user), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    ctx = {"form": form, "lines": lines, "page": page, "query": query.urlencode()}
    return render(request, "incentives/rebates.html", ctx, status=status)
