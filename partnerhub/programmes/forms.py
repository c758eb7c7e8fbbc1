from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from partnerhub.core.money import CURRENCY_CHOICES

from .models import Benefit, NetworkOverride, ProductFamily, ProgrammeVersion, Requirement, RewardRate
from .services import SETTINGS


class ImportForm(forms.Form):
    file = forms.FileField(label=_("YAML file"), required=False)
    text = forms.CharField(label=_("…or paste the YAML"), required=False,
                           widget=forms.Textarea(attrs={"rows": 12, "class": "code"}))  # fmt: skip
    publish = forms.BooleanField(label=_("Publish at once (in force from the file's date)"), required=False,
                                 initial=True)  # fmt: skip

    def clean(self):
        data = super().clean()
        f = data.get("file")
        if not f and not (data.get("text") or "").strip():
            raise forms.ValidationError(_("Choose a file or paste the YAML."))
        return data

    def source(self) -> dict:
        """What ``services.import_programme`` reads: the upload (checked there) or the pasted text."""
        f = self.cleaned_data.get("file")
        if f:
            return {"upload": f}
        return {"text": self.cleaned_data["text"], "source": "pasted text"}


class DraftForm(forms.Form):
    text = forms.CharField(label=_("Definition (YAML)"), widget=forms.Textarea(attrs={"rows": 30, "class": "code"}))


class PublishForm(forms.Form):
    effective_from = forms.DateField(label=_("In force from"), widget=forms.DateInput(attrs={"type": "date"}))


class RetireForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)


def _choices(model_choices):
    return [("", "—"), *model_choices]


