"""Pages of the leads context: the vendor's lead list and lead page, the partner's lead inbox, and
"contact this partner" on the public partner locator (the catalogue). Thin over selectors and services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partnerhub.core import geo
from partnerhub.core.forms import add_service_errors
from partnerhub.core.middleware import client_ip
from partnerhub.core.pagination import Paginator
from partnerhub.core.problems import Problem
from partnerhub.core.tenancy import actor_for
from partnerhub.identity.models import Organisation
from partnerhub.identity.roles import Perm
from partnerhub.identity.services import has_perm, vendor_organisation
from partnerhub.onboarding.selectors import catalogue_entry
from partnerhub.programmes.selectors import names_in_force

from . import selectors, services
from .forms import AcceptForm, CloseForm, ContactForm, DeclineForm, LeadForm, RouteForm
from .models import Lead, LeadOffer

# ---------------------------------------------------------------------------- vendor


def _can_manage(user) -> bool:
    vendor = vendor_organisation()
    return vendor is not None and has_perm(actor=user, perm=Perm.LEADS_MANAGE, organisation=vendor)


@login_required
def lead_list(request: HttpRequest) -> HttpResponse:
    if not actor_for(request.user).is_vendor_staff:
        return redirect("lead-inbox")
    status, source, q = (request.GET.get(k, "").strip() for k in ("status", "source", "q"))
    qs = selectors.leads(actor=request.user, status=status, source=source, q=q)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    ctx = {
        "page": page, "query": query.urlencode(), "status": status, "source": source, "q": q,
        "statuses": Lead.Status.choices, "sources": Lead.Source.choices,
        "stats": selectors.stats(actor=request.user), "can_manage": _can_manage(request.user),
    }  # fmt: skip
    return render(request, "leads/list.html", ctx)


@login_required
def lead_create(request: HttpRequest) -> HttpResponse:
    if not actor_for(request.user).is_vendor_staff:
        raise Http404
    if not _can_manage(request.user):
        raise PermissionDenied(_("Leads are created and routed by the vendor's staff."))
    form = LeadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            lead = services.create_lead(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if lead.status == Lead.Status.OFFERED:
                messages.success(request, _("Lead saved and offered to the best eligible partner."))
            else:
                messages.warning(request, _("Lead saved, but no eligible partner was found: route it by hand."))
            return redirect("lead-detail", lead.pk)
    return render(request, "leads/create.html", {"form": form, "region_names": geo.region_names()})


def _detail(request: HttpRequest, lead: Lead, *, route_form=None, close_form=None, status: int = 200):
    choices = selectors.routing_choices(actor=request.user, lead=lead) if _can_manage(request.user) else []
    offers = list(selectors.offer_history(actor=request.user, lead=lead))
    names = names_in_force(programme_ids={o.programme_id for o in offers if o.programme_id}, on=timezone.localdate())
    for o in offers:  # the tier the partner stood in, by its name
        o.tier_name = names.tier(o.programme_id, o.tier_code)
    ctx = {
        "lead": lead,
        "offers": offers,
        "can_manage": _can_manage(request.user) and lead.is_open,
        "route_form": route_form or RouteForm(candidates=choices, automatic=lead.status != Lead.Status.OFFERED),
        "close_form": close_form or CloseForm(),
        "district": geo.district_label(geo.locate(region=lead.region, city=lead.city)[1]),
    }
    return render(request, "leads/detail.html", ctx, status=status)


@login_required
def lead_detail(request: HttpRequest, lead_id: int) -> HttpResponse:
    return _detail(request, selectors.lead(actor=request.user, pk=lead_id))


@login_required
@require_POST
def lead_route(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = selectors.lead(actor=request.user, pk=lead_id)
    form = RouteForm(request.POST, candidates=selectors.routing_choices(actor=request.user, lead=lead),
                     automatic=lead.status != Lead.Status.OFFERED)  # fmt: skip
    if form.is_valid():
        org_id = form.cleaned_data["organisation_id"]
        try:
            organisation = Organisation.objects.get_visible_or_404(request.user, pk=org_id) if org_id else None
            services.route_lead(actor=request.user, lead=lead, organisation=organisation,
                                reason=form.cleaned_data["reason"])  # fmt: skip
        except ValidationError as exc:
            add_service_errors(form, exc)
        except Problem as exc:
            form.add_error(None, exc.detail)
        else:
            messages.success(request, _("Lead routed."))
            return redirect("lead-detail", lead.pk)
    return _detail(request, selectors.lead(actor=request.user, pk=lead.pk), route_form=form)


@login_required
@require_POST
def lead_close(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = selectors.lead(actor=request.user, pk=lead_id)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            services.close_lead(actor=request.user, lead=lead, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        except Problem as exc:
            form.add_error(None, exc.detail)
        else:
            messages.success(request, _("Lead closed."))
            return redirect("lead-detail", lead.pk)
    return _detail(request, selectors.lead(actor=request.user, pk=lead.pk), close_form=form)


# ---------------------------------------------------------------------------- partner


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    if actor.is_vendor_staff:
        return redirect("lead-list")
    if not actor.org_ids:
        raise Http404
    status = request.GET.get("status", "").strip()
    page = Paginator(selectors.offers(actor=request.user, status=status), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    ctx = {"page": page, "query": query.urlencode(), "status": status, "statuses": LeadOffer.Status.choices}
    return render(request, "leads/inbox.html", ctx)


def _offer_page(request: HttpRequest, offer: LeadOffer, *, accept_form=None, decline_form=None, status: int = 200):
    is_open = offer.status == LeadOffer.Status.OFFERED
    can_answer = is_open and offer.organisation_id in actor_for(request.user).org_ids and has_perm(
        actor=request.user, perm=Perm.LEADS_RESPOND, organisation=offer.organisation)  # fmt: skip
    ctx = {
        "offer": offer, "lead": offer.lead, "can_answer": can_answer,
        "sees_contact": selectors.sees_contact(actor=request.user, offer=offer),
        "accept_form": accept_form or AcceptForm(lead=offer.lead),
        "decline_form": decline_form or DeclineForm(),
        "is_vendor": actor_for(request.user).is_vendor_staff,
    }  # fmt: skip
    return render(request, "leads/offer.html", ctx, status=status)


@login_required
def offer_detail(request: HttpRequest, offer_id: int) -> HttpResponse:
    return _offer_page(request, selectors.offer(actor=request.user, pk=offer_id))


@login_required
@require_POST
def offer_accept(request: HttpRequest, offer_id: int) -> HttpResponse:
    offer = selectors.offer(actor=request.user, pk=offer_id)
    form = AcceptForm(request.POST, lead=offer.lead)
    if form.is_valid():
        try:
            offer = services.accept_offer(actor=request.user, offer=offer, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except Problem as exc:
            form.add_error(None, exc.detail)
        else:
            claim = offer.lead.claim
            if claim.status == "protected":
                messages.success(request, _("Lead accepted: deal #%(id)s is registered and protected.") % {
                    "id": claim.pk})  # fmt: skip
            else:
                messages.warning(request, _("Lead accepted: deal #%(id)s is registered and under review because a "
                                            "possible conflict exists.") % {"id": claim.pk})  # fmt: skip
            return redirect("deal-detail", claim.pk)
    return _offer_page(request, selectors.offer(actor=request.user, pk=offer.pk), accept_form=form)


@login_required
@require_POST
def offer_decline(request: HttpRequest, offer_id: int) -> HttpResponse:
    offer = selectors.offer(actor=request.user, pk=offer_id)
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            services.decline_offer(actor=request.user, offer=offer, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        except Problem as exc:
            form.add_error(None, exc.detail)
        else:
            messages.success(request, _("Lead declined; it goes to another partner."))
            return redirect("lead-inbox")
    return _offer_page(request, selectors.offer(actor=request.user, pk=offer.pk), decline_form=form)


# ---------------------------------------------------------------------------- public: contact a partner


def contact(request: HttpRequest, org_id: int) -> HttpResponse:
    entry = catalogue_entry(org_id=org_id)  # 404 unless the partner is listed
    form = ContactForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if form.is_robot():  # tell a robot nothing
            messages.success(request, _("Thank you: your request is sent to the partner."))
            return redirect("catalogue-partner", org_id=entry.id)
        try:
            services.contact_partner(organisation_id=entry.id, ip=client_ip(request), **form.service_kwargs())
        except ValidationError as exc:
            add_service_errors(form, exc)
        except services.TooManyContacts as exc:
            form.add_error(None, exc.detail)
            status = 429
        else:
            messages.success(request, _("Thank you: your request is sent to the partner."))
            return redirect("catalogue-partner", org_id=entry.id)
    return render(request, "leads/contact.html", {"entry": entry, "form": form}, status=status)
