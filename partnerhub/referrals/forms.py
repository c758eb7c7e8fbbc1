from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from partnerhub.core.money import CURRENCY_CHOICES
from partnerhub.identity.validators import validate_inn
from partnerhub.programmes.selectors import family_choices

DATE = forms.DateInput(attrs={"type": "date"})


class LinkForm(forms.Form):
    target = forms.CharField(
        label=_("Page"),
        max_length=500,
        initial="/",
        help_text=_("A path on the vendor's site, such as /pricing/, or a full address on one of its sites."),
    )
    campaign = forms.CharField(
        label=_("Campaign"),
        max_length=100,
        required=False,
        help_text=_("Your label, to tell links apart: a site, a newsletter, a banner."),
    )


class PeriodForm(forms.Form):
    since = forms.DateField(label=_("From"), required=False, widget=DATE)
    until = forms.DateField(label=_("To"), required=False, widget=DATE)
    interval = forms.ChoiceField(
        label=_("By"),
        required=False,
        choices=[("day", _("day")), ("week", _("week")), ("month", _("month"))],
    )

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise ValidationError({"until": _("The end date is before the start date.")})
        return data


class TrafficForm(forms.Form):
    threshold = forms.IntegerField(
        label=_("Flag a fall of more than (%)"),
        min_value=1,
        max_value=100,
        required=False,
        initial=settings.REFERRAL_FALLING_THRESHOLD_PERCENT,
    )


class SignupForm(forms.Form):
    company_name = forms.CharField(label=_("Company name"), max_length=200)
    inn = forms.CharField(label=_("INN"), max_length=12, validators=[validate_inn])
    full_name = forms.CharField(label=_("Your name"), max_length=200, required=False)
    email = forms.EmailField(label=_("Work e-mail"))
    password = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput(render_value=False))
    referral_code = forms.CharField(
        label=_("Referral code"),
        max_length=32,
        required=False,
        help_text=_("If a partner gave you a code, enter it here."),
    )
    # Honeypot: hidden from people by the page, filled in by form-filling robots.
    homepage_url = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def is_robot(self) -> bool:
        return bool(self.data.get("homepage_url", "").strip())

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("homepage_url", None)
        return data


class PurchaseForm(forms.Form):
    customer_inn = forms.CharField(label=_("Customer's INN"), max_length=12, validators=[validate_inn])
    product_family = forms.ChoiceField(label=_("Product family"))
    amount = forms.DecimalField(label=_("Amount"), min_value=0, decimal_places=2, max_digits=18)
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES, initial=settings.DEFAULT_CURRENCY)
    sold_on = forms.DateField(label=_("Purchased on"), widget=DATE)
    reference = forms.CharField(
        label=_("Reference"), max_length=80, help_text=_("Invoice or order number: recording it twice changes nothing.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product_family"].choices = family_choices()
