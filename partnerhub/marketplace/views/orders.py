"""Pages of orders and subscriptions: order a plan, my subscriptions, a subscription with its changes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from partnerhub.core.forms import add_service_errors
from partnerhub.core.pagination import Paginator
from partnerhub.identity import selectors as identity_selectors
from partnerhub.identity.roles import OrgKind

from .. import billing, selectors, selectors_orders
from ..forms_orders import AnswerForm, ChangeForm, CustomerForm, OrderForm, UsageForm, quantities_of
from ..models import Subscription
from ..services import access, orders, provisioning

PAGE_SIZE = 50


def _home(request: HttpRequest):
    return identity_selectors.home_organisation(actor=request.user, preferred_id=request.session.get("organisation_id"))


def resource_names(version, language: str, *, unit: bool = False) -> dict[str, str]:
    """A version's resources by name in ``language`` (with the unit, for a quantity field), not by code."""
    return {r.code: f"{r.name(language) or r.code}, {r.unit}" if unit else r.name(language) or r.code
            for r in version.resources.all()}  # fmt: skip


def _resources(version, plan, language: str) -> list[tuple[str, str]]:
    names = resource_names(version, language, unit=True)
    return [(code, names.get(code, code)) for code in billing.counted_resources(plan)]


@login_required
def order(request: HttpRequest, code: str, listing_id: int, plan_code: str) -> HttpResponse:
    sf = selectors.storefront(code=code)
    v = selectors.public_listing(storefront=sf, pk=listing_id)
    plan = next((p for p in v.plans.all() if p.code == plan_code), None)
    if plan is None:
        raise Http404
    org = _home(request)
    if org is None or org.kind not in (OrgKind.CUSTOMER, OrgKind.PARTNER):
        messages.error(request, _("Only customers, and partners for their customers, order on the marketplace."))
        return redirect("store-listing", code=sf.code, listing_id=listing_id)
    links = None
    if org.kind == OrgKind.PARTNER:
        links = [link.customer for link in selectors_orders.partner_customers(actor=request.user, partner=org)]
    form = OrderForm(request.POST or None, resources=_resources(v, plan, sf.language), customers=links)
    if request.method == "POST" and form.is_valid():
        if links is None:
            customer, partner = org, None
        else:
            customer = selectors_orders.partner_customer(actor=request.user, partner=org,
                                                         pk=int(form.cleaned_data["customer"]))  # fmt: skip
            partner = org
        try:
            sub = orders.order_place(actor=request.user, storefront=sf, listing_id=listing_id, plan_code=plan.code,
                                     customer=customer, partner=partner, quantities=quantities_of(form))  # fmt: skip
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Ordered. The vendor is provisioning the service; nothing is billed until "
                                        "it is ready."))  # fmt: skip
            return redirect("subscription", subscription_id=sub.pk)
    plans = [p for p in selectors.priced_plans(v, sf) if p["code"] == plan.code]
    ctx = {"sf": sf, "v": v, "text": v.texts.all()[0], "plan": plans[0], "form": form, "org": org}
    return render(request, "marketplace/order.html", ctx)


