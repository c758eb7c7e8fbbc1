"""Forms of the order, subscription and provisioning pages: they parse; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ProvisioningRequest

QUANTITY = {"min_value": 0, "max_value": 1_000_000}


def _quantity_fields(form: forms.Form, resources, initial: dict) -> None:
    """One whole-number field per counted resource: ``quantities.<code>`` (the service's error key)."""
    for code, label in resources:
        form.fields[f"quantities.{code}"] = forms.IntegerField(label=label, initial=initial.get(code, 1), **QUANTITY)


def quantities_of(form: forms.Form) -> dict[str, int]:
    return {k.split(".", 1)[1]: v for k, v in form.cleaned_data.items() if k.startswith("quantities.")}


class OrderForm(forms.Form):
    customer = forms.ChoiceField(label=_("Customer"), required=False)

    def __init__(self, *args, resources=(), customers=None, **kwargs):
        super().__init__(*args, **kwargs)
        _quantity_fields(self, resources, {})
        if customers is None:
            del self.fields["customer"]
        else:
            self.fields["customer"].required = True
            self.fields["customer"].choices = [(str(c.pk), f"{c.name} ({c.inn})") for c in customers]


class ChangeForm(forms.Form):
    plan = forms.ChoiceField(label=_("Plan"))

    def __init__(self, *args, plans=(), resources=(), current: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].choices = plans
        _quantity_fields(self, resources, current or {})


class CustomerForm(forms.Form):
    name = forms.CharField(label=_("Company name"), max_length=200)
    inn = forms.CharField(label=_("INN"), max_length=12, min_length=10)
    email = forms.EmailField(label=_("Contact e-mail"), required=False)


class UsageForm(forms.Form):
    metric = forms.ChoiceField(label=_("Metric"))
    quantity = forms.DecimalField(label=_("Quantity"), min_value=0, max_digits=18, decimal_places=6)

    def __init__(self, *args, metrics=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["metric"].choices = metrics  # (code, name) of the plan's metered resources


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Your answer"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class QuestionForm(forms.Form):
    question = forms.CharField(label=_("Question to the customer"), widget=forms.Textarea(attrs={"rows": 3}),
                               max_length=2000)  # fmt: skip


class CompleteForm(forms.Form):
    parameters = forms.CharField(
        label=_("Access parameters"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000, required=False,
        help_text=_("One per line: name = value (e.g. Address = https://crm.example/c1)."),
    )  # fmt: skip
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)

    def clean_parameters(self) -> dict[str, str]:
        out = {}
        for line in (self.cleaned_data.get("parameters") or "").splitlines():
            if not line.strip():
                continue
            name, sep, value = line.partition("=")
            if not sep or not name.strip():
                raise forms.ValidationError(_("Write each parameter as name = value."))
            out[name.strip()] = value.strip()
        return out


class FailForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class RequestFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Open")), *ProvisioningRequest.Status.choices])  # fmt: skip
    mode = forms.ChoiceField(label=_("Provisioning"), required=False,
                             choices=[("", _("Any")), ("api", _("Vendor API")), ("manual", _("Manual"))])  # fmt: skip
