from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ContributionStatus, MaterialKind


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("All kinds")), *MaterialKind.choices], required=False)
    tag = forms.CharField(label=_("Tag"), max_length=60, required=False)


class MaterialForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=MaterialKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), max_length=5000, required=False, widget=forms.Textarea)
    tags = forms.CharField(label=_("Tags"), max_length=500, required=False, help_text=_("Separated by commas."))
    programme_code = forms.CharField(label=_("Programme code"), max_length=50, required=False,
                                     help_text=_("Empty: every programme."))  # fmt: skip
    roles = forms.CharField(
        label=_("Roles"), max_length=500, required=False,
        help_text=_("Codes of programme roles, separated by commas; empty: every role."),
    )  # fmt: skip
    tiers = forms.CharField(label=_("Tiers"), max_length=500, required=False,
                            help_text=_("Tier codes, separated by commas; empty: every tier."))  # fmt: skip
    template = forms.CharField(
        label=_("Template (HTML)"), max_length=50_000, required=False, widget=forms.Textarea,
        help_text=_("Co-branding: {{ partner_name }}, {{ partner_logo }}, {{ partner_email }}, "
                    "{{ partner_phone }}, {{ partner_website }}, {{ partner_address }}."),
    )  # fmt: skip
    is_published = forms.BooleanField(label=_("Published"), required=False)


class NewMaterialForm(MaterialForm):
    file = forms.FileField(label=_("File"), required=False)
    note = forms.CharField(label=_("What changed"), max_length=300, required=False)


class VersionForm(forms.Form):
    file = forms.FileField(label=_("File"))
    note = forms.CharField(label=_("What changed"), max_length=300, required=False)


class LogoForm(forms.Form):
    logo = forms.FileField(label=_("Logo (PNG or JPEG)"))


class ContributionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=[c for c in MaterialKind.choices if c[0] != "cobranding"])
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), max_length=5000, required=False, widget=forms.Textarea)
    file = forms.FileField(label=_("File"))


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=[c for c in ContributionStatus.choices
                                                               if c[0] != ContributionStatus.SUBMITTED])  # fmt: skip
    comment = forms.CharField(label=_("Comment"), max_length=2000, required=False, widget=forms.Textarea)
