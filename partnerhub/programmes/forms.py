from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Benefit, ProgrammeVersion, Requirement, RewardRate


class ImportForm(forms.Form):
    file = forms.FileField(label=_("YAML file"), required=False)
    text = forms.CharField(label=_("…or paste the YAML"), required=False,
                           widget=forms.Textarea(attrs={"rows": 12, "class": "code"}))  # fmt: skip
    publish = forms.BooleanField(label=_("Publish at once (in force from the file's date)"), required=False,
                                 initial=True)  # fmt: skip

    def clean(self):
        data = super().clean()
        if not data.get("file") and not (data.get("text") or "").strip():
            raise forms.ValidationError(_("Choose a file or paste the YAML."))
        return data

    def yaml_text(self) -> tuple[str, str]:
        f = self.cleaned_data.get("file")
        if f:
            return f.read().decode("utf-8", errors="replace"), f.name
        return self.cleaned_data["text"], "pasted text"


class DraftForm(forms.Form):
    text = forms.CharField(label=_("Definition (YAML)"), widget=forms.Textarea(attrs={"rows": 30, "class": "code"}))


class PublishForm(forms.Form):
    effective_from = forms.DateField(label=_("In force from"), widget=forms.DateInput(attrs={"type": "date"}))


class RetireForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False)


def _choices(model_choices):
    return [("", "—"), *model_choices]


class SettingsForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    currency = forms.ChoiceField(label=_("Currency"), choices=[])
    evaluation_period = forms.ChoiceField(label=_("Evaluation period"), choices=ProgrammeVersion.Period.choices)
    downgrade_grace_days = forms.IntegerField(label=_("Downgrade grace (days)"), min_value=0)
    protection_days = forms.IntegerField(label=_("Deal protection (days)"), min_value=0)
    approval_hours = forms.IntegerField(label=_("Approval clock (business hours)"), min_value=0)
    inactivity_days = forms.IntegerField(label=_("No movement flagged after (days)"), min_value=0)
    lapse_automatic = forms.BooleanField(label=_("lapses by itself"), required=False)
    accept_hours = forms.IntegerField(label=_("Time to accept a lead (hours)"), min_value=0)
    window_days = forms.IntegerField(label=_("Referral window (days)"), min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from partnerhub.core.money import CURRENCY_CHOICES

        self.fields["currency"].choices = CURRENCY_CHOICES

    DEALS = ("protection_days", "approval_hours", "inactivity_days", "lapse_automatic")

    @classmethod
    def initial_from(cls, doc: dict) -> dict:
        v, d = doc["version"], doc["deal_registration"]
        out = {k: v[k] for k in ("name", "currency", "evaluation_period", "downgrade_grace_days")}
        out.update({k: d[k] for k in cls.DEALS})
        out.update(accept_hours=doc["leads"]["accept_hours"], window_days=doc["referrals"]["window_days"])
        return out

    def apply(self, doc: dict) -> None:
        c = self.cleaned_data
        doc["version"].update({k: c[k] for k in ("name", "currency", "evaluation_period", "downgrade_grace_days")})
        doc["deal_registration"].update({k: c[k] for k in self.DEALS})
        doc["leads"]["accept_hours"] = c["accept_hours"]
        doc["referrals"]["window_days"] = c["window_days"]


class TierForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=50)
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False)


class RequirementForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=60)
    metric = forms.ChoiceField(label=_("Measured figure"), required=False, choices=_choices(Requirement.Metric.choices))
    threshold = forms.DecimalField(label=_("Threshold"), required=False, max_digits=18, decimal_places=2)
    currency = forms.CharField(label=_("Currency"), required=False, max_length=3)
    period = forms.ChoiceField(label=_("Period"), required=False, choices=_choices(ProgrammeVersion.Period.choices))
    certification = forms.SlugField(label=_("Certification type code"), required=False)
    obligation = forms.ChoiceField(label=_("…or obligation"), required=False,
                                   choices=_choices(Requirement.Obligation.choices))  # fmt: skip
    checked_by = forms.ChoiceField(label=_("Checked by"), choices=Requirement.CheckedBy.choices, initial="manager")
    condition = forms.ChoiceField(label=_("Applies"), choices=Requirement.Condition.choices, initial="always")
    optional = forms.BooleanField(label=_("optional"), required=False)
    label = forms.CharField(label=_("Label"), required=False, max_length=300)

    def clean(self):
        data = super().clean()
        if bool(data.get("metric")) == bool(data.get("obligation")):
            raise forms.ValidationError(_("Choose either a measured figure or an obligation."))
        if data.get("metric") and data.get("threshold") is None:
            self.add_error("threshold", _("A measured figure needs a threshold."))
        return data

    def entry(self) -> dict:
        c = self.cleaned_data
        if c["metric"]:
            return {
                "code": c["code"], "metric": c["metric"], "threshold": str(c["threshold"]),
                "currency": (c["currency"] or "").upper() or None, "period": c["period"] or None,
                "product_family": None, "certification": c["certification"] or None, "label": c["label"],
            }  # fmt: skip
        return {"code": c["code"], "obligation": c["obligation"], "checked_by": c["checked_by"],
                "condition": c["condition"], "optional": c["optional"], "label": c["label"]}  # fmt: skip


class BenefitForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=60)
    kind = forms.ChoiceField(label=_("Kind"), choices=Benefit.Kind.choices)
    percent = forms.DecimalField(label="%", required=False, max_digits=5, decimal_places=2)
    count = forms.IntegerField(label=_("Count"), required=False, min_value=0)
    user_cap = forms.IntegerField(label=_("Users up to"), required=False, min_value=0)
    days = forms.IntegerField(label=_("Days"), required=False, min_value=0)
    hours = forms.IntegerField(label=_("Hours"), required=False, min_value=0)
    term_days = forms.IntegerField(label=_("Term (days)"), required=False, min_value=0)
    on_request = forms.BooleanField(label=_("on request"), required=False)
    label = forms.CharField(label=_("Label"), required=False, max_length=300)

    def entry(self) -> dict:
        c = dict(self.cleaned_data)
        c["percent"] = None if c["percent"] is None else str(c["percent"])
        return c


class RateForm(forms.Form):
    product_family = forms.SlugField(label=_("Product family"), max_length=50)
    sale_type = forms.ChoiceField(label=_("Sale type"), choices=RewardRate.SaleType.choices)
    percent = forms.DecimalField(label="%", max_digits=5, decimal_places=2)

    def entry(self) -> dict:
        c = self.cleaned_data
        return {"product_family": c["product_family"], "sale_type": c["sale_type"], "percent": str(c["percent"])}
