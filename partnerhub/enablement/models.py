"""Partner staff and their certifications (the part the tier rules need)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from partnerhub.core.tenancy import TenantManager


class CertificationType(models.Model):
    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    validity_months = models.PositiveIntegerField(_("valid for (months)"), null=True, blank=True)

    class Meta:
        verbose_name = _("certification type")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Specialist(models.Model):
    tenant_path = "organisation"

    organisation = models.ForeignKey("identity.Organisation", on_delete=models.CASCADE, related_name="specialists")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    full_name = models.CharField(_("full name"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    position = models.CharField(_("position"), max_length=200, blank=True)
    is_active = models.BooleanField(_("employed"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("specialist")
        ordering = ["organisation_id", "full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "email"], condition=~Q(email=""), name="specialist_unique_email_per_org"
            )
        ]

    def __str__(self) -> str:
        return self.full_name

    AUDIT_FIELDS = ("full_name", "email", "position", "is_active")


class Certification(models.Model):
    """A certificate held by a specialist. It counts from issued_on until expires_on (exclusive)."""

    tenant_path = "specialist__organisation"

    specialist = models.ForeignKey(Specialist, on_delete=models.CASCADE, related_name="certifications")
    type = models.ForeignKey(CertificationType, on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("certificate number"), max_length=100, blank=True)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("certification")
        ordering = ["-issued_on", "-id"]
        indexes = [models.Index(fields=["type", "issued_on", "expires_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gt=models.F("issued_on")),
                name="certification_expiry_after_issue",
            )
        ]

    def __str__(self) -> str:
        return f"{self.type} — {self.specialist}"

    AUDIT_FIELDS = ("type_id", "number", "issued_on", "expires_on")
