from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .events import EVENT_TYPES, TEST_EVENT, describe, subscribable
from .models import WebhookDelivery


class EndpointForm(forms.Form):
    url = forms.CharField(
        label=_("URL"), max_length=500, widget=forms.URLInput(attrs={"placeholder": "https://", "size": 60}),
        help_text=_("Events are POSTed here as JSON. It must use https."),
    )  # fmt: skip
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    event_types = forms.MultipleChoiceField(
        label=_("Events"), widget=forms.CheckboxSelectMultiple,
        help_text=_("“*” sends every event, including event types added later."),
    )  # fmt: skip
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event_types"].choices = [(name, f"{name} — {describe(name)}") for name in subscribable()]


class DeliveryFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)
    event_type = forms.ChoiceField(label=_("Event"), required=False)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Any")), *WebhookDelivery.Status.choices]
        self.fields["event_type"].choices = [("", _("Any")), *((n, n) for n in [*EVENT_TYPES, TEST_EVENT])]

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise ValidationError({"until": _("The end date is before the start date.")})
        return data
