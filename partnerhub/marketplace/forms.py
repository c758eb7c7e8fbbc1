"""Forms of the marketplace pages: they parse; the services decide (their errors land on these fields)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from partnerhub.core.money import CURRENCY_CHOICES

from .choices import BillingPeriod, Category, ChargeModel, Industry, Language, ProvisioningMode

LINES = forms.Textarea(attrs={"rows": 3})


def _lines(value: str) -> list[str]:
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


class ApplicationForm(forms.Form):
    software_description = forms.CharField(label=_("Your software"), widget=forms.Textarea, max_length=5000)
    focus_industries = forms.MultipleChoiceField(label=_("Focus industries"), choices=Industry.choices,
                                                 widget=forms.CheckboxSelectMultiple)  # fmt: skip
    implementation_stories = forms.CharField(label=_("Implementation stories"), widget=forms.Textarea, max_length=5000)
    company_profile = forms.CharField(label=_("Company profile"), widget=forms.Textarea, max_length=5000)


class ScoreForm(forms.Form):
    criterion_code = forms.ChoiceField(label=_("Criterion"))
    score = forms.TypedChoiceField(label=_("Score"), coerce=int, choices=[(i, str(i)) for i in range(1, 6)])
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000)

    def __init__(self, *args, criteria=(), language="en", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criterion_code"].choices = [(c.code, c.name(language)) for c in criteria]


class DecisionForm(forms.Form):
    admit = forms.TypedChoiceField(label=_("Decision"), coerce=lambda v: v == "yes",
                                   choices=[("yes", _("Admit")), ("no", _("Decline"))])  # fmt: skip
    note = forms.CharField(label=_("Note to the vendor"), required=False, widget=forms.Textarea, max_length=2000)


class CriterionForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=40)
    name_ru = forms.CharField(label=_("Name (Russian)"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200)
    weight = forms.DecimalField(label=_("Weight"), min_value=0, max_digits=5, decimal_places=2)
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=1000, initial=0)
    is_active = forms.BooleanField(label=_("In use"), required=False, initial=True)


class ServiceForm(forms.Form):
    """Step 1: the texts in both languages (one may stay empty) and the service's facts."""

    category = forms.ChoiceField(label=_("Category"), choices=[("", "—"), *Category.choices], required=False)
    industries = forms.MultipleChoiceField(label=_("Industries"), choices=Industry.choices, required=False,
                                           widget=forms.CheckboxSelectMultiple)  # fmt: skip
    video_links = forms.CharField(label=_("Video links, one a line"), required=False, widget=LINES)
    documentation_links = forms.CharField(label=_("Documentation links, one a line"), required=False, widget=LINES)
    technical_requirements = forms.CharField(label=_("Technical requirements"), required=False,
                                             widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, language in Language.choices:
            for key, label, widget, limit in (
                ("name", _("Name"), None, 120),
                ("short_description", _("Short description"), None, 300),
                ("long_description", _("Marketing description"), forms.Textarea(attrs={"rows": 4}), 10000),
                ("technical_description", _("Technical description"), forms.Textarea(attrs={"rows": 4}), 10000),
            ):
                self.fields[f"texts.{code}.{key}"] = forms.CharField(
                    label=f"{label} ({language})", required=False, max_length=limit, widget=widget
                )

    def service_arguments(self) -> dict:
        d = self.cleaned_data
        texts = {code: {key: d.get(f"texts.{code}.{key}", "") for key in ("name", "short_description",
                 "long_description", "technical_description")} for code in Language.values}  # fmt: skip
        return {"texts": texts, "category": d["category"], "industries": d["industries"],
                "video_links": _lines(d["video_links"]), "documentation_links": _lines(d["documentation_links"]),
                "technical_requirements": d["technical_requirements"]}  # fmt: skip

    @staticmethod
    def initial_for(version) -> dict:
        initial = {"category": version.category, "industries": [i.code for i in version.industries.all()],
                   "video_links": "\n".join(version.video_links),
                   "documentation_links": "\n".join(version.documentation_links),
                   "technical_requirements": version.technical_requirements}  # fmt: skip
        for t in version.texts.all():
            for key in ("name", "short_description", "long_description", "technical_description"):
                initial[f"texts.{t.language}.{key}"] = getattr(t, key)
        return initial


class ScreenshotForm(forms.Form):
    image = forms.FileField(label=_("Screenshot (PNG or JPEG)"))
    caption = forms.CharField(label=_("Caption"), required=False, max_length=200)


class ResourceForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=40)
    name_ru = forms.CharField(label=_("Name (Russian)"), max_length=120)
    name_en = forms.CharField(label=_("Name (English)"), max_length=120)
    unit = forms.CharField(label=_("Unit"), max_length=30)


PRICES_HELP = _(
    "One currency a line: “RUB 1500” for an amount; tiers as “RUB 10:500 50:400 *:300” "
    "(up to 10 units at 500, up to 50 at 400, the rest at 300)."
)


