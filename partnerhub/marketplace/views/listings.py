"""The listing wizard's pages: overview, step 1 (service), 2 (pricing), 3 (provisioning), 4 (storefronts)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partnerhub.core.forms import add_service_errors
from partnerhub.core.pagination import Paginator
from partnerhub.identity.roles import Perm
from partnerhub.identity.services import has_perm

from .. import documents, selectors, services
from ..forms import ChargeForm, PlanForm, ProvisioningForm, ResourceForm, ScreenshotForm, ServiceForm, StorefrontsForm
from ..provisioning.conformance import VERDICT_LABELS
from ..provisioning.reasons import Reason
from ..services import pricing_document
from ..services.conformance import latest_run, passed_for
from .admission import home_org


def _editing(request: HttpRequest, listing):
    """The version the wizard shows: the working one, else the live one (the first edit copies it)."""
    version = listing.working_version or listing.live_version
    return selectors.version(actor=request.user, pk=version.pk)


def _ctx(request, listing, version, step: str, **extra) -> dict:
    can_edit = has_perm(actor=request.user, perm=Perm.MARKETPLACE_SELL, organisation=listing.organisation)
    editable = version.editable or version.status == version.Status.LIVE  # a live version's edit starts a copy
    return {"listing": listing, "v": version, "step": step, "can_edit": can_edit and editable, **extra}


@login_required
def listing_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.listings(actor=request.user), 50).get_page(request.GET.get("page"))
    return render(request, "marketplace/listings.html", {"page": page})


@login_required
@require_POST
def listing_new(request: HttpRequest) -> HttpResponse:
    org = home_org(request)
    try:
        listing = services.listing_create(actor=request.user, organisation=org)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("marketplace-home")
    return redirect("marketplace-listing-service", listing_id=listing.pk)


@login_required
def listing_detail(request: HttpRequest, listing_id: int) -> HttpResponse:
    listing = selectors.listing(actor=request.user, pk=listing_id)
    version = _editing(request, listing)
    if request.method == "POST":
        try:
            services.submit(actor=request.user, listing=listing)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for e in errors:
                    messages.error(request, f"{field}: {e}" if field != "__all__" else e)
        else:
            messages.success(request, _("Sent to moderation."))
        return redirect("marketplace-listing", listing_id=listing.pk)
    gaps = services.submission_gaps(version) if version.editable else {}
    live = listing.live_version if listing.live_version_id and listing.live_version_id != version.pk else None
    ctx = _ctx(request, listing, version, "overview", gaps=gaps, diff=documents.labelled(documents.diff(live, version)),
               comments=list(version.comments.all()))  # fmt: skip
    return render(request, "marketplace/listing_detail.html", ctx)


def _step(request, listing, form, write, step: str, template: str, **extra) -> HttpResponse | None:
    if request.method == "POST" and form.is_valid():
        try:
            write()
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Draft saved."))
            return redirect(request.path)
    version = _editing(request, listing)
    return render(request, template, _ctx(request, listing, version, step, form=form, **extra))


@login_required
def step_service(request: HttpRequest, listing_id: int) -> HttpResponse:
    listing = selectors.listing(actor=request.user, pk=listing_id)
    version = _editing(request, listing)
    form = ServiceForm(request.POST or None, initial=ServiceForm.initial_for(version))
    shot_form = ScreenshotForm()
    if request.method == "POST" and request.FILES:
        shot_form = ScreenshotForm(request.POST, request.FILES)
        form = ServiceForm(initial=ServiceForm.initial_for(version))
        if shot_form.is_valid():
            try:
                services.screenshot_add(actor=request.user, listing=listing, **shot_form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(shot_form, exc)
            else:
                messages.success(request, _("Screenshot added."))
                return redirect(request.path)
        return render(request, "marketplace/step_service.html",
                      _ctx(request, listing, version, "service", form=form, shot_form=shot_form))  # fmt: skip

    def write():
        services.set_service(actor=request.user, listing=listing, **form.service_arguments())

    return _step(request, listing, form, write, "service", "marketplace/step_service.html", shot_form=shot_form)


@login_required
@require_POST
def screenshot_remove(request: HttpRequest, screenshot_id: int) -> HttpResponse:
    shot = selectors.screenshot(actor=request.user, pk=screenshot_id)
    services.screenshot_remove(actor=request.user, screenshot=shot)
    return redirect("marketplace-listing-service", listing_id=shot.version.listing_id)


def screenshot_file(request: HttpRequest, screenshot_id: int, kind: str) -> HttpResponse:
    """The image (``full``) or its thumbnail (``thumb``): anyone for a live listing, else its vendor and staff."""
    shot = selectors.public_screenshot(actor=request.user, pk=screenshot_id)
    field = shot.thumbnail if kind == "thumb" else shot.image
    content_type = "image/png" if field.name.endswith(".png") else "image/jpeg"
    response = FileResponse(field.open("rb"), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def step_pricing(request: HttpRequest, listing_id: int) -> HttpResponse:
    listing = selectors.listing(actor=request.user, pk=listing_id)
    version = _editing(request, listing)
    doc = pricing_document.read(version)
    plans, resources = [p["code"] for p in doc["plans"]], [r["code"] for r in doc["resources"]]
    action = request.POST.get("action", "")
    post = request.POST if request.method == "POST" else None
    forms = {"resource": ResourceForm(post if action == "resource" else None, prefix="r"),
             "plan": PlanForm(post if action == "plan" else None, prefix="p", resources=resources),
             "charge": ChargeForm(post if action == "charge" else None, prefix="c", plans=plans,
                                  resources=resources)}  # fmt: skip
    form = forms.get(action)
    if action == "remove-plan":
        doc["plans"] = [p for p in doc["plans"] if p["code"] != request.POST.get("code")]
    elif form is not None and form.is_valid():
        if action == "resource":
            doc["resources"].append(form.cleaned_data)
        elif action == "plan":
            doc["plans"].append(form.plan())
        else:
            plan = next(p for p in doc["plans"] if p["code"] == form.cleaned_data["plan"])
            plan["charges"].append(form.charge())
    elif request.method == "POST":
        return render(request, "marketplace/step_pricing.html", _ctx(request, listing, version, "pricing",
                      forms=forms, doc=doc))  # fmt: skip
    if request.method == "POST":
        try:
            services.set_pricing(actor=request.user, listing=listing, document=doc)
        except ValidationError as exc:
            messages.error(request, "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items()))
        else:
            messages.success(request, _("Draft saved."))
            return redirect(request.path)
        version = _editing(request, listing)
        doc = pricing_document.read(version)
    return render(request, "marketplace/step_pricing.html", _ctx(request, listing, version, "pricing", forms=forms,
                  doc=doc))  # fmt: skip


@login_required
def step_provisioning(request: HttpRequest, listing_id: int) -> HttpResponse:
    listing = selectors.listing(actor=request.user, pk=listing_id)
    version = _editing(request, listing)
    initial = {"mode": version.provisioning_mode, "url": version.provisioning_url,
               "email": version.provisioning_email}  # fmt: skip
    if request.method == "POST" and request.POST.get("action") == "conformance":
        try:
            run = services.conformance_check(actor=request.user, listing=listing)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            (messages.success if run.passed else messages.error)(
                request, _("The conformance check passed.") if run.passed else _("The conformance check failed.")
            )
        return redirect(request.path)
    form = ProvisioningForm(request.POST or None, initial=initial)
    return _step(request, listing, form, lambda: services.set_provisioning(actor=request.user, listing=listing,
                 **form.cleaned_data), "provisioning", "marketplace/step_provisioning.html",
                 run=conformance_view(latest_run(version)), token_saved=bool(version.provisioning_token),
                 check_ok=passed_for(version))  # fmt: skip


def conformance_view(run) -> dict | None:
    """A stored report for the page: each check's reason and each call's reason in the reader's language."""
    if run is None:
        return None

    def text(reason) -> str:
        return str(Reason.from_dict(reason)) if reason else ""

    checks = [{**c, "verdict_label": VERDICT_LABELS.get(c["verdict"], c["verdict"]), "reason_text": text(c["reason"]),
               "calls": [{**call, "reason_text": text(call.get("reason"))} for call in c["calls"]]}
              for c in run.report.get("checks", [])]  # fmt: skip
    return {"run": run, "checks": checks}


@login_required
def step_storefronts(request: HttpRequest, listing_id: int) -> HttpResponse:
    listing = selectors.listing(actor=request.user, pk=listing_id)
    version = _editing(request, listing)
    initial = {"codes": [s.code for s in version.storefronts.all()]}
    form = StorefrontsForm(request.POST or None, initial=initial, storefronts=selectors.storefronts())
    return _step(request, listing, form, lambda: services.set_storefronts(actor=request.user, listing=listing,
                 **form.cleaned_data), "storefronts", "marketplace/step_storefronts.html")  # fmt: skip