@login_required
def subscription_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in Subscription.Status.values else ""
    qs = selectors_orders.subscriptions(actor=request.user, status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    ctx = {"page": page, "status": status, "statuses": Subscription.Status.choices,
           "query": f"status={status}" if status else ""}  # fmt: skip
    return render(request, "marketplace/subscriptions.html", ctx)


def _metered(sub: Subscription, names: dict[str, str]) -> list[tuple[str, str]]:
    """The metrics usage can be reported for: the plan's metered resources, (code, name)."""
    return [(code, names.get(code, code)) for code in sorted(billing.metered_resources(sub.plan))]


def _change_form(request, sub: Subscription, data=None) -> ChangeForm:
    plans = list(sub.version.plans.prefetch_related("charges__resource"))
    chosen = next((p for p in plans if data and p.code == data.get("plan")), sub.plan)
    language = get_language()
    choices = [(p.code, p.name(language)) for p in plans if not p.is_trial or p.pk == sub.plan_id]
    resources = _resources(sub.version, chosen, language)
    return ChangeForm(data, plans=choices, resources=resources, current=sub.quantities,
                      initial={"plan": sub.plan_code})  # fmt: skip


def _act(request, sub: Subscription, action: str):
    """Run the POSTed action; a form with errors to show again, or None when done."""
    user = request.user
    if action == "change":
        form = _change_form(request, sub, request.POST)
        if form.is_valid():
            try:
                req = orders.subscription_change(actor=user, subscription=sub, plan_code=form.cleaned_data["plan"],
                                                 quantities=quantities_of(form))  # fmt: skip
            except ValidationError as exc:
                add_service_errors(form, exc)
                return {"change_form": form}
            messages.success(request, _("Change requested; prorated: %(amount)s %(currency)s.")
                             % {"amount": req.proration, "currency": sub.currency})  # fmt: skip
            return None
        return {"change_form": form}
    if action == "answer":
        form = AnswerForm(request.POST)
        req = sub.requests.filter(status="inquiring").first()
        if form.is_valid() and req is not None:
            provisioning.request_answer(actor=user, request=req, answer=form.cleaned_data["answer"])
            return None
        return {"answer_form": form}
    if action == "usage":
        form = UsageForm(request.POST, metrics=_metered(sub, resource_names(sub.version, get_language())))
        if form.is_valid():
            try:
                orders.usage_report(actor=user, subscription=sub, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
                return {"usage_form": form}
            return None
        return {"usage_form": form}
    simple = {"cancel": orders.subscription_cancel, "pause": orders.subscription_suspend,
              "resume": orders.subscription_resume}  # fmt: skip
    if action == "suspend_unpaid":
        orders.subscription_suspend(actor=user, subscription=sub, unpaid=True)
    elif action in simple:
        simple[action](actor=user, subscription=sub)
    return None


def dispatch_action(request: HttpRequest, act, obj) -> dict | None:
    """Run the POSTed ``action`` on ``obj``: None when done (the page redirects), else the forms to show again
    (none after an action the service refused: its reason is shown as a message)."""
    try:
        return act(request, obj, request.POST.get("action", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return {}


@login_required
def subscription_detail(request: HttpRequest, subscription_id: int) -> HttpResponse:
    sub = selectors_orders.subscription(actor=request.user, pk=subscription_id)
    forms = dispatch_action(request, _act, sub) if request.method == "POST" else {}
    if forms is None:
        return redirect("subscription", subscription_id=sub.pk)
    requests = list(selectors_orders.subscription_requests(subscription=sub)[:50])
    names = resource_names(sub.version, get_language())
    metered = _metered(sub, names)
    ctx = {
        "sub": sub, "requests": requests, "usage": selectors_orders.usage(subscription=sub)[:20],
        "open_request": next((r for r in requests if r.is_open), None),
        "is_buyer": access.is_buyer(request.user, sub), "is_vendor": access.is_vendor_side(request.user, sub),
        "is_operator": access.is_operator(request.user),
        "change_form": forms.get("change_form") or _change_form(request, sub),
        "answer_form": forms.get("answer_form") or AnswerForm(),
        "usage_form": forms.get("usage_form") or (UsageForm(metrics=metered) if metered else None),
        "quantities": [(names.get(code, code), n) for code, n in (sub.quantities or {}).items()],
        "name": selectors_orders.listing_name(sub.version, get_language()),
    }  # fmt: skip
    return render(request, "marketplace/subscription.html", ctx)


@login_required
def customers(request: HttpRequest) -> HttpResponse:
    """A partner's customers (it orders for them) and the form to register one."""
    org = _home(request)
    if org is None or org.kind != OrgKind.PARTNER:
        raise Http404
    form = CustomerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            orders.partner_customer_create(actor=request.user, partner=org, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Customer registered: you can order for it on the storefronts."))
            return redirect("marketplace-customers")
    page = Paginator(selectors_orders.partner_customers(actor=request.user, partner=org), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "marketplace/customers.html", {"org": org, "form": form, "page": page})
