"""Outgoing webhooks: the endpoints organisations register and the log of every delivery."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from partnerhub.core.models import AppendOnlyError
from partnerhub.core.tenancy import TenantManager
from partnerhub.core.validators import validate_web_url

from .events import WILDCARD


class WebhookEndpoint(models.Model):
    """A URL of a partner's or the vendor's that receives events, signed with its secret.

    The secret is kept as is (HMAC needs it to sign) and only ever shown when it is created
    or rotated. Deleting an endpoint only marks it deleted: its deliveries stay in the log.
    """

    tenant_path = "organisation"

    organisation = models.ForeignKey(
        "identity.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT,
        related_name="webhook_endpoints",
    )  # fmt: skip
    url = models.CharField(_("URL"), max_length=500, validators=[validate_web_url])
    description = models.CharField(_("description"), max_length=200, blank=True)
    event_types = models.JSONField(_("event types"), default=list)
    secret = models.CharField(max_length=100)
    secret_hint = models.CharField(_("secret starts with"), max_length=16)
    secret_rotated_at = models.DateTimeField(_("secret rotated"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    disabled_reason = models.CharField(_("why it was disabled"), max_length=300, blank=True)
    consecutive_dead = models.PositiveIntegerField(_("deliveries given up in a row"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["organisation_id", "-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "is_active"])]

    def __str__(self) -> str:
        return self.url

    AUDIT_FIELDS = ("url", "description", "event_types", "is_active")

    def subscribes_to(self, event_type: str) -> bool:
        return WILDCARD in self.event_types or event_type in self.event_types


class WebhookDelivery(models.Model):
    """One event sent to one endpoint, with its attempts. Never deleted."""

    tenant_path = "endpoint__organisation"

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")  # not attempted yet
        FAILED = "failed", _("Failed, will retry")  # the last attempt failed; retried at next_attempt_at
        SUCCEEDED = "succeeded", _("Succeeded")  # the receiver answered 2xx
        DEAD = "dead", _("Given up")  # no attempts left

    endpoint = models.ForeignKey(
        WebhookEndpoint, verbose_name=_("endpoint"), on_delete=models.PROTECT, related_name="deliveries"
    )
    delivery_id = models.UUIDField(_("delivery id"), default=uuid.uuid4, unique=True, editable=False)
    event_id = models.UUIDField(_("event id"), db_index=True)
    event_type = models.CharField(_("event type"), max_length=64, db_index=True)
    payload = models.JSONField(_("payload"), encoder=DjangoJSONEncoder)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    manual = models.BooleanField(_("sent on request"), default=False)  # test events and redeliveries
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    max_attempts = models.PositiveIntegerField(_("attempts allowed"), default=1)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    last_response_status = models.PositiveIntegerField(_("last response status"), null=True, blank=True)
    last_response_body = models.TextField(_("last response (first 1 KB)"), blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    last_duration_ms = models.PositiveIntegerField(_("last duration (ms)"), null=True, blank=True)
    attempt_log = models.JSONField(_("attempts"), default=list, encoder=DjangoJSONEncoder)
    redelivery_of = models.ForeignKey(
        "self", verbose_name=_("redelivery of"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="redeliveries",
    )  # fmt: skip
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["endpoint", "created_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event_id"], condition=Q(redelivery_of__isnull=True),
                name="webhook_one_delivery_per_event_and_endpoint",
            )
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.event_type} → {self.endpoint} ({self.get_status_display()})"

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Webhook deliveries are kept")

    @property
    def is_final(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.DEAD)
