from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CertificationType, EventFormat, EventKind, EventLanguage, LessonKind, Level, QuestionKind, Track


class SpecialistForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    email = forms.EmailField(label=_("E-mail"), required=False)
    position = forms.CharField(label=_("Position"), max_length=200, required=False)


class CertificationForm(forms.Form):
    type_code = forms.ChoiceField(label=_("Certification"))
    number = forms.CharField(label=_("Certificate number"), max_length=100, required=False)
    issued_on = forms.DateField(label=_("Issued on"), widget=forms.DateInput(attrs={"type": "date"}))
    expires_on = forms.DateField(
        label=_("Expires on"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty to use the certification's standard validity."),
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type_code"].choices = [(t.code, t.name) for t in CertificationType.objects.all()]


class CourseForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=60)
    title = forms.CharField(label=_("Title"), max_length=200)
    track = forms.ChoiceField(label=_("Track"), choices=Track.choices)
    product = forms.CharField(label=_("Product"), max_length=200, required=False)
    summary = forms.CharField(label=_("Summary"), max_length=2000, required=False, widget=forms.Textarea)
    is_published = forms.BooleanField(label=_("Published"), required=False)


class LessonForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=LessonKind.choices)
    body = forms.CharField(label=_("Text (HTML)"), required=False, widget=forms.Textarea)
    video_url = forms.CharField(label=_("Video address"), max_length=500, required=False)
    file = forms.FileField(label=_("File"), required=False)


class ExamForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=60)
    title = forms.CharField(label=_("Title"), max_length=200)
    certification_type_code = forms.CharField(label=_("Certification type code"), max_length=60, required=False)
    level = forms.ChoiceField(label=_("Level"), choices=[("", "—"), *Level.choices], required=False)
    question_count = forms.IntegerField(label=_("Questions per attempt"), min_value=1, max_value=200, initial=10)
    time_limit_minutes = forms.IntegerField(label=_("Time limit (minutes)"), min_value=1, max_value=600, initial=30)
    passing_score = forms.IntegerField(label=_("Passing score, %"), min_value=1, max_value=100, initial=70)
    max_attempts = forms.IntegerField(label=_("Attempts before a pass"), min_value=1, max_value=100, initial=3)
    cooldown_hours = forms.IntegerField(label=_("Pause after a failed attempt (hours)"), min_value=0,
                                        max_value=24 * 365, initial=24)  # fmt: skip


class QuestionForm(forms.Form):
    text = forms.CharField(label=_("Question"), max_length=2000, widget=forms.Textarea)
    kind = forms.ChoiceField(label=_("Kind"), choices=QuestionKind.choices)
    choices = forms.CharField(
        label=_("Answers"), max_length=5000, widget=forms.Textarea,
        help_text=_("One answer per line; start a correct answer with “*”."),
    )  # fmt: skip

    def clean_choices(self):
        lines = [line.strip() for line in self.cleaned_data["choices"].splitlines() if line.strip()]
        return [{"text": line.lstrip("*").strip(), "correct": line.startswith("*")} for line in lines]


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)


class EventForm(forms.Form):
    """An event of the calendar; times are typed in the event's time zone."""

    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=EventKind.choices)
    format = forms.ChoiceField(label=_("Format"), choices=EventFormat.choices)
    language = forms.ChoiceField(label=_("Language"), choices=EventLanguage.choices)
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    timezone = forms.CharField(label=_("Time zone"), max_length=64, initial="Europe/Moscow")
    join_url = forms.CharField(label=_("Joining address"), max_length=500, required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    capacity = forms.IntegerField(label=_("Places"), min_value=1, max_value=100_000, required=False,
                                  help_text=_("Leave empty for no limit."))  # fmt: skip
    lesson_id = forms.TypedChoiceField(label=_("Lesson completed by attending"), coerce=int, empty_value=None,
                                       required=False)  # fmt: skip
    recording_url = forms.CharField(label=_("Recording address"), max_length=500, required=False)
    description = forms.CharField(label=_("Description"), max_length=5000, required=False, widget=forms.Textarea)
    is_published = forms.BooleanField(label=_("Published"), required=False)

    def __init__(self, *args, lessons=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lesson_id"].choices = [("", "—"), *((x.pk, f"{x.course.title} — {x.title}") for x in lessons)]


class EventRegisterForm(forms.Form):
    specialist_id = forms.TypedChoiceField(label=_("Specialist"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, specialists=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["specialist_id"].choices = [("", _("Me")), *((s.pk, s.full_name) for s in specialists)]
