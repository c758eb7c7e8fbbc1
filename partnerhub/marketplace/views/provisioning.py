"""Pages of provisioning requests: the queue of the vendor (its manual tasks) and of operators, one request."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from partnerhub.core.formatting import money, number
from partnerhub.core.forms import add_service_errors
from partnerhub.core.pagination import Paginator

from .. import selectors_orders
from ..forms_orders import CompleteForm, FailForm, QuestionForm, RequestFilterForm
from ..provisioning.reasons import Reason
from ..services import access, provisioning
from .orders import dispatch_action, resource_names

PAGE_SIZE = 50


@login_required
def request_list(request: HttpRequest) -> HttpResponse:
    form = RequestFilterForm(request.GET or None)
    filters = {k: v for k, v in form.cleaned_data.items() if v} if form.is_valid() else {}
    qs = selectors_orders.requests(actor=request.user, open_only=True, **filters)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "marketplace/requests.html", {"form": form, "page": page, "query": urlencode(filters)})


FORMS = {"complete": CompleteForm, "fail": FailForm, "ask": QuestionForm}


def _act(request, req, action: str):
    user = request.user
    if action in FORMS:
        form = FORMS[action](request.POST)
        if not form.is_valid():
            return {f"{action}_form": form}
        try:
            if action == "complete":
                provisioning.request_complete(actor=user, request=req, parameters=form.cleaned_data["parameters"],
                                              note=form.cleaned_data["note"])  # fmt: skip
            elif action == "fail":
                provisioning.request_fail(actor=user, request=req, reason=form.cleaned_data["reason"])
            else:
                provisioning.request_ask(actor=user, request=req, question=form.cleaned_data["question"])
        except ValidationError as exc:
            add_service_errors(form, exc)
            return {f"{action}_form": form}
        return None
    if action == "take":
        provisioning.request_take(actor=user, request=req)
    elif action == "retry":
        provisioning.request_retry(actor=user, request=req)
        messages.success(request, _("The request is sent again."))
    return None


def _details(req) -> list[tuple[str, str]]:
    """The request's payload as people read it: the plan and resources by name, money and flags formatted."""
    version = req.subscription.version
    plans = {p.code: p.label for p in version.plans.all()}
    resources = resource_names(version, get_language())
    out = []
    for key, value in (req.payload or {}).items():
        if key == "plan":
            out.append((_("Plan"), plans.get(value, value)))
        elif key == "quantities":
            counts = ", ".join(f"{resources.get(k, k)}: {number(n)}" for k, n in (value or {}).items())
            out.append((_("Quantities"), counts or "—"))
        elif key == "recurring_amount":
            out.append((_("Price per period"), money(value, req.subscription.currency)))
        elif key == "unpaid":
            out.append((_("Unpaid"), _("yes") if value else _("no")))
        else:
            out.append((key, str(value)))
    return out


@login_required
def request_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    req = selectors_orders.request(actor=request.user, pk=request_id)
    forms = dispatch_action(request, _act, req) if request.method == "POST" else {}
    if forms is None:
        return redirect("marketplace-request", request_id=req.pk)
    sub = req.subscription
    error = Reason.from_dict(req.last_error) if req.last_error and req.last_error.get("message") else None
    ctx = {
        "req": req, "sub": sub, "error": error, "details": _details(req),
        "is_vendor": access.is_vendor_side(request.user, sub), "is_operator": access.is_operator(request.user),
        "complete_form": forms.get("complete_form") or CompleteForm(),
        "fail_form": forms.get("fail_form") or FailForm(), "ask_form": forms.get("ask_form") or QuestionForm(),
    }  # fmt: skip
    return render(request, "marketplace/request.html", ctx)
