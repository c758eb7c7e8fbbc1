from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from partnerhub.core.tenancy import actor_for

from . import selectors, services
from .forms import SaleFilterForm, SaleImportForm


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
            report = services.import_sales_file(actor=request.user, name=upload.name, size=upload.size,
                                                read=upload.read)  # fmt: skip
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
