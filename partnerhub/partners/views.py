"""Tier pages: the partner's tier and progress, the vendor's overview, a BDM's enrolment page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partnerhub.core.forms import add_service_errors
from partnerhub.core.i18n import pick
from partnerhub.core.pagination import Paginator
from partnerhub.core.tenancy import actor_for
from partnerhub.programmes.models import Programme, ProgrammeRole, Tier
from partnerhub.programmes.selectors import names_in_force, version_in_force

from . import network, selectors, tiers
from .forms import NetworkForm, OverrideForm, WhatIfForm
from .models import Enrolment
from .models import ObligationRecord as _ObligationRecord
from .tiers import evaluate_programme

ObligationRecordStatus = _ObligationRecord.Status


def _tier_names(enrolment: Enrolment, version) -> dict[str, str]:
    if version is None:
        return {}
    return {t.code: str(t) for t in Tier.objects.filter(version=version)}


def _role_name(enrolment: Enrolment, version) -> str:
    role = ProgrammeRole.objects.filter(version=version, code=enrolment.role_code).first() if version else None
    return str(role) if role else enrolment.role_code


def _card(request: HttpRequest, e: Enrolment, what_if_form: WhatIfForm | None = None, what_if=None) -> dict:
    today = timezone.localdate()
    needs = selectors.what_would_i_need(enrolment=e, on=today)
    evaluation = needs.evaluation if needs else None
    benefits = selectors.tier_benefits(enrolment=e, on=today)
    names = _tier_names(e, benefits["version"])
    next_tier = evaluation.next_tier(e.tier_code) if evaluation else None
    current = next((t for t in evaluation.tiers if t.code == e.tier_code), None) if evaluation else None
    return {
        "enrolment": e,
        "evaluation": evaluation,
        "needs": needs,
        "what_if_form": what_if_form or (WhatIfForm(families=_families()) if evaluation else None),
        "what_if": what_if,
        "tier_name": names.get(e.tier_code or "", ""),
        "role_name": _role_name(e, benefits["version"]),
        "names": names,
        "current": current,
        "next_tier": next_tier,
        "history": selectors.tier_history(actor=request.user, enrolment=e)[:20],
        **benefits,
    }


def _families():
    from partnerhub.programmes.models import ProductFamily

    return ProductFamily.objects.order_by("code")


def _what_if_result(e: Enrolment, form: WhatIfForm):
    """Run the what-if when the form is valid; service errors go onto the form's fields."""
    if not form.is_valid():
        return None
    try:
        return selectors.what_if(enrolment=e, on=timezone.localdate(), **form.cleaned_data)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None


@login_required
def partner_tier(request: HttpRequest) -> HttpResponse:
    """The partner's own tier(s): where it stands, why, what it lacks, its history."""
    who = actor_for(request.user)
    if who.is_vendor_staff:
        return redirect("tier-overview")
    cards = [_card(request, e) for e in selectors.enrolments(actor=request.user).order_by("programme__name")]
    return render(request, "partners/tier.html", {"cards": cards})