def price_lines(text: str) -> list[dict]:
    """Prices typed one currency a line, in the pricing document's form (the service checks them)."""
    prices = []
    for line in _lines(text):
        currency, *rest = line.split()
        if any(":" in part for part in rest):
            tiers = []
            for part in rest:
                bound, _sep, unit = part.partition(":")
                tiers.append({"up_to": None if bound in ("*", "") else bound, "unit": unit})
            prices.append({"currency": currency.upper(), "tiers": tiers})
        else:
            prices.append({"currency": currency.upper(), "amount": rest[0] if rest else ""})
    return prices


class PlanForm(forms.Form):
    """A plan, with its first charge unless it is a trial (more charges are added one at a time)."""

    code = forms.SlugField(label=_("Plan code"), max_length=40)
    name_ru = forms.CharField(label=_("Plan name (Russian)"), max_length=120)
    name_en = forms.CharField(label=_("Plan name (English)"), max_length=120)
    billing_period = forms.ChoiceField(label=_("Billing period"), choices=BillingPeriod.choices)
    trial_days = forms.IntegerField(label=_("Free trial, days (a trial plan has no charges)"), required=False,
                                     min_value=1, max_value=365)  # fmt: skip
    model = forms.ChoiceField(label=_("Charge model"), choices=[("", "—"), *ChargeModel.choices], required=False)
    resource = forms.ChoiceField(label=_("Resource"), required=False)
    block_size = forms.IntegerField(label=_("Units per block (package)"), required=False, min_value=1)
    prices = forms.CharField(label=_("Prices"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
                             required=False, help_text=PRICES_HELP)  # fmt: skip

    def __init__(self, *args, resources=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resource"].choices = [("", "—"), *((r, r) for r in resources)]

    def plan(self) -> dict:
        d = self.cleaned_data
        charges = []
        if d["model"]:
            charges.append({"model": d["model"], "resource": d["resource"] or None, "block_size": d["block_size"],
                            "prices": price_lines(d["prices"])})  # fmt: skip
        return {"code": d["code"], "name_ru": d["name_ru"], "name_en": d["name_en"],
                "billing_period": d["billing_period"], "trial_days": d["trial_days"], "charges": charges}  # fmt: skip


class ChargeForm(forms.Form):
    plan = forms.ChoiceField(label=_("Plan"))
    model = forms.ChoiceField(label=_("Charge model"), choices=ChargeModel.choices)
    resource = forms.ChoiceField(label=_("Resource"), required=False)
    block_size = forms.IntegerField(label=_("Units per block (package)"), required=False, min_value=1)
    prices = forms.CharField(label=_("Prices"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
                             help_text=PRICES_HELP)  # fmt: skip

    def __init__(self, *args, plans=(), resources=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].choices = [(p, p) for p in plans]
        self.fields["resource"].choices = [("", "—"), *((r, r) for r in resources)]

    def charge(self) -> dict:
        """The charge in the pricing document's form (the service checks it)."""
        d = self.cleaned_data
        return {"model": d["model"], "resource": d["resource"] or None, "block_size": d["block_size"],
                "prices": price_lines(d["prices"])}  # fmt: skip


class ProvisioningForm(forms.Form):
    mode = forms.ChoiceField(label=_("Provisioning"), choices=ProvisioningMode.choices, widget=forms.RadioSelect)
    url = forms.CharField(
        label=_("Provisioning API address"), required=False, max_length=200,
        help_text=_("The conformance check against it comes with the provisioning module."),
    )  # fmt: skip
    email = forms.EmailField(label=_("E-mail for manual requests"), required=False)


class StorefrontsForm(forms.Form):
    codes = forms.MultipleChoiceField(label=_("Storefronts"), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, storefronts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["codes"].choices = [(s.code, f"{s.name} ({s.language}, {s.currency})") for s in storefronts]


class StorefrontForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=200)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES)
    country = forms.CharField(label=_("Country (ISO code)"), max_length=2)
    vat_rate = forms.DecimalField(label=_("VAT rate, %"), min_value=0, max_value=100, max_digits=5, decimal_places=2)
    legal_entity = forms.CharField(label=_("Legal entity"), max_length=300)
    is_active = forms.BooleanField(label=_("Open"), required=False, initial=True)


class CatalogueFilterForm(forms.Form):
    search = forms.CharField(label=_("Search"), required=False, max_length=100)
    category = forms.ChoiceField(label=_("Category"), required=False, choices=[("", "—"), *Category.choices])
    industry = forms.ChoiceField(label=_("Industry"), required=False, choices=[("", "—"), *Industry.choices])
    vendor = forms.TypedChoiceField(label=_("Vendor"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, vendors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vendor"].choices = [("", "—"), *((v.pk, v.name) for v in vendors)]
