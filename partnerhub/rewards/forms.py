from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from partnerhub.core.money import CURRENCY_CHOICES

from .models import PriceList


class SaleFilterForm(forms.Form):
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    currency = forms.CharField(label=_("Currency"), required=False, max_length=3)
    product_family = forms.CharField(label=_("Product family"), required=False)
    organisation_id = forms.IntegerField(label=_("Partner id"), required=False, min_value=1)


class SaleImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"))


class ProductFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    family = forms.CharField(label=_("Product family"), required=False, max_length=50)
    currency = forms.ChoiceField(label=_("Currency"), required=False, choices=CURRENCY_CHOICES)
    kind = forms.ChoiceField(label=_("Prices"), required=False, choices=PriceList.Kind.choices)
    on = forms.DateField(label=_("On"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class ProductForm(forms.Form):
    sku = forms.CharField(label=_("SKU"), max_length=64)
    family = forms.CharField(label=_("Product family"), max_length=50)
    name = forms.CharField(label=_("Name"), max_length=300)
    name_en = forms.CharField(label=_("Name (English)"), max_length=300, required=False)
    is_active = forms.BooleanField(label=_("On sale"), required=False, initial=True)


class PriceListFileForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Prices"), choices=PriceList.Kind.choices)
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES)
    valid_from = forms.DateField(label=_("Valid from"), widget=forms.DateInput(attrs={"type": "date"}))
    valid_until = forms.DateField(
        label=_("Valid until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    file = forms.FileField(label=_("CSV or XLSX file (columns sku, price)"))


class RateForm(forms.Form):
    currency = forms.ChoiceField(label=_("Currency"), choices=[c for c in CURRENCY_CHOICES if c[0] != "RUB"])
    on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    value = forms.CharField(label=_("Roubles"), max_length=30)
    nominal = forms.IntegerField(label=_("Per units"), min_value=1, initial=1)


class RatesFileForm(forms.Form):
    file = forms.FileField(label=_("Bank of Russia daily rates (XML_daily)"))


class PostingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Posting"), choices=[
        ("adjustment", _("Adjustment")), ("release", _("Released for payment")), ("hold", _("Put on hold")),
        ("unhold", _("Released from hold"))])  # fmt: skip
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES)
    amount = forms.CharField(label=_("Amount"), max_length=30, help_text=_("an adjustment may be negative"))
    reason = forms.CharField(label=_("Reason"), max_length=500)


class PayoutRunForm(forms.Form):
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES)
    minimum = forms.CharField(label=_("Minimum payable balance"), max_length=30, initial="0",
                              help_text=_("smaller balances wait for a later run"))  # fmt: skip


class SalePaymentForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount paid"), max_digits=18, decimal_places=2, min_value=Decimal("0.01"))
    paid_on = forms.DateField(label=_("Paid on"), widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(label=_("Payment reference"), required=False, max_length=100)
