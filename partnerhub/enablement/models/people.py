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


class Level(models.TextChoices):
    ASSOCIATE = "associate", _("Associate")
    PROFESSIONAL = "professional", _("Professional")
    EXPERT = "expert", _("Expert")


class Certification(models.Model):
    """A certificate held by a specialist. It counts from issued_on until expires_on (exclusive).

    Typed in by hand (no verification code) or issued by a passed certification exam: then it carries
    the attempt and an unguessable ``verification_code`` that the public page /verify/<code>/ checks.
    A revoked certificate stops counting at once; its row stays.
    """

    tenant_path = "specialist__organisation"

    specialist = models.ForeignKey(Specialist, on_delete=models.CASCADE, related_name="certifications")
    type = models.ForeignKey(CertificationType, on_delete=models.PROTECT, related_name="+")
    level = models.CharField(_("level"), max_length=20, choices=Level.choices, blank=True)
    number = models.CharField(_("certificate number"), max_length=100, blank=True)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    verification_code = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    attempt = models.OneToOneField(
        "enablement.Attempt", null=True, blank=True, on_delete=models.PROTECT, related_name="certification"
    )
    renews = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="renewals")
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoke_reason = models.CharField(_("reason"), max_length=500, blank=True)
    # Jobs: the expiry reminder sent (for this certificate's expiry), the expiry announced to the tiers.
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    expiry_announced_at = models.DateTimeField(null=True, blank=True, editable=False)
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

    AUDIT_FIELDS = ("type_id", "level", "number", "issued_on", "expires_on", "revoked_at", "revoke_reason")

    def is_valid_on(self, day) -> bool:
        return self.revoked_at is None and self.issued_on <= day and (self.expires_on is None or self.expires_on > day)
