import json
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partnerhub.core.forms import add_service_errors
from partnerhub.core.pagination import Paginator
from partnerhub.identity import selectors as identity_selectors
from partnerhub.identity.roles import OrgKind

from . import selectors, services
from .events import describe
from .forms import DeliveryFilterForm, EndpointForm
from .models import WebhookDelivery, WebhookEndpoint
from .permissions import may_manage, require_manage


def _current_org(request: HttpRequest):
    return identity_selectors.home_organisation(actor=request.user, preferred_id=request.session.get("organisation_id"))


@login_required
def endpoint_list(request: HttpRequest) -> HttpResponse:
    endpoints = selectors.endpoints(actor=request.user)  # 403 for roles without webhooks
    org = _current_org(request)
    can_create = bool(org and org.kind in (OrgKind.PARTNER, OrgKind.VENDOR) and may_manage(request.user, org))
    ctx = {
        "endpoints": endpoints, "org": org, "can_create": can_create,
        "event_types": selectors.event_types(), "several_orgs": len({e.organisation_id for e in endpoints}) > 1,
    }  # fmt: skip
    return render(request, "webhooks/endpoint_list.html", ctx)


@login_required
def endpoint_create(request: HttpRequest) -> HttpResponse:
    org = _current_org(request)
    if org is None:
        return redirect("home")
    require_manage(actor=request.user, organisation=org)
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint, secret = services.endpoint_create(actor=request.user, organisation=org, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Endpoint created."))
            return _render_detail(request, endpoint, new_secret=secret)
    return render(request, "webhooks/endpoint_form.html", {"form": form, "org": org, "endpoint": None})


def _render_detail(request: HttpRequest, endpoint: WebhookEndpoint, *, new_secret: str = "") -> HttpResponse:
    filters = DeliveryFilterForm(request.GET or None)
    chosen = {k: v for k, v in filters.cleaned_data.items() if v} if filters.is_valid() else {}
    qs = selectors.deliveries(actor=request.user, endpoint=endpoint, **chosen)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in request.GET.items() if k in filters.fields and v})
    ctx = {
        "endpoint": endpoint, "page": page, "filters": filters, "query": query, "new_secret": new_secret,
        "can_manage": may_manage(request.user, endpoint.organisation),
        "event_types": [(name, describe(name)) for name in endpoint.event_types],
    }  # fmt: skip
    return render(request, "webhooks/endpoint_detail.html", ctx)


@login_required
def endpoint_detail(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    return _render_detail(request, selectors.endpoint(actor=request.user, pk=endpoint_id))


@login_required
def endpoint_edit(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = selectors.endpoint(actor=request.user, pk=endpoint_id)
    require_manage(actor=request.user, organisation=endpoint.organisation)
    initial = {f: getattr(endpoint, f) for f in services.EDITABLE_FIELDS}
    form = EndpointForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.endpoint_update(actor=request.user, endpoint=endpoint, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("webhook-detail", endpoint_id=endpoint.pk)
    return render(request, "webhooks/endpoint_form.html", {"form": form, "org": endpoint.organisation,
                                                           "endpoint": endpoint})  # fmt: skip


@login_required
def endpoint_delete(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = selectors.endpoint(actor=request.user, pk=endpoint_id)
    require_manage(actor=request.user, organisation=endpoint.organisation)
    if request.method == "POST":
        services.endpoint_delete(actor=request.user, endpoint=endpoint)
        messages.success(request, _("Endpoint deleted. Its deliveries stay in the log."))
        return redirect("webhook-list")
    return render(request, "webhooks/endpoint_delete.html", {"endpoint": endpoint})


@login_required
@require_POST
def endpoint_rotate(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = selectors.endpoint(actor=request.user, pk=endpoint_id)
    secret = services.endpoint_rotate_secret(actor=request.user, endpoint=endpoint)
    endpoint.refresh_from_db()
    messages.success(request, _("New secret created; the old one no longer signs anything."))
    return _render_detail(request, endpoint, new_secret=secret)


def _outcome_message(request: HttpRequest, delivery: WebhookDelivery) -> None:
    if delivery.status == WebhookDelivery.Status.SUCCEEDED:
        messages.success(
            request, _("Delivered: the receiver answered %(code)s.") % {"code": delivery.last_response_status}
        )
    elif delivery.status == WebhookDelivery.Status.PENDING:
        messages.success(request, _("Queued for delivery."))
    else:
        messages.error(request, _("Not delivered: %(error)s") % {"error": delivery.last_error or "—"})


@login_required
@require_POST
def endpoint_test(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = selectors.endpoint(actor=request.user, pk=endpoint_id)
    delivery = services.send_test_event(actor=request.user, endpoint=endpoint)
    delivery.refresh_from_db()
    _outcome_message(request, delivery)
    return redirect("webhook-delivery", delivery_id=delivery.pk)


@login_required
def delivery_detail(request: HttpRequest, delivery_id: int) -> HttpResponse:
    delivery = selectors.delivery(actor=request.user, pk=delivery_id)
    ctx = {
        "d": delivery, "endpoint": delivery.endpoint,
        "can_manage": may_manage(request.user, delivery.endpoint.organisation),
        "body": json.dumps(delivery.payload, indent=2, ensure_ascii=False, sort_keys=True),
        "redeliveries": selectors.deliveries(actor=request.user, endpoint=delivery.endpoint).filter(
            redelivery_of_id=delivery.redelivery_of_id or delivery.pk
        ),
    }  # fmt: skip
    return render(request, "webhooks/delivery_detail.html", ctx)


@login_required
@require_POST
def delivery_redeliver(request: HttpRequest, delivery_id: int) -> HttpResponse:
    delivery = selectors.delivery(actor=request.user, pk=delivery_id)
    again = services.redeliver(actor=request.user, delivery=delivery)
    again.refresh_from_db()
    _outcome_message(request, again)
    return redirect("webhook-delivery", delivery_id=again.pk)