@login_required
def tier_what_if(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    """What if the partner sold more, certified or registered more: the same engine, nothing saved.

    HTMX swaps in the result fragment; without JavaScript the page shows this enrolment's card with it.
    """
    e = selectors.enrolment(actor=request.user, pk=enrolment_id)
    form = WhatIfForm(request.GET, families=_families())
    result = _what_if_result(e, form)
    status = 200 if result is not None or not form.errors else 422
    if request.htmx:
        ctx = {"enrolment": e, "what_if_form": form, "what_if": result}
        return render(request, "partners/_what_if.html", ctx, status=status)
    cards = [_card(request, e, form, result)]  # without JavaScript: this enrolment's card with the result
    return render(request, "partners/tier.html", {"cards": cards}, status=status)


@login_required
def tier_overview(request: HttpRequest) -> HttpResponse:
    who = actor_for(request.user)
    if not who.is_vendor_staff:
        raise PermissionDenied(_("The tier overview is for the vendor's staff."))
    programme_id = request.GET.get("programme")
    programme_id = int(programme_id) if programme_id and programme_id.isdigit() else None
    rows = selectors.distribution(actor=request.user, programme_id=programme_id)
    today = timezone.localdate()
    movers = selectors.movers(actor=request.user, programme_id=programme_id)
    moving = [e for group in movers.values() for e in group]
    names = names_in_force(programme_ids={r["programme_id"] for r in rows} | {e.programme_id for e in moving}, on=today)
    for r in rows:
        r["tier_name"] = names.tier(r["programme_id"], r["tier_code"]) or _("no tier")
        r["programme_name"] = pick(r["programme__name"], r["programme__name_en"])
    for e in moving:
        e.tier_name = names.tier(e.programme_id, e.tier_code)
        e.evaluated_tier_name = names.tier(e.programme_id, e.evaluated_tier_code)
    ctx = {
        "rows": rows,
        "movers": movers,
        "programmes": Programme.objects.order_by("name"),
        "programme_id": programme_id,
    }
    return render(request, "partners/tier_overview.html", ctx)


@login_required
def enrolment_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.enrolments(
        actor=request.user, tier_code=request.GET.get("tier", ""), status=request.GET.get("status", ""),
        search=request.GET.get("q", "").strip(),
    ).order_by("organisation__name", "pk")  # fmt: skip
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    programme_ids = selectors.enrolled_programme_ids(actor=request.user)
    names = names_in_force(programme_ids=programme_ids, on=timezone.localdate())
    for e in page:  # roles and tiers by their names, never their codes
        e.role_name = names.role(e.programme_id, e.role_code)
        e.tier_name = names.tier(e.programme_id, e.tier_code)
        e.evaluated_tier_name = names.tier(e.programme_id, e.evaluated_tier_code)
    tiers = sorted({pair for p in programme_ids for pair in names.tiers_of(p)}, key=lambda t: t[1])
    return render(request, "partners/enrolment_list.html", {"page": page, "query": query.urlencode(),
                                                             "statuses": Enrolment.Status.choices,
                                                             "tiers": tiers})  # fmt: skip


@login_required
def enrolment_detail(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    e = selectors.enrolment(actor=request.user, pk=enrolment_id)
    card = _card(request, e)
    who = actor_for(request.user)
    can_manage = who.is_vendor_staff and (
        "vendor_admin" in who.vendor_roles or e.organisation.partner_manager_id == request.user.pk
    )
    form = None
    if can_manage and card["evaluation"] is not None:
        v = card["version"]
        form = OverrideForm(tiers=Tier.objects.filter(version=v) if v else [])
    network_form = None
    if can_manage:
        try:
            partners = network.candidates(actor=request.user, enrolment=e)
        except PermissionDenied:  # a vendor user named the partner's manager without the partner-manager role
            partners = None
        if partners is not None:
            network_form = NetworkForm(partners=partners, enrolment=e, initial={
                "distributor": e.distributor, "distributor_since": e.distributor_since,
                "recruited_by": e.recruited_by, "recruited_on": e.recruited_on})  # fmt: skip
    return render(request, "partners/enrolment_detail.html", {**card, "can_manage": can_manage, "form": form,
                                                              "network_form": network_form})  # fmt: skip


@login_required
def enrolment_network_pick(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    """The network form's partner picker: the programme's other partners matching the text (its managers only)."""
    from partnerhub.identity.picker import picks_response

    e = selectors.enrolment(actor=request.user, pk=enrolment_id)
    return picks_response(request, actor=request.user, within=network.candidates(actor=request.user, enrolment=e))


@login_required
@require_POST
def enrolment_network(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    e = selectors.enrolment(actor=request.user, pk=enrolment_id)
    form = NetworkForm(request.POST, partners=network.candidates(actor=request.user, enrolment=e), enrolment=e)
    if form.is_valid():
        try:
            network.set_network(actor=request.user, enrolment=e, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Network saved."))
            return redirect("enrolment-detail", enrolment_id=e.pk)
    card = _card(request, e)
    return render(request, "partners/enrolment_detail.html", {**card, "can_manage": True, "form": None,
                                                              "network_form": form}, status=422)  # fmt: skip


@login_required
@require_POST
def enrolment_override(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    e = selectors.enrolment(actor=request.user, pk=enrolment_id)
    v = version_in_force(programme=e.programme, on=timezone.localdate())
    form = OverrideForm(request.POST, tiers=Tier.objects.filter(version=v) if v else [])
    if form.is_valid():
        try:
            tiers.override_tier(actor=request.user, enrolment=e, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Tier overridden."))
            return redirect("enrolment-detail", enrolment_id=e.pk)
    card = _card(request, e)
    return render(request, "partners/enrolment_detail.html", {**card, "can_manage": True, "form": form}, status=422)


@login_required
@require_POST
def enrolment_override_end(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    e = selectors.enrolment(actor=request.user, pk=enrolment_id)
    try:
        tiers.end_override(actor=request.user, enrolment=e)
        messages.success(request, _("Override ended; the tier follows the evaluation again."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("enrolment-detail", enrolment_id=e.pk)


@login_required
@require_POST
def enrolment_evaluate(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    e = selectors.enrolment(actor=request.user, pk=enrolment_id)
    if not actor_for(request.user).is_vendor_staff:
        raise PermissionDenied(_("Only the vendor's staff run an evaluation."))
    evaluate_programme(programme=e.programme, on=timezone.localdate(), enrolment_ids=[e.pk], actor=request.user)
    messages.success(request, _("Evaluated."))
    return redirect("enrolment-detail", enrolment_id=e.pk)


@login_required
def obligation_list(request: HttpRequest) -> HttpResponse:
    """Partners submit evidence here; partner managers review it and record confirmations."""
    from partnerhub.identity import selectors as identity_selectors
    from partnerhub.identity.models import Organisation

    from . import obligations
    from .forms import EvidenceForm

    who = actor_for(request.user)
    if who.is_vendor_staff:
        partners = Organisation.objects.visible_to(request.user).filter(kind="partner").order_by("name")
        org = None
    else:
        partners = None
        org = identity_selectors.home_organisation(
            actor=request.user, preferred_id=request.session.get("organisation_id")
        )
    form = EvidenceForm(request.POST or None, request.FILES or None, partners=partners)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        target = data.pop("organisation", None) or org
        try:
            obligations.submit_evidence(actor=request.user, organisation=target, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Recorded."))
            return redirect("obligation-list")
    status = request.GET.get("status", "submitted" if who.is_vendor_staff else "")
    qs = selectors.obligations(actor=request.user, status=status).order_by("-created_at")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "partners/obligations.html",
                  {"form": form, "page": page, "status": status, "is_vendor": who.is_vendor_staff,
                   "query": f"status={status}", "statuses": ObligationRecordStatus.choices})  # fmt: skip


@login_required
@require_POST
def obligation_review(request: HttpRequest, record_id: int) -> HttpResponse:
    from . import obligations
    from .forms import ReviewForm

    record = selectors.obligation_record(actor=request.user, pk=record_id)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose accept or reject."))
        return redirect("obligation-list")
    try:
        obligations.review(actor=request.user, record=record, accept=form.cleaned_data["decision"] == "accept",
                           reason=form.cleaned_data["reason"])  # fmt: skip
        messages.success(request, _("Reviewed."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("obligation-list")
