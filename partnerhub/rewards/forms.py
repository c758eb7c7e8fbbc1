from django import forms
from django.utils.translation import gettext_lazy as _


class SaleFilterForm(forms.Form):
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    currency = forms.CharField(label=_("Currency"), required=False, max_length=3)
    product_family = forms.CharField(label=_("Product family"), required=False)
    organisation_id = forms.IntegerField(label=_("Partner id"), required=False, min_value=1)


class SaleImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"))
