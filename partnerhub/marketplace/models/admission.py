"""Vendor admission: a software vendor's application, scored by the vendor's experts on a scorecard."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from partnerhub.core.tenancy import TenantManager


class ScoreCriterion(models.Model):
    """One line of the admission scorecard; its weight counts in the weighted total."""

    AUDIT_FIELDS = ("code", "name_ru", "name_en", "weight", "position", "is_active")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2, validators=[MinValueValidator(0)])
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("scorecard criterion")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name_en

    def name(self, language: str) -> str:
        return self.name_ru if language == "ru" else self.name_en


class VendorApplication(models.Model):
    """A software vendor (a partner organisation) asking to sell on the marketplace."""

    tenant_path = "organisation"
    AUDIT_FIELDS = ("status", "total_score", "decision_note")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Awaiting assessment")  # experts score it
        ADMITTED = "admitted", _("Admitted")  # enrolled in the marketplace vendor programme
        DECLINED = "declined", _("Declined")  # the note says why; the scores are kept

    organisation = models.ForeignKey("identity.Organisation", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    software_description = models.TextField(_("software description"), max_length=5000)
    focus_industries = models.JSONField(_("focus industries"), default=list)
    implementation_stories = models.TextField(_("implementation stories"), max_length=5000)
    company_profile = models.TextField(_("company profile"), max_length=5000)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("decision note"), max_length=2000, blank=True)
    total_score = models.DecimalField(_("weighted score"), max_digits=6, decimal_places=2, null=True, blank=True)
    scorecard = models.JSONField(_("scorecard at the decision"), null=True, blank=True)
    enrolment = models.ForeignKey("partners.Enrolment", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")  # fmt: skip

    objects = TenantManager()

    class Meta:
        verbose_name = _("vendor application")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"], condition=Q(status="submitted"), name="marketplace_one_open_application"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} #{self.pk}"


class ApplicationScore(models.Model):
    """One expert's score (1–5) of one criterion of an application."""

    tenant_path = "application__organisation"

    application = models.ForeignKey(VendorApplication, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(ScoreCriterion, on_delete=models.PROTECT, related_name="+")
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(_("score"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(_("comment"), max_length=2000, blank=True)
    scored_at = models.DateTimeField(auto_now=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("score")
        ordering = ["criterion__position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["application", "criterion", "expert"], name="marketplace_one_score_each"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.score}"
