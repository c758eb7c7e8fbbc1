"""Training: courses in tracks, their lessons, and the partner staff enrolled with their progress."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from partnerhub.core import uploads
from partnerhub.core.tenancy import TenantManager
from partnerhub.core.validators import validate_web_url


class Track(models.TextChoices):
    SALES = "sales", _("Sales")
    DESIGN = "design", _("Technical: design")
    DEPLOY = "deploy", _("Technical: deploy")
    OPERATE = "operate", _("Technical: operate")
    PRODUCT = "product", _("Product")


class Course(models.Model):
    """A course of the vendor's catalogue: drafted in the console, read by every partner once published."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=200)
    track = models.CharField(_("track"), max_length=20, choices=Track.choices)
    product = models.CharField(_("product"), max_length=200, blank=True)
    summary = models.TextField(_("summary"), max_length=2000, blank=True)
    is_published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("course")
        ordering = ["track", "title", "id"]

    def __str__(self) -> str:
        return self.title

    AUDIT_FIELDS = ("code", "title", "track", "product", "summary", "is_published")


class LessonKind(models.TextChoices):
    TEXT = "text", _("Reading")
    VIDEO = "video", _("Video")
    FILE = "file", _("Handout")
    LAB = "lab", _("Lab")


class Lesson(models.Model):
    """One step of a course. ``body`` is sanitised HTML (``core.richtext``); a lab's body is its instructions."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lessons")
    position = models.PositiveIntegerField(_("position"), default=1)
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=LessonKind.choices, default=LessonKind.TEXT)
    body = models.TextField(_("text"), max_length=100_000, blank=True)
    video_url = models.URLField(_("video address"), max_length=500, blank=True, validators=[validate_web_url])
    file = models.FileField(_("file"), upload_to="training/%Y/%m/", blank=True,
                            validators=[uploads.TRAINING_MATERIAL])  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("lesson")
        ordering = ["course_id", "position", "id"]

    def __str__(self) -> str:
        return self.title

    AUDIT_FIELDS = ("title", "kind", "position", "video_url", "file_name")

    @property
    def file_name(self) -> str:
        return self.file.name or ""


class CourseEnrolment(models.Model):
    """A specialist of a partner taking a course (enrolled by themselves or their administrator)."""

    tenant_path = "specialist__organisation"

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="enrolments")
    specialist = models.ForeignKey("enablement.Specialist", on_delete=models.CASCADE, related_name="enrolments")
    enrolled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    enrolled_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("course enrolment")
        ordering = ["-enrolled_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["course", "specialist"], name="course_enrolment_unique")]

    def __str__(self) -> str:
        return f"{self.specialist} — {self.course}"

    AUDIT_FIELDS = ("course_id", "specialist_id", "completed_at")


class LessonProgress(models.Model):
    """A lesson an enrolled specialist finished (one row per lesson and enrolment)."""

    tenant_path = "enrolment__specialist__organisation"

    enrolment = models.ForeignKey(CourseEnrolment, on_delete=models.CASCADE, related_name="progress")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="+")
    completed_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enrolment", "lesson"], name="lesson_progress_unique")]

    def __str__(self) -> str:
        return f"{self.enrolment_id}: {self.lesson_id}"
