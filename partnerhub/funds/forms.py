from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from partnerhub.core.forms import MultipleFileField
from partnerhub.core.money import CURRENCY_CHOICES
from partnerhub.identity.picker import PartnerField

from .models import ActivityRequest, FundKind, PeriodKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
AMOUNT = {"max_digits": 17, "decimal_places": 2}


class RequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Activity"), choices=ActivityRequest.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE)
    ends_on = forms.DateField(label=_("Ends on"), widget=DATE)
    planned_cost = forms.DecimalField(label=_("Planned cost"), **AMOUNT)


class ClaimForm(forms.Form):
    actual_cost = forms.DecimalField(label=_("Actual cost"), **AMOUNT)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    files = MultipleFileField(label=_("Proof of performance (PDF, JPEG, PNG)"), required=False)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    amount = forms.DecimalField(label=_("Amount approved"), required=False, **AMOUNT,
                                help_text=_("Empty: the amount claimed. Less needs a reason."))  # fmt: skip
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)


class GrantForm(forms.Form):
    organisation_id = PartnerField(label=_("Partner"), as_id=True)
    kind = forms.ChoiceField(label=_("Fund"), choices=FundKind.choices)
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES)
    period_kind = forms.ChoiceField(label=_("Period"), choices=PeriodKind.choices)
    period_start = forms.DateField(label=_("A day of the period"), widget=DATE)
    amount = forms.DecimalField(label=_("Amount"), **AMOUNT)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)

    def __init__(self, *args, partners=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation_id"].queryset = partners
        self.fields["organisation_id"].url = reverse("organisation-pick")


class AllowanceForm(forms.Form):
    programme_code = forms.CharField(label=_("Programme code"), max_length=50)
    tier_code = forms.CharField(label=_("Tier code"), max_length=50)
    kind = forms.ChoiceField(label=_("Fund"), choices=FundKind.choices)
    period_kind = forms.ChoiceField(label=_("Period"), choices=PeriodKind.choices)
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES)
    amount = forms.DecimalField(label=_("Amount"), **AMOUNT)


class GrantFromTiersForm(forms.Form):
    period_kind = forms.ChoiceField(label=_("Period"), choices=PeriodKind.choices)
