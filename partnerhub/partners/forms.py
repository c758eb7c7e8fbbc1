from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from partnerhub.identity.picker import PartnerField


class OverrideForm(forms.Form):
    tier_code = forms.ChoiceField(label=_("Tier"))
    until = forms.DateField(label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, tiers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tier_code"].choices = [(t.code, str(t)) for t in tiers]


class NetworkForm(forms.Form):
    """The partner's distributor and recruiter (partners.network); empty: none."""

    distributor = PartnerField(label=_("Distributor"), required=False)
    distributor_since = forms.DateField(label=_("Buys through it from"), required=False,
                                        widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip
    recruited_by = PartnerField(label=_("Recruited by"), required=False)
    recruited_on = forms.DateField(label=_("Recruited on"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip
    reason = forms.CharField(label=_("Reason"), required=False, max_length=1000)

    def __init__(self, *args, partners=None, enrolment=None, **kwargs):
        super().__init__(*args, **kwargs)
        url = reverse("enrolment-network-pick", args=[enrolment.pk]) if enrolment is not None else ""
        for name in ("distributor", "recruited_by"):
            self.fields[name].queryset, self.fields[name].url = partners, url


class EvidenceForm(forms.Form):
    obligation = forms.ChoiceField(label=_("Obligation"))
    valid_from = forms.DateField(label=_("Period from"), widget=forms.DateInput(attrs={"type": "date"}))
    valid_until = forms.DateField(
        label=_("Period until (exclusive)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    evidence_url = forms.URLField(label=_("Link"), required=False, assume_scheme="https")
    evidence_file = forms.FileField(label=_("File"), required=False)
    organisation = PartnerField(label=_("Partner"), required=False)

    def __init__(self, *args, partners=None, **kwargs):
        from partnerhub.programmes.models import Requirement

        super().__init__(*args, **kwargs)
        self.fields["obligation"].choices = [
            (v, label) for v, label in Requirement.Obligation.choices if v != "signed_contract"
        ]
        if partners is None:
            del self.fields["organisation"]
        else:
            self.fields["organisation"].queryset = partners
            self.fields["organisation"].url = reverse("organisation-pick")
            self.fields["organisation"].required = True


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", _("Accept")), ("reject", _("Reject"))])
    reason = forms.CharField(label=_("Reason"), required=False)


class WhatIfForm(forms.Form):
    """What if the partner added this much: evaluated by the tier engine, never saved."""

    sales = forms.DecimalField(label=_("Additional sales"), required=False, min_value=0, max_digits=18,
                               decimal_places=2)  # fmt: skip
    product_family = forms.ChoiceField(label=_("Product family of those sales"), required=False)
    certified = forms.IntegerField(label=_("More certified specialists"), required=False, min_value=0, max_value=1000)
    registered_deals = forms.IntegerField(label=_("More registered deals"), required=False, min_value=0,
                                          max_value=100000)  # fmt: skip
    won_deals = forms.IntegerField(label=_("More won deals"), required=False, min_value=0, max_value=100000)

    def __init__(self, *args, families=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product_family"].choices = [("", _("any"))] + [(f.code, str(f)) for f in families]
