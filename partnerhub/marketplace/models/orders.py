"""Orders and subscriptions: a customer organisation's subscription to a plan of a live listing.

A subscription is seen by its customer, by the partner that ordered it on the customer's behalf,
by the software vendor whose listing it is, and by the platform's staff (``selectors_orders``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from partnerhub.core.money import CurrencyField, MoneyField
from partnerhub.core.tenancy import TenantManager

from ..choices import ProvisioningMode


class CustomerLink(models.Model):
    """A customer organisation a partner created (or serves): the partner may order on its behalf."""

    tenant_path = "partner"

    partner = models.ForeignKey("identity.Organisation", on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey("identity.Organisation", on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("partner's customer")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["partner", "customer"], name="marketplace_customer_link")]

    def __str__(self) -> str:
        return f"{self.partner_id} → {self.customer_id}"


class Subscription(models.Model):
    """What a customer holds: a plan of a listing, bought on a storefront, in its currency."""

    tenant_path = "customer"
    AUDIT_FIELDS = ("status", "plan_code", "quantities", "recurring_amount")

    class Status(models.TextChoices):
        PENDING = "pending", _("Being provisioned")  # not billed until the vendor provisions it
        TRIAL = "trial", _("Free trial")
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")  # by the customer
        SUSPENDED = "suspended", _("Suspended (unpaid)")  # by the platform's staff
        TERMINATING = "terminating", _("Being cancelled")
        TERMINATED = "terminated", _("Terminated")

    customer = models.ForeignKey("identity.Organisation", on_delete=models.PROTECT, related_name="+")
    partner = models.ForeignKey("identity.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")  # fmt: skip
    vendor = models.ForeignKey("identity.Organisation", on_delete=models.PROTECT, related_name="+")
    listing = models.ForeignKey("marketplace.Listing", on_delete=models.PROTECT, related_name="subscriptions")
    version = models.ForeignKey("marketplace.ListingVersion", on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey("marketplace.Plan", on_delete=models.PROTECT, related_name="+")
    plan_code = models.CharField(_("plan"), max_length=40)
    storefront = models.ForeignKey("marketplace.Storefront", on_delete=models.PROTECT, related_name="+")
    currency = CurrencyField(_("currency"))
    quantities = models.JSONField(_("quantities"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)
    recurring_amount = MoneyField(_("price per period"), default=0)
    setup_amount = MoneyField(_("setup fee"), default=0)
    period_start = models.DateField(_("period starts"), null=True, blank=True)
    period_end = models.DateField(_("period ends"), null=True, blank=True)
    trial_ends_on = models.DateField(_("trial ends"), null=True, blank=True)
    billable_since = models.DateTimeField(_("billed since"), null=True, blank=True)
    vendor_customer_id = models.CharField(max_length=200, blank=True)
    vendor_subscription_id = models.CharField(max_length=200, blank=True)
    parameters = models.JSONField(_("access parameters"), default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("subscription")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["customer", "status"], name="marketplace_sub_customer"),
            models.Index(fields=["vendor", "status"], name="marketplace_sub_vendor"),
            models.Index(fields=["partner", "status"], name="marketplace_sub_partner"),
        ]

    def __str__(self) -> str:
        return _("Subscription %(pk)s") % {"pk": self.pk}

    @property
    def billable(self) -> bool:
        """Billed only once the vendor provisioned it, and not in a free trial, paused or ended."""
        return self.billable_since is not None and self.status in (self.Status.ACTIVE, self.Status.TERMINATING)


class UsageRecord(models.Model):
    """Usage the vendor reported on a pay-as-you-go metric (a resource code) of a subscription."""

    tenant_path = "subscription__customer"

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="usage")
    metric = models.CharField(_("metric"), max_length=40)
    quantity = models.DecimalField(_("quantity"), max_digits=18, decimal_places=6)
    reported_on = models.DateField(_("reported for"))
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("usage record")
        ordering = ["-reported_on", "-pk"]
        indexes = [models.Index(fields=["subscription", "metric", "reported_on"], name="marketplace_usage")]

    def __str__(self) -> str:
        return f"{self.metric}: {self.quantity}"


class ProvisioningRequest(models.Model):
    """One thing the vendor must do for a subscription: create, change, suspend, resume or cancel it.

    Through the vendor's API the worker sends it (``services.provisioning``): each attempt is counted
    and the next one is stored (exponential backoff), so the work survives a dead worker; when the
    attempts are spent it lands in ``failed`` (the dead letter) until an operator retries it. By hand
    the vendor handles it as a task in its portal, within a service-level target.
    """

    tenant_path = "subscription__customer"
    AUDIT_FIELDS = ("status", "attempts", "assigned_to")

    class Kind(models.TextChoices):
        CREATE = "create", _("Provision")
        CHANGE = "change", _("Change plan or quantities")
        SUSPEND = "suspend", _("Suspend")
        RESUME = "resume", _("Resume")
        CANCEL = "cancel", _("Cancel")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the vendor")
        INQUIRING = "inquiring", _("The vendor needs more information")
        SCHEDULED = "scheduled", _("Will be retried")
        APPROVED = "approved", _("Done")
        FAILED = "failed", _("Failed (an operator can retry)")
        REVOKED = "revoked", _("Withdrawn")

    OPEN = (Status.PENDING, Status.INQUIRING, Status.SCHEDULED, Status.FAILED)

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="requests")
    kind = models.CharField(_("request"), max_length=10, choices=Kind.choices)
    mode = models.CharField(_("provisioning"), max_length=10, choices=ProvisioningMode.choices)  # the version's
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    payload = models.JSONField(default=dict, blank=True)  # plan, quantities, reason (pause | unpaid)
    idempotency_key = models.CharField(max_length=80, unique=True)
    proration = MoneyField(_("proration"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    max_attempts = models.PositiveIntegerField(_("attempts allowed"), default=5)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    operation_url = models.URLField(max_length=500, blank=True)  # a 202 answer's status URL, polled
    # When the vendor last posted to the request's callback URL (a hint to poll the status URL now).
    callback_at = models.DateTimeField(_("vendor's callback"), null=True, blank=True)
    last_error = models.JSONField(null=True, blank=True)  # a Reason.as_dict()
    call_log = models.JSONField(default=list, blank=True)  # the last calls (CallRecord.as_dict)
    question = models.TextField(_("question to the customer"), max_length=2000, blank=True)
    answer = models.TextField(_("customer's answer"), max_length=2000, blank=True)
    note = models.TextField(_("vendor's note"), max_length=2000, blank=True)
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")  # fmt: skip
    due_at = models.DateTimeField(_("due"), null=True, blank=True)  # manual requests: the service-level target
    escalation_level = models.PositiveSmallIntegerField(_("escalation"), default=0)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("provisioning request")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="marketplace_req_due"),
            models.Index(fields=["mode", "status", "due_at"], name="marketplace_req_manual"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN
