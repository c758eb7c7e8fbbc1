"""The conformance checks a listing's provisioning API went through (step 3 of the wizard)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from partnerhub.core.tenancy import TenantManager

from .listings import Listing


class ConformanceRun(models.Model):
    """One run of the conformance suite against a listing's provisioning API, with its whole report.

    A listing in API mode can be submitted only when the latest run for its current address and
    token passed (``token_digest`` tells a changed token without keeping it twice).
    """

    tenant_path = "listing__organisation"

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="conformance_runs")
    url = models.URLField(_("provisioning API address"), max_length=200)
    token_digest = models.CharField(max_length=64, blank=True)
    passed = models.BooleanField(_("passed"))
    report = models.JSONField(default=dict)
    ran_at = models.DateTimeField(_("run at"), auto_now_add=True)
    ran_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")  # fmt: skip

    objects = TenantManager()

    class Meta:
        verbose_name = _("conformance check")
        ordering = ["-ran_at", "-id"]
        indexes = [models.Index(fields=["listing", "-ran_at"])]

    def __str__(self) -> str:
        return f"{self.url}: {'passed' if self.passed else 'failed'}"
