from django import forms
from django.utils.translation import gettext_lazy as _

from partnerhub.core.forms import MultipleFileField

from .models import SupportRequest

FILES_LABEL = _("Attachments (PDF, images, documents, spreadsheets)")


class OpenForm(forms.Form):
    kind = forms.ChoiceField(label=_("What do you need?"), choices=SupportRequest.Kind.choices)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(label=_("Description"), max_length=20000, widget=forms.Textarea(attrs={"rows": 6}))
    files = MultipleFileField(label=FILES_LABEL, required=False)


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Message"), max_length=20000, widget=forms.Textarea(attrs={"rows": 4}))
    files = MultipleFileField(label=FILES_LABEL, required=False)
    waiting_for_partner = forms.BooleanField(label=_("Ask the partner for an answer"), required=False)


class AssignForm(forms.Form):
    assignee_id = forms.TypedChoiceField(label=_("Assignee"), coerce=int, choices=(), required=False, empty_value=None)

    def __init__(self, *args, agents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee_id"].choices = [("", _("Nobody"))] + [(u.pk, u.email) for u in agents]


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=[
        (s, label) for s, label in SupportRequest.Status.choices if s != SupportRequest.Status.NEW
    ])  # fmt: skip


class CloseForm(forms.Form):
    rating = forms.TypedChoiceField(label=_("How satisfied are you?"), coerce=int,
                                    choices=[(n, str(n)) for n in range(5, 0, -1)])  # fmt: skip
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Why reopen?"), required=False, max_length=2000)


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[
        ("", _("Any")), ("open", _("Open")), *SupportRequest.Status.choices])  # fmt: skip
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("Any")), *SupportRequest.Kind.choices])
    breached = forms.ChoiceField(label=_("Targets"), required=False, choices=[
        ("", _("Any")), ("yes", _("Missed or overdue")), ("no", _("On time"))])  # fmt: skip
    assignee = forms.ChoiceField(label=_("Assignee"), required=False, choices=())

    def __init__(self, *args, agents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", _("Any")), ("none", _("Nobody")), ("me", _("Me"))] + [
            (str(u.pk), u.email) for u in agents
        ]


class TargetForm(forms.Form):
    programme_code = forms.ChoiceField(label=_("Programme"), choices=())
    tier_code = forms.SlugField(label=_("Tier code"), max_length=50)
    first_response_hours = forms.IntegerField(label=_("First response, working hours"), min_value=1, max_value=10000)
    resolution_hours = forms.IntegerField(label=_("Resolution, working hours"), min_value=1, max_value=10000)

    def __init__(self, *args, programmes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme_code"].choices = [(p.code, str(p)) for p in programmes]
