"""Exams: question banks, attempts with a random draw and a server-side deadline, every attempt kept."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from partnerhub.core.tenancy import TenantManager

from .people import Level


class Exam(models.Model):
    """An exam of the vendor's catalogue. With a certification type, passing it issues that certificate."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=200)
    course = models.ForeignKey("enablement.Course", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="exams")  # fmt: skip
    certification_type = models.ForeignKey("enablement.CertificationType", null=True, blank=True,
                                           on_delete=models.PROTECT, related_name="+")  # fmt: skip
    level = models.CharField(_("level"), max_length=20, choices=Level.choices, blank=True)
    question_count = models.PositiveIntegerField(
        _("questions per attempt"), default=10, validators=[MinValueValidator(1), MaxValueValidator(200)]
    )
    time_limit_minutes = models.PositiveIntegerField(
        _("time limit (minutes)"), default=30, validators=[MinValueValidator(1), MaxValueValidator(600)]
    )
    passing_score = models.PositiveIntegerField(
        _("passing score, %"), default=70, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    max_attempts = models.PositiveIntegerField(
        _("attempts before a pass"), default=3, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    cooldown_hours = models.PositiveIntegerField(
        _("pause after a failed attempt (hours)"), default=24, validators=[MaxValueValidator(24 * 365)]
    )
    recertify_days = models.PositiveIntegerField(
        _("recertification opens (days before expiry)"), default=90, validators=[MaxValueValidator(3650)]
    )
    is_published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("exam")
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title

    AUDIT_FIELDS = ("code", "title", "certification_type_id", "level", "question_count", "time_limit_minutes",
                    "passing_score", "max_attempts", "cooldown_hours", "recertify_days", "is_published")  # fmt: skip


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("One answer")
    MULTIPLE = "multiple", _("Several answers")


class Question(models.Model):
    exam = models.ForeignKey(Exam, on_delete=models.CASCADE, related_name="questions")
    text = models.TextField(_("question"), max_length=2000)
    kind = models.CharField(_("kind"), max_length=10, choices=QuestionKind.choices, default=QuestionKind.SINGLE)
    is_active = models.BooleanField(_("in the bank"), default=True)

    class Meta:
        ordering = ["exam_id", "id"]

    def __str__(self) -> str:
        return self.text[:80]


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(_("answer"), max_length=500)
    is_correct = models.BooleanField(_("correct"), default=False)

    class Meta:
        ordering = ["question_id", "id"]

    def __str__(self) -> str:
        return self.text


class AttemptStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")  # started; answers taken until the deadline
    PASSED = "passed", _("Passed")  # submitted in time with at least the passing score
    FAILED = "failed", _("Failed")  # submitted in time below the passing score
    EXPIRED = "expired", _("Time ran out")  # not submitted before the deadline (closed by the next start or the job)


class Attempt(models.Model):
    """One sitting of an exam by a specialist: the questions drawn for it, its deadline and its result."""

    tenant_path = "specialist__organisation"

    exam = models.ForeignKey(Exam, on_delete=models.PROTECT, related_name="attempts")
    specialist = models.ForeignKey("enablement.Specialist", on_delete=models.CASCADE, related_name="attempts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("status"), max_length=12, choices=AttemptStatus.choices,
                              default=AttemptStatus.IN_PROGRESS)  # fmt: skip
    started_at = models.DateTimeField(_("started at"))
    deadline = models.DateTimeField(_("deadline"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    score = models.PositiveIntegerField(_("score, %"), null=True, blank=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("exam attempt")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["specialist", "exam", "started_at"])]

    def __str__(self) -> str:
        return f"{self.exam} — {self.specialist}"

    AUDIT_FIELDS = ("status", "score", "submitted_at")


class AttemptQuestion(models.Model):
    """A question drawn for an attempt, in the order shown, with the answer given."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="items")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField()
    selected = models.JSONField(default=list)
    is_correct = models.BooleanField(null=True)

    class Meta:
        ordering = ["attempt_id", "position"]
        constraints = [models.UniqueConstraint(fields=["attempt", "question"], name="attempt_question_unique")]

    def __str__(self) -> str:
        return f"{self.attempt_id}#{self.position}"
