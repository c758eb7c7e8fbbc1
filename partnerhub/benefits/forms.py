from django import forms
from django.utils.translation import gettext_lazy as _

from .models import BenefitRequest, Kind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RequestForm(forms.Form):
    entitlement = forms.ChoiceField(label=_("Benefit"), choices=())
    quantity = forms.IntegerField(label=_("Quantity (licences, or users for internal use)"), min_value=1,
                                  max_value=10000, initial=1)  # fmt: skip
    note = forms.CharField(label=_("What for (customer, product, dates)"), required=False, max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip

    def __init__(self, *args, entitlements=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entitlement"].choices = [(e.key, f"{e.benefit} — {e.programme}") for e in entitlements]

    def service_args(self) -> dict:
        programme_id, kind = self.cleaned_data["entitlement"].split(":", 1)
        return {"programme_id": int(programme_id), "kind": kind, "quantity": self.cleaned_data["quantity"],
                "note": self.cleaned_data["note"]}  # fmt: skip


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)


class FulfilForm(forms.Form):
    licence_key = forms.CharField(label=_("Licence key"), required=False, max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip
    expires_on = forms.DateField(label=_("Expires on"), required=False, widget=DATE,
                                 help_text=_("Empty: the benefit's term (a year for licences)."))  # fmt: skip
    note = forms.CharField(label=_("Note"), required=False, max_length=5000)


class FilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Any")), *BenefitRequest.Status.choices])  # fmt: skip
    kind = forms.ChoiceField(label=_("Benefit"), required=False, choices=[("", _("Any")), *Kind.choices])
