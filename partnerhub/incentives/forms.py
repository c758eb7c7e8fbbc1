from django import forms
from django.utils.translation import gettext_lazy as _

from partnerhub.core.money import CURRENCY_CHOICES
from partnerhub.identity.models import Organisation
from partnerhub.identity.picker import PartnerListField
from partnerhub.programmes.models import Programme, Tier

from .models import Incentive

PRIZE_ROWS = 5
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def tier_choices(programme_id: int | None = None) -> dict[str, str]:
    """Tier code → name (the latest version's), ordered by rank."""
    tiers = Tier.objects.order_by("rank", "version_id")
    if programme_id:
        tiers = tiers.filter(version__programme_id=programme_id)
    return {t.code: str(t) for t in tiers.only("code", "name", "name_en")}


class IncentiveForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Incentive.Kind.choices)
    name = forms.CharField(label=_("Name"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    programme = forms.ChoiceField(label=_("Programme"))
    metric = forms.ChoiceField(label=_("Metric"), choices=Incentive.Metric.choices)
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES, initial="RUB")
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE)
    ends_on = forms.DateField(label=_("Ends on (inclusive)"), widget=DATE)
    tiers = forms.MultipleChoiceField(label=_("Eligible tiers"), required=False, help_text=_("Empty: every tier."))
    partners = PartnerListField(label=_("Named partners"), required=False,
                                help_text=_("Empty: every eligible partner."))  # fmt: skip
    show_amounts = forms.BooleanField(label=_("Partners see each other's figures"), required=False)
    target = forms.CharField(label=_("SPIF: target"), required=False, max_length=30)
    bonus_kind = forms.ChoiceField(label=_("SPIF: bonus"), required=False,
                                   choices=[("", "—"), *Incentive.BonusKind.choices])  # fmt: skip
    bonus_percent = forms.CharField(label=_("SPIF: bonus (%)"), required=False, max_length=10)
    bonus_amount = forms.CharField(label=_("SPIF: bonus amount"), required=False, max_length=30)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].choices = [(p.code, str(p)) for p in Programme.objects.order_by("name")]
        self.fields["tiers"].choices = list(tier_choices().items())
        self.fields["partners"].queryset = Organisation.objects.filter(kind="partner")
        for n in range(1, PRIZE_ROWS + 1):
            self.fields[f"prize_{n}_amount"] = forms.CharField(
                label=_("Prize for rank %(n)s") % {"n": n}, required=False, max_length=30)  # fmt: skip
            self.fields[f"prize_{n}_currency"] = forms.ChoiceField(
                label=_("Currency"), choices=[("", "—"), *CURRENCY_CHOICES], required=False)  # fmt: skip
            self.fields[f"prize_{n}_label"] = forms.CharField(label=_("Prize"), required=False, max_length=200)

    def service_fields(self) -> dict:
        """The service's arguments: prize rows with an amount become prizes, ranked by their row."""
        d = dict(self.cleaned_data)
        prizes, self.prize_rows = [], []
        for n in range(1, PRIZE_ROWS + 1):
            amount, currency, label = (d.pop(f"prize_{n}_{k}", "") for k in ("amount", "currency", "label"))
            if amount or label:
                self.prize_rows.append(n)
                prizes.append({"rank": n, "amount": amount, "currency": currency, "label": label})
        d["prizes"] = prizes if d["kind"] == Incentive.Kind.CONTEST else []
        d["tiers"] = list(d.get("tiers") or [])
        d["partners"] = list(d.get("partners") or [])
        return d

    def field_for(self, key: str) -> str | None:
        """The form field of a service error key (``prizes.0.amount`` → the prize row's amount)."""
        if key.startswith("prizes."):
            _prizes, index, part = key.split(".")
            return f"prize_{self.prize_rows[int(index)]}_{part}" if part in ("amount", "currency", "label") else None
        return key if key in self.fields else None

    @staticmethod
    def initial_from(obj: Incentive) -> dict:
        data = {f: getattr(obj, f) for f in ("kind", "name", "name_en", "description", "metric", "currency",
                                             "starts_on", "ends_on", "show_amounts", "bonus_kind")}  # fmt: skip
        data |= {"programme": obj.programme.code, "tiers": obj.tier_codes,
                 "partners": list(obj.partners.values_list("pk", flat=True)),
                 "target": obj.target or "", "bonus_percent": obj.bonus_percent or "",
                 "bonus_amount": obj.bonus_amount or ""}  # fmt: skip
        for p in obj.prizes.all():
            if p.rank <= PRIZE_ROWS:
                data |= {f"prize_{p.rank}_amount": p.amount, f"prize_{p.rank}_currency": p.currency,
                         f"prize_{p.rank}_label": p.label}  # fmt: skip
        return data


class QuarterForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(label=_("Quarter"), coerce=int, choices=[(q, f"Q{q}") for q in range(1, 5)])
