"""A sale's page: its facts, the reward lines it gave (as far as the reader sees them), the customer's
payments and what they released; finance records a payment there or imports a file of them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partnerhub.core.forms import add_service_errors
from partnerhub.core.tenancy import actor_for

from . import selectors
from .forms import SaleImportForm, SalePaymentForm
from .models import SalePayment
from .services import payments


def _is_finance(user) -> bool:
    return bool(actor_for(user).vendor_roles & {"vendor_admin", "finance"})


def _page(request: HttpRequest, sale, form: SalePaymentForm | None, status: int = 200) -> HttpResponse:
    rows = list(selectors.sale_payments(actor=request.user, sale=sale))
    paid = sum((p.amount for p in rows), 0)
    lines = []
    for r in selectors.sale_ratings(actor=request.user, sale=sale):
        released = payments.released_part(reward=r.reward, paid=paid, total=sale.amount)
        lines.append({"rating": r, "released": r.reward if sale.paid_on else released})
    ctx = {"sale": sale, "payments": rows, "paid": paid, "unpaid": sale.amount - paid, "lines": lines,
           "form": form}  # fmt: skip
    return render(request, "rewards/sale_detail.html", ctx, status=status)


@login_required
def sale_detail(request: HttpRequest, sale_id: int) -> HttpResponse:
    sale = selectors.sale(actor=request.user, pk=sale_id)
    if request.method != "POST":
        return _page(request, sale, SalePaymentForm() if _is_finance(request.user) else None)
    form = SalePaymentForm(request.POST)
    if form.is_valid():
        try:
            payments.record_payment(actor=request.user, sale=sale, source=SalePayment.Source.MANUAL,
                                    **form.cleaned_data)  # fmt: skip
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Payment recorded."))
            return redirect("sale-detail", sale_id=sale.pk)
    return _page(request, sale, form, status=422)


@login_required
@require_POST
def payment_import(request: HttpRequest) -> HttpResponse:
    form = SaleImportForm(request.POST, request.FILES)
    errors: list = []
    if form.is_valid():
        try:
            n = payments.import_payments_file(actor=request.user, file=form.cleaned_data["file"])
        except ValidationError as exc:
            errors = [(field, m) for field, msgs in exc.message_dict.items() for m in msgs]
        else:
            messages.success(request, _("Imported %(n)s payments.") % {"n": n})
            return redirect("sale-list")
    else:
        errors = [(field, m) for field, msgs in form.errors.items() for m in msgs]
    for field, message in errors[:20]:
        messages.error(request, f"{field}: {message}")
    return redirect("sale-list")
