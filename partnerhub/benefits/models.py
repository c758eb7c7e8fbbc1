"""Benefit requests: what a partner's tier entitles it to (NFR licences, internal-use licences, advance
licence keys, demonstrations to its customers, help with complex set-ups), requested, approved, fulfilled
and counted.

The entitlements themselves are not stored: they are the benefits of the partner's tier in the programme
version in force (``programmes.Benefit``: ``count`` a calendar year, ``user_cap`` users, ``on_request``).
What was used is a sum of this table's requests in the year (pending, approved and fulfilled ones count),
so a downgrade lowers the limit of the next request and revokes nothing already issued.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from partnerhub.core.secrets import EncryptedTextField
from partnerhub.core.tenancy import TenantManager


class Kind(models.TextChoices):
    NFR_LICENCES = "nfr_licences", _("NFR licences")
    INTERNAL_USE = "internal_use", _("Internal-use licences at a discount")
    ADVANCE_KEYS = "advance_keys", _("Advance licence keys")
    CUSTOMER_DEMOS = "customer_demos", _("Demonstration to a customer")
    COMPLEX_SETUP = "complex_setup", _("Help with a complex set-up")


# Kinds fulfilled with a licence key (recorded encrypted) and an expiry date.
LICENSED = {Kind.NFR_LICENCES, Kind.INTERNAL_USE, Kind.ADVANCE_KEYS}


class BenefitRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting decision")
        APPROVED = "approved", _("Approved, being prepared")
        REJECTED = "rejected", _("Rejected")
        FULFILLED = "fulfilled", _("Fulfilled")

    COUNTED = (Status.PENDING, Status.APPROVED, Status.FULFILLED)

    tenant_path = "organisation"

    organisation = models.ForeignKey("identity.Organisation", on_delete=models.PROTECT, related_name="+")
    programme = models.ForeignKey("programmes.Programme", on_delete=models.PROTECT, related_name="+")
    tier_code = models.SlugField(_("tier"), max_length=50)
    benefit_code = models.SlugField(max_length=60)
    kind = models.CharField(_("benefit"), max_length=24, choices=Kind.choices)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    note = models.TextField(_("what for"), blank=True)
    period_start = models.DateField(_("counted in the year from"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decision_reason = models.TextField(_("reason"), blank=True)
    licence_key = EncryptedTextField(_("licence key"), blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    modules_expire_on = models.DateField(_("modules expire on"), null=True, blank=True)
    fulfilment_note = models.TextField(_("fulfilment note"), blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    fulfilled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("benefit request")
        verbose_name_plural = _("benefit requests")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "programme", "kind", "period_start"]),
            models.Index(fields=["status", "created_at"]),
        ]
        constraints = [models.CheckConstraint(condition=Q(quantity__gte=1), name="benefit_request_quantity")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} × {self.quantity}"
