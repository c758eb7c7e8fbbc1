from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from partnerhub.core.forms import add_service_errors
from partnerhub.core.money import CURRENCY_CHOICES
from partnerhub.identity.validators import validate_inn
from partnerhub.programmes.selectors import family_choices

from .models import Claim, ClaimConflict, ClaimLine

LINES = 3
DATE = forms.DateInput(attrs={"type": "date"})


class DealForm(forms.Form):
    customer_name = forms.CharField(label=_("Customer company name"), max_length=300)
    customer_inn = forms.CharField(label=_("Customer INN"), max_length=12, validators=[validate_inn])
    customer_domain = forms.CharField(label=_("Customer e-mail domain or website"), max_length=200, required=False)
    customer_region = forms.CharField(label=_("Region"), max_length=100, required=False)
    customer_city = forms.CharField(label=_("City"), max_length=100, required=False)
    title = forms.CharField(label=_("Deal name"), max_length=200, required=False)
    cooperation_model = forms.ChoiceField(label=_("Cooperation model"), choices=Claim.Model.choices)
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES, initial="RUB")
    expected_close_on = forms.DateField(label=_("Expected close date"), widget=DATE)
    contact_name = forms.CharField(label=_("Your contact person"), max_length=200, required=False)
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=40, required=False)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    programme = forms.ChoiceField(label=_("Programme"), required=False)

    def __init__(self, *args, programmes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].choices = [("", "—")] + [(p.code, str(p)) for p in programmes]
        if len(programmes) <= 1:
            del self.fields["programme"]
        families = [("", "—"), *family_choices()]
        for i in range(1, LINES + 1):
            first = i == 1
            self.fields[f"line{i}_product_family"] = forms.ChoiceField(
                label=_("Product family %(n)s") % {"n": i}, choices=families, required=first
            )
            self.fields[f"line{i}_product"] = forms.CharField(label=_("Product"), max_length=200, required=False)
            self.fields[f"line{i}_sale_type"] = forms.ChoiceField(label=_("Sale type"),
                                                                  choices=ClaimLine.SaleType.choices)  # fmt: skip
            self.fields[f"line{i}_amount"] = forms.DecimalField(
                label=_("Expected amount"), max_digits=18, decimal_places=2, required=first, min_value=Decimal("0.01")
            )

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        lines = []
        for i in range(1, LINES + 1):
            fam, product = data.pop(f"line{i}_product_family"), data.pop(f"line{i}_product")
            sale_type, amount = data.pop(f"line{i}_sale_type"), data.pop(f"line{i}_amount")
            if fam or amount is not None:
                lines.append({"product_family": fam, "product": product, "sale_type": sale_type, "amount": amount})
        data["lines"] = lines
        data.pop("programme", None)
        return data

    def add_errors(self, exc: ValidationError) -> None:
        """Map the service's ``lines[0].amount`` keys onto this form's ``line1_amount`` fields."""
        if hasattr(exc, "error_dict"):
            mapped = {}
            for key, errs in exc.error_dict.items():
                if key.startswith("lines[") and "]." in key:
                    n, attr = key[6:].split("].", 1)
                    key = f"line{int(n) + 1}_{attr}"
                elif key == "lines":
                    key = "line1_product_family"
                mapped[key] = errs
            exc = ValidationError(mapped)
        add_service_errors(self, exc)


class DirectForm(forms.Form):
    customer_name = forms.CharField(label=_("Customer company name"), max_length=300)
    customer_inn = forms.CharField(label=_("Customer INN"), max_length=12, validators=[validate_inn])
    customer_domain = forms.CharField(label=_("Customer e-mail domain or website"), max_length=200, required=False)
    customer_region = forms.CharField(label=_("Region"), max_length=100, required=False)
    customer_city = forms.CharField(label=_("City"), max_length=100, required=False)
    title = forms.CharField(label=_("Opportunity"), max_length=200, required=False)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class StageForm(forms.Form):
    stage = forms.ChoiceField(label=_("Move to"), choices=Claim.Stage.choices)
    lock_version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("Comment"), max_length=2000, required=False)


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ResolveForm(forms.Form):
    resolution = forms.ChoiceField(
        label=_("Decision"), choices=[c for c in ClaimConflict.Resolution.choices if c[0] != "open"]
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    evidence = forms.FileField(label=_("Customer's written choice"), required=False)


class ExtensionForm(forms.Form):
    reason = forms.CharField(label=_("Why the deal needs more time"), widget=forms.Textarea(attrs={"rows": 2}))
    evidence = forms.FileField(label=_("Evidence"), required=False)


class ExtensionDecisionForm(forms.Form):
    grant = forms.TypedChoiceField(
        label=_("Decision"), choices=[("1", _("Grant")), ("0", _("Refuse"))], coerce=lambda v: v == "1"
    )
    reason = forms.CharField(label=_("Reason"), required=False)
