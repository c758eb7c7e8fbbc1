from django import forms
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from partnerhub.core.money import CURRENCY_CHOICES
from partnerhub.programmes.models import Programme
from partnerhub.programmes.selectors import family_choices

from .models import Lead


def _family_choices(empty_label):
    return [("", empty_label), *family_choices()]


class LeadForm(forms.Form):
    source = forms.ChoiceField(label=_("Source"), choices=Lead.Source.choices, initial=Lead.Source.TENDER)
    customer_name = forms.CharField(label=_("Customer"), max_length=300)
    customer_inn = forms.CharField(label=_("Customer INN"), max_length=12, required=False)
    contact_name = forms.CharField(label=_("Contact person"), max_length=200, required=False)
    email = forms.CharField(label=_("E-mail"), max_length=254, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    domain = forms.CharField(label=_("Website or domain"), max_length=200, required=False)
    region = forms.CharField(
        label=_("Region"), max_length=100, required=False,
        widget=forms.TextInput(attrs={"list": "region-names", "autocomplete": "off"}),
    )  # fmt: skip
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    competence = forms.CharField(label=_("Competence needed"), max_length=100, required=False)
    product_family = forms.ChoiceField(label=_("Product family"), required=False)
    amount = forms.DecimalField(label=_("Estimated amount"), required=False, max_digits=18, decimal_places=2)
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES, initial="RUB")
    programme = forms.ChoiceField(label=_("Programme"), required=False)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product_family"].choices = _family_choices(_("Any product family"))
        programmes = [(p.code, str(p)) for p in Programme.objects.all()]
        self.fields["programme"].choices = [("", _("Any programme")), *programmes]


class RouteForm(forms.Form):
    organisation_id = forms.TypedChoiceField(label=_("Partner"), coerce=int, required=False, empty_value=None)
    reason = forms.CharField(label=_("Note"), required=False, max_length=2000)

    def __init__(self, *args, candidates=(), automatic=True, **kwargs):
        super().__init__(*args, **kwargs)
        labels = {"city": _("same city"), "region": _("same region"), "macro_region": _("same federal district"),
                  "country": _("elsewhere in the country")}  # fmt: skip
        auto = [("", _("The best eligible partner (automatic)"))] if automatic else []
        self.fields["organisation_id"].required = not automatic
        self.fields["organisation_id"].choices = auto + [
            (c.organisation.pk,
             f"{c.organisation.name} · {c.tier_name} · {labels[c.area_level]} · {number_format(c.score, 2)}"
             + ("" if c.matches else " · " + str(_("does not list the competence or product family"))))
            for c in candidates
        ]  # fmt: skip


class CloseForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))


class AcceptForm(forms.Form):
    """What the partner adds when the lead does not say it: a deal needs a product and an amount."""

    product_family = forms.ChoiceField(label=_("Product family"), required=False)
    amount = forms.DecimalField(label=_("Expected amount"), required=False, max_digits=18, decimal_places=2)

    def __init__(self, *args, lead, **kwargs):
        super().__init__(*args, **kwargs)
        if lead.product_family_id:
            del self.fields["product_family"]
        else:
            self.fields["product_family"].choices = _family_choices(_("Choose…"))
        if lead.amount is not None:
            del self.fields["amount"]


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you decline?"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why you decline the lead.")},
    )  # fmt: skip


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=200)
    company = forms.CharField(label=_("Company"), max_length=300)
    email = forms.EmailField(label=_("E-mail"))
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    inn = forms.CharField(label=_("Company INN"), max_length=12, required=False, help_text=_("Optional."))
    message = forms.CharField(label=_("Message"), required=False, max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 5}))  # fmt: skip
    consent = forms.BooleanField(
        label=_("I consent to the processing of the personal data in this form to answer my request."),
    )
    # Honeypot: hidden from people by the page, filled in by form-filling robots.
    homepage_url = forms.CharField(
        label=_("Leave this field empty"), required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )  # fmt: skip

    HONEYPOT = "homepage_url"

    def is_robot(self) -> bool:
        return bool(self.data.get(self.HONEYPOT, "").strip())

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop(self.HONEYPOT, None)
        return data
