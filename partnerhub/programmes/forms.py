from django import forms
from django.utils.translation import gettext_lazy as _


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
