from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from partnerhub.identity.validators import validate_inn, validate_kpp, validate_ogrn
from partnerhub.partners.models import Application


def split_list(text: str) -> list[str]:
    """Entries typed one per line or separated by commas or semicolons."""
    return [part.strip() for part in re.split(r"[,;\n]", text or "") if part.strip()]


class ListField(forms.CharField):
    """A textarea holding a list: one entry per line, or separated by commas."""

    widget = forms.Textarea(attrs={"rows": 3})

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("One per line, or separated by commas."))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(value)
        return value

    def clean(self, value):
        return split_list(super().clean(value))


class ApplicationForm(forms.Form):
    role_code = forms.ChoiceField(label=_("Cooperation model"), widget=forms.RadioSelect)
    company_name = forms.CharField(label=_("Company name"), max_length=200)
    legal_name = forms.CharField(label=_("Legal name"), max_length=300, required=False)
    inn = forms.CharField(label=_("INN"), max_length=12, validators=[validate_inn])
    kpp = forms.CharField(
        label=_("KPP"), max_length=9, required=False, validators=[validate_kpp],
        help_text=_("Companies only (10-digit INN)."),
    )  # fmt: skip
    ogrn = forms.CharField(label=_("OGRN/OGRNIP"), max_length=15, required=False, validators=[validate_ogrn])
    region = forms.CharField(label=_("Region"), max_length=100)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    regions = ListField(label=_("Regions served"))
    competences = ListField(label=_("Competences"), help_text=_("For example: network security, cloud migration."))
    contact_name = forms.CharField(label=_("Contact person"), max_length=200)
    contact_email = forms.EmailField(label=_("Contact e-mail"))
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=40, required=False)
    message = forms.CharField(label=_("Message"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    consent = forms.BooleanField(
        label=_("I consent to the processing of the personal data in this form for reviewing the application."),
    )
    # Honeypot: hidden from people by the page, filled in by form-filling robots.
    homepage_url = forms.CharField(
        label=_("Leave this field empty"), required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )  # fmt: skip

    HONEYPOT = "homepage_url"

    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role_code"].choices = [(r.code, r.name) for r in roles]
        if len(self.fields["role_code"].choices) == 1:
            self.fields["role_code"].initial = roles[0].code

    def is_robot(self) -> bool:
        return bool(self.data.get(self.HONEYPOT, "").strip())

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop(self.HONEYPOT, None)
        return data


class ApplicationFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)
    q = forms.CharField(label=_("Company or INN"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Any status")), *Application.Status.choices]


class ApproveForm(forms.Form):
    partner_manager_id = forms.ModelChoiceField(label=_("Partner manager"), queryset=None, required=False)
    starting_tier_code = forms.ChoiceField(label=_("Starting tier"), required=False)

    def __init__(self, *args, managers, tiers, has_tiers: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner_manager_id"].queryset = managers
        if has_tiers and tiers:
            self.fields["starting_tier_code"].choices = [(t.code, str(t)) for t in tiers]
            self.fields["starting_tier_code"].initial = tiers[0].code
        else:
            del self.fields["starting_tier_code"]

    def service_kwargs(self) -> dict:
        manager = self.cleaned_data.get("partner_manager_id")
        return {
            "partner_manager_id": manager.pk if manager else None,
            "starting_tier_code": self.cleaned_data.get("starting_tier_code") or None,
        }


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (sent to the applicant)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ProfileForm(forms.Form):
    description = forms.CharField(
        label=_("About the company"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )
    competences = ListField(label=_("Competences"))
    regions = ListField(label=_("Regions served"))
    product_families = forms.MultipleChoiceField(
        label=_("Product families you sell and support"), required=False, widget=forms.CheckboxSelectMultiple
    )
    listed_in_catalogue = forms.BooleanField(
        label=_("Show the company in the public partner catalogue"), required=False,
        help_text=_("Only active partners appear there: name, region, city, competences, website and tier."),
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from partnerhub.programmes.selectors import family_choices

        self.fields["product_families"].choices = family_choices()


class AcceptTermsForm(forms.Form):
    signer_name = forms.CharField(label=_("Full name of the signer"), max_length=200, required=False)
    accept = forms.BooleanField(label=_("I have read and accept the programme terms"), required=False)


class ContractUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Signed contract (PDF, at most 10 MB)"), required=False,
        widget=forms.FileInput(attrs={"accept": ".pdf,application/pdf"}),
    )  # fmt: skip
