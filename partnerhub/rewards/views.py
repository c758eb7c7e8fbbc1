from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerhub.core.forms import add_service_errors
from partnerhub.core.pagination import Paginator
from partnerhub.core.problems import Problem
from partnerhub.core.tenancy import actor_for
from partnerhub.identity import selectors as identity_selectors

from . import selectors, services
from .forms import (
    PriceListFileForm,
    ProductFilterForm,
    ProductForm,
    RateForm,
    RatesFileForm,
    SaleFilterForm,
    SaleImportForm,
)
from .models import PriceList
from .services import catalogue, rates


def _can_import(user) -> bool:
    return bool(actor_for(user).vendor_roles & {"vendor_admin", "finance"})


@login_required
def sale_list(request: HttpRequest) -> HttpResponse:
    form = SaleFilterForm(request.GET or None)
    filters = {k: v for k, v in (form.cleaned_data if form.is_valid() else {}).items() if v}
    if "currency" in filters:
        filters["currency"] = filters["currency"].upper()
    qs = selectors.sales(actor=request.user, **filters)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    ctx = {"form": form, "page": page, "totals": selectors.totals(qs), "query": query.urlencode(),
           "import_form": SaleImportForm() if _can_import(request.user) else None, "import_errors": []}  # fmt: skip
    return render(request, "rewards/sales.html", ctx)


@login_required
def sale_import(request: HttpRequest) -> HttpResponse:
    form = SaleImportForm(request.POST or None, request.FILES or None)
    errors: list = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = services.import_sales_file(actor=request.user, file=upload)
        except ValidationError as exc:
            errors = [(field, m) for field, msgs in exc.message_dict.items() for m in msgs]
        else:
            messages.success(request, _("Imported %(created)s sales; %(skipped)s already imported.") % vars(report))
            return redirect("sale-list")
    elif request.method == "POST":
        errors = [(field, m) for field, msgs in form.errors.items() for m in msgs]
    qs = selectors.sales(actor=request.user)
    ctx = {"form": SaleFilterForm(), "page": Paginator(qs, 50).get_page(1), "totals": selectors.totals(qs),
           "import_form": form, "import_errors": errors, "query": ""}  # fmt: skip
    return render(request, "rewards/sales.html", ctx, status=422 if errors else 200)


# ---------------------------------------------------------------- products and price lists


@login_required
def product_list(request: HttpRequest) -> HttpResponse:
    """The vendor's products with the prices in force; vendor staff add products and price lists here."""
    who = actor_for(request.user)
    form = ProductFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    currency, kind = data.get("currency") or "RUB", data.get("kind") or PriceList.Kind.RETAIL
    on = data.get("on") or timezone.localdate()
    product_form = ProductForm(request.POST or None, prefix="p") if "p-sku" in request.POST else ProductForm(prefix="p")
    list_form = PriceListFileForm(request.POST or None, request.FILES or None, prefix="l") if "l-name" in request.POST \
        else PriceListFileForm(prefix="l")  # fmt: skip
    if request.method == "POST":
        catalogue.require_catalogue_manager(request.user)
        bound = product_form if product_form.is_bound else list_form
        if bound.is_valid():
            try:
                if bound is product_form:
                    catalogue.save_product(actor=request.user, **product_form.cleaned_data)
                    messages.success(request, _("Product saved."))
                else:
                    d = dict(list_form.cleaned_data)
                    upload = d.pop("file")
                    catalogue.import_price_list_file(actor=request.user, **d, file=upload)
                    messages.success(request, _("Price list created."))
            except ValidationError as exc:
                add_service_errors(bound, exc)
            else:
                return redirect("product-list")
    qs = selectors.products(actor=request.user, family=data.get("family") or "", q=data.get("q") or "")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    rows = selectors.priced(page.object_list, currency=currency, kind=kind, on=on)
    org = identity_selectors.home_organisation(actor=request.user, preferred_id=request.session.get("organisation_id"))
    query = request.GET.copy()
    query.pop("page", None)
    ctx = {
        "form": form, "page": page, "rows": rows, "currency": currency, "kind": kind, "on": on,
        "query": query.urlencode(),
        "can_manage": bool(who.vendor_roles & {"vendor_admin", "finance"}),
        "product_form": product_form, "list_form": list_form,
        "price_lists": selectors.price_lists(actor=request.user)[:20],
        "partner_org": org if org is not None and org.kind == "partner" else None,
    }  # fmt: skip
    errors = product_form.errors or list_form.errors
    return render(request, "rewards/products.html", ctx, status=422 if errors else 200)


@login_required
def price_list_download(request: HttpRequest, org_id: int) -> HttpResponse:
    from .api_catalogue import price_list_response

    org = identity_selectors.organisation(actor=request.user, pk=org_id)
    form = ProductFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    return price_list_response(request.user, org, data.get("currency") or "RUB",
                               data.get("kind") or PriceList.Kind.RETAIL, data.get("on"))  # fmt: skip


# ---------------------------------------------------------------- exchange rates


def _rates_done(request: HttpRequest, report) -> HttpResponse:
    messages.success(request, _("Rates of %(date)s: %(created)s recorded, %(skipped)s already known.")
                     % {"date": report.on, "created": report.created, "skipped": report.skipped})  # fmt: skip
    return redirect("rate-list")


@login_required
def rate_list(request: HttpRequest) -> HttpResponse:
    who = actor_for(request.user)
    rate_form = RateForm(request.POST or None, prefix="r") if "r-currency" in request.POST else RateForm(prefix="r")
    file_form = RatesFileForm(request.POST or None, request.FILES or None, prefix="f") if "f-upload" in request.POST \
        else RatesFileForm(prefix="f")  # fmt: skip
    if request.method == "POST":
        catalogue.require_catalogue_manager(request.user)
        try:
            if rate_form.is_bound:
                if rate_form.is_valid():
                    rates.set_rate(actor=request.user, **rate_form.cleaned_data)
                    messages.success(request, _("Rate saved."))
                    return redirect("rate-list")
            elif file_form.is_bound:
                if file_form.is_valid():
                    report = rates.import_cbr_daily_file(actor=request.user, file=file_form.cleaned_data["file"])
                    return _rates_done(request, report)
            elif "fetch" in request.POST:
                return _rates_done(request, rates.fetch_cbr_daily(actor=request.user))
        except ValidationError as exc:
            add_service_errors(rate_form if rate_form.is_bound else file_form, exc)
        except Problem as exc:
            messages.error(request, exc.detail)
    qs = selectors.exchange_rates(actor=request.user, currency=(request.GET.get("currency") or "").upper()[:3])
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    ctx = {"page": page, "query": "", "rate_form": rate_form, "file_form": file_form,
           "can_manage": bool(who.vendor_roles & {"vendor_admin", "finance"}),
           "can_fetch": bool(getattr(settings, "REWARDS_CBR_URL", ""))}  # fmt: skip
    status = 422 if (rate_form.errors or file_form.errors) else 200
    return render(request, "rewards/rates.html", ctx, status=status)