class SettingsForm(forms.Form):
    """A draft's version settings and deal, lead and referral rules, named as ProgrammeVersion's fields."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(fields_for_model(ProgrammeVersion, fields=list(SETTINGS)))
        self.fields["effective_from"].widget = forms.DateInput(attrs={"type": "date"})
        self.fields["description"].widget.attrs["rows"] = 2
        self.fields["terms"].widget.attrs["rows"] = 4
        self.fields["currency"] = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES)
        for name in self.KEEP_WHEN_EMPTY:  # optional in the form: left empty, the draft keeps its figure
            self.fields[name].required = False

    # The rewards figures (YAML block ``rewards``) with a default: an empty field changes nothing.
    KEEP_WHEN_EMPTY = ("distributor_override_percent", "recruiter_override_percent", "recruiter_override_months")

    def clean(self):
        data = super().clean()
        for name in self.KEEP_WHEN_EMPTY:
            if data.get(name) is None:
                data.pop(name, None)
        return data

    @classmethod
    def initial_from(cls, version: ProgrammeVersion) -> dict:
        return {name: getattr(version, name) for name in SETTINGS}


class TierForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=50)
    name = forms.CharField(label=_("Name"), max_length=200)
    name_en = forms.CharField(label=_("Name in English"), max_length=200, required=False)
    description = forms.CharField(label=_("Description"), required=False)
    rank = forms.IntegerField(label=_("Position (1 = entry tier)"), required=False, min_value=1)


def _family_choices():
    return [("", "—"), *((f.code, f"{f} ({f.code})") for f in ProductFamily.objects.order_by("code"))]


class RequirementForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=60)
    metric = forms.ChoiceField(label=_("Measured figure"), required=False, choices=_choices(Requirement.Metric.choices))
    threshold = forms.DecimalField(label=_("Threshold"), required=False, max_digits=18, decimal_places=2)
    currency = forms.ChoiceField(label=_("Currency"), required=False, choices=_choices(CURRENCY_CHOICES))
    period = forms.ChoiceField(label=_("Period"), required=False, choices=_choices(ProgrammeVersion.Period.choices))
    product_family = forms.ChoiceField(label=_("Product family"), required=False, choices=())
    certification = forms.SlugField(label=_("Certification type code"), required=False, max_length=60)
    obligation = forms.ChoiceField(label=_("…or obligation"), required=False,
                                   choices=_choices(Requirement.Obligation.choices))  # fmt: skip
    checked_by = forms.ChoiceField(label=_("Checked by"), choices=Requirement.CheckedBy.choices, initial="manager")
    condition = forms.ChoiceField(label=_("Applies"), choices=Requirement.Condition.choices, initial="always")
    optional = forms.BooleanField(label=_("optional"), required=False)
    label = forms.CharField(label=_("Label"), required=False, max_length=300)
    label_en = forms.CharField(label=_("Label in English"), required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product_family"].choices = _family_choices()

    def clean(self):
        data = super().clean()
        if bool(data.get("metric")) == bool(data.get("obligation")):
            raise forms.ValidationError(_("Choose either a measured figure or an obligation."))
        if data.get("metric") and data.get("threshold") is None:
            self.add_error("threshold", _("A measured figure needs a threshold."))
        return data

    def entry(self) -> dict:
        """The requirement as the draft services take it (empty choices are absent)."""
        return dict(self.cleaned_data)

    @classmethod
    def initial_from(cls, entry: dict) -> dict:
        return {k: v for k, v in entry.items() if v is not None}


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
    label_en = forms.CharField(label=_("Label in English"), required=False, max_length=300)

    def entry(self) -> dict:
        return dict(self.cleaned_data)

    @classmethod
    def initial_from(cls, entry: dict) -> dict:
        return {k: v for k, v in entry.items() if v is not None}


class RatesForm(forms.Form):
    """A tier's reward-rate table: one percent per product family and sale type; empty: no rate."""

    def __init__(self, *args, families: list[tuple[str, str]], rates: list[dict] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        current = {(r["product_family"], r["sale_type"]): r["percent"] for r in rates or []}
        for code, name in families:
            row = []
            for sale_type, sale_label in RewardRate.SaleType.choices:
                key = f"rate__{code}__{sale_type}"
                self.fields[key] = forms.DecimalField(
                    label=f"{name} · {sale_label}", required=False, max_digits=5, decimal_places=2,
                    initial=current.get((code, sale_type)),
                )  # fmt: skip
                row.append(key)
            self.rows.append((name, [self[k] for k in row]))
        self.sale_types = [label for _v, label in RewardRate.SaleType.choices]

    def rates(self) -> list[dict]:
        out = []
        for key, value in self.cleaned_data.items():
            if value is not None:
                _prefix, family, sale_type = key.split("__")
                out.append({"product_family": family, "sale_type": sale_type, "percent": value})
        return out

    def add_service_errors(self, exc: ValidationError) -> None:
        """``rates[j].percent`` from the validator goes on the j-th filled field."""
        keys = [k for k, v in self.cleaned_data.items() if v is not None]
        for field, errors in exc.message_dict.items():
            target = None
            if field.startswith("rates[") and "]" in field:
                j = int(field[len("rates[") : field.index("]")])
                target = keys[j] if j < len(keys) else None
            for e in errors:
                self.add_error(target, e)


class OverrideForm(forms.Form):
    """One network override rule: whose override, for which product family and seller's tier, at what percent."""

    kind = forms.ChoiceField(label=_("Whose override"), choices=_choices(NetworkOverride.Kind.choices))
    family = forms.ChoiceField(label=_("Product family"), required=False)
    tier = forms.ChoiceField(label=_("Seller's tier"), required=False)
    percent = forms.DecimalField(label="%", max_digits=5, decimal_places=2)

    def __init__(self, *args, families: list[tuple[str, str]], tiers: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["family"].choices = [("", _("any family")), *families]
        self.fields["tier"].choices = [("", _("any tier")), *tiers]


class BaseOverridesFormSet(forms.BaseFormSet):
    """A version's whole list of override rules; a row left empty or marked for removal is dropped."""

    def initial_form_count(self) -> int:
        """Posted, every row is a new one: a row left empty is dropped, not refused."""
        return 0 if self.is_bound else super().initial_form_count()

    def rows(self) -> list[forms.Form]:
        return [f for f in self.forms if f.has_changed() and not self._should_delete_form(f)]

    def overrides(self) -> list[dict]:
        return [{k: v for k, v in f.cleaned_data.items() if k != "DELETE"} for f in self.rows()]

    def add_service_errors(self, exc: ValidationError) -> None:
        """``overrides[i].<key>`` from the validator goes on the i-th saved row's field (the row's top for
        ``overrides[i]``); anything else above the table."""
        rows = self.rows()
        for field, errors in exc.message_dict.items():
            form, target = None, None
            if field.startswith("overrides[") and "]" in field:
                i = int(field[len("overrides[") : field.index("]")])
                form = rows[i] if i < len(rows) else None
                key = field[field.index("]") + 2 :]
                target = key if form is not None and key in form.fields else None
            for e in errors:
                if form is not None:
                    form.add_error(target, e)
                else:
                    self._non_form_errors.append(e)

    @classmethod
    def initial_from(cls, overrides: list[dict]) -> list[dict]:
        return [{"kind": o["kind"], "family": o["family"] or "", "tier": o["tier"] or "", "percent": o["percent"]}
                for o in overrides]  # fmt: skip


OverridesFormSet = forms.formset_factory(OverrideForm, formset=BaseOverridesFormSet, extra=1, can_delete=True)
