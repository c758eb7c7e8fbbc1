"""Pages of the deals context: the pipeline board, registration, a deal, the review queue, the overview."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from partnerhub.core.forms import add_service_errors
from partnerhub.core.pagination import Paginator
from partnerhub.core.problems import Problem
from partnerhub.core.tenancy import actor_for
from partnerhub.identity import selectors as identity_selectors
from partnerhub.identity.roles import OrgKind, Perm
from partnerhub.identity.services import has_perm, require_perm
from partnerhub.partners.models import Enrolment
from partnerhub.programmes.models import Programme, Tier

from . import selectors, services
from .forms import (
    DealForm,
    DirectForm,
    ExtensionDecisionForm,
    ExtensionForm,
    NoteForm,
    ReasonForm,
    ResolveForm,
    StageForm,
)
from .models import Claim


def _partner_org(request: HttpRequest):
    org = identity_selectors.home_organisation(actor=request.user, preferred_id=request.session.get("organisation_id"))
    return org if org is not None and org.kind == OrgKind.PARTNER else None


DEALS_PER_PAGE = 25


@login_required
def board(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    org = None if actor.is_vendor_staff else _partner_org(request)
    if org is None and not actor.is_vendor_staff:
        raise Http404
    org_filter = request.GET.get("organisation") or ""
    org_id = org.pk if org else (int(org_filter) if org_filter.isdigit() else None)
    status = request.GET.get("status", "")
    deals = selectors.claims(
        actor=request.user, organisation_id=org_id, status=status, q=request.GET.get("q", "")
    ).exclude(kind=Claim.Kind.DIRECT)
    query = request.GET.copy()
    query.pop("page", None)
    ctx = {
        "org": org,
        "columns": [
            (code, Claim.Stage(code).label, count, items)
            for code, count, items in selectors.board(actor=request.user, organisation_id=org_id)
        ],
        "page": Paginator(deals, DEALS_PER_PAGE).get_page(request.GET.get("page")),
        "query": query.urlencode(),
        "can_register": bool(org) and has_perm(actor=request.user, perm=Perm.DEALS_REGISTER, organisation=org),
        "is_vendor": actor.is_vendor_staff,
        "statuses": Claim.Status.choices,
        "status": status,
        "q": request.GET.get("q", ""),
    }
    return render(request, "deals/board.html", ctx)


@login_required
def register(request: HttpRequest) -> HttpResponse:
    org = _partner_org(request)
    if org is None:
        raise Http404
    require_perm(actor=request.user, perm=Perm.DEALS_REGISTER, organisation=org)
    programmes = list(
        Programme.objects.filter(enrolments__organisation=org, enrolments__status=Enrolment.Status.ACTIVE).distinct()
    )
    form = DealForm(request.POST or None, programmes=programmes)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data.get("programme") or ""
        programme = next((p for p in programmes if p.code == code), None)
        try:
            claim = services.register_claim(actor=request.user, organisation=org, programme=programme,
                                            **form.service_kwargs())  # fmt: skip
        except ValidationError as exc:
            form.add_errors(exc)
        else:
            if claim.status == Claim.Status.HELD:
                messages.warning(request, _("The deal is registered and under review: a possible conflict exists."))
            else:
                messages.success(request, _("The deal is registered and awaits your partner manager's approval."))
            return redirect("deal-detail", claim.pk)
    return render(request, "deals/register.html", {"form": form, "org": org})


@login_required
def register_direct(request: HttpRequest) -> HttpResponse:
    if not actor_for(request.user).is_vendor_staff:
        raise Http404
    form = DirectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            claim = services.register_direct(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The direct opportunity is recorded; partners' claims on it will be held."))
            return redirect("deal-detail", claim.pk)
    return render(request, "deals/direct.html", {"form": form})


ACTIONS = {
    "note": NoteForm,
    "stage": StageForm,
    "withdraw": ReasonForm,
    "extension": ExtensionForm,
    "approve": ReasonForm,
    "reject": ReasonForm,
    "withdraw_protection": ReasonForm,
    "resolve": ResolveForm,
    "decide_extension": ExtensionDecisionForm,
}


def _run(request: HttpRequest, claim: Claim, action: str, form) -> None:
    d, user = form.cleaned_data, request.user
    if action == "note":
        services.add_note(actor=user, claim=claim, text=d["text"])
    elif action == "stage":
        services.move_stage(actor=user, claim=claim, stage=d["stage"], lock_version=d["lock_version"], note=d["note"])
    elif action == "withdraw":
        services.withdraw(actor=user, claim=claim, reason=d["reason"])
    elif action == "extension":
        services.request_extension(actor=user, claim=claim, reason=d["reason"], evidence=d.get("evidence"))
    elif action == "approve":
        services.approve(actor=user, claim=claim, reason=d["reason"])
    elif action == "reject":
        services.reject(actor=user, claim=claim, reason=d["reason"])
    elif action == "withdraw_protection":
        services.withdraw_protection(actor=user, claim=claim, reason=d["reason"])
    elif action == "resolve":
        conflict = selectors.conflict(actor=user, pk=int(request.POST.get("conflict_id") or 0))
        if conflict.claim_id != claim.pk:
            raise Http404
        services.resolve_conflict(actor=user, conflict=conflict, resolution=d["resolution"], reason=d["reason"],
                                  evidence=d.get("evidence"))  # fmt: skip
    elif action == "decide_extension":
        ext = selectors.extension(actor=user, pk=int(request.POST.get("extension_id") or 0))
        if ext.claim_id != claim.pk:
            raise Http404
        services.decide_extension(actor=user, request=ext, grant=d["grant"], reason=d["reason"])


@login_required
def detail(request: HttpRequest, deal_id: int) -> HttpResponse:
    claim = selectors.claim(actor=request.user, pk=deal_id)
    actor = actor_for(request.user)
    forms = {name: cls(prefix=name) for name, cls in ACTIONS.items()}
    forms["stage"] = StageForm(prefix="stage", initial={"lock_version": claim.lock_version})
    failed = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            raise Http404
        form = ACTIONS[action](request.POST, request.FILES, prefix=action)
        forms[action] = form
        if form.is_valid():
            try:
                _run(request, claim, action, form)
            except ValidationError as exc:
                add_service_errors(form, exc)
            except Problem as exc:  # a stale form or a closed deal: say so, change nothing
                form.add_error(None, exc.detail)
            else:
                messages.success(request, _("Saved."))
                return redirect("deal-detail", claim.pk)
        failed = action
        claim = selectors.claim(actor=request.user, pk=deal_id)
    is_owner = claim.organisation_id in actor.org_ids
    tier = Tier.objects.filter(version_id=claim.version_id, code=claim.tier_code).first() if claim.tier_code else None
    ctx = {
        "deal": claim,
        "tier_name": str(tier) if tier else claim.tier_code,
        "forms": forms,
        "failed": failed,
        "is_owner": is_owner
        and has_perm(actor=request.user, perm=Perm.DEALS_REGISTER, organisation=claim.organisation),
        "can_decide": actor.is_vendor_staff
        and has_perm(actor=request.user, perm=Perm.DEALS_DECIDE, organisation=claim.organisation),
        "is_vendor": actor.is_vendor_staff,
        "allowed_stages": services.allowed_stages(claim),
        "activity": selectors.activity(actor=request.user, claim=claim)[:100],
        "conflicts": list(selectors.conflicts(actor=request.user, claim=claim)) if actor.is_vendor_staff else [],
        "extensions": selectors.extensions(actor=request.user, claim=claim),
        "rules": services.claim_rules(claim),
        "public_review": claim.status == Claim.Status.HELD
        and any(r in ("conflict", "direct_customer") for r in claim.hold_reasons),
    }
    return render(request, "deals/detail.html", ctx)


@login_required
def review(request: HttpRequest) -> HttpResponse:
    return render(request, "deals/review.html", {
        "page": Paginator(selectors.review_queue(actor=request.user), DEALS_PER_PAGE).get_page(request.GET.get("page")),
        "extensions": selectors.pending_extensions(actor=request.user)[:100],
    })  # fmt: skip


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("days", "365")
    days = max(1, min(int(raw), 3650)) if raw.isdigit() else 365
    return render(request, "deals/overview.html", {"o": selectors.overview(actor=request.user, days=days)})
