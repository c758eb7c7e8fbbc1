"""Market and business development funds (MDF/BDF): budgets per partner and period, activity requests
against them, claims with proof of performance, paid through the rewards ledger.

A budget's used, reserved and remaining amounts are never stored: they are sums of its requests
(an approved request reserves its approved amount; a paid one has used what its claim was paid).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from partnerhub.core import uploads
from partnerhub.core.models import AttachedFile
from partnerhub.core.money import CurrencyField, MoneyField
from partnerhub.core.tenancy import TenantManager


class FundKind(models.TextChoices):
    MDF = "mdf", _("Market development funds (MDF)")
    BDF = "bdf", _("Business development funds (BDF)")


class PeriodKind(models.TextChoices):
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")


class FundAllowance(models.Model):
    """What the vendor grants each period to a tier whose benefits include market development funds."""

    programme = models.ForeignKey("programmes.Programme", on_delete=models.CASCADE, related_name="+")
    tier_code = models.SlugField(_("tier"), max_length=50)
    kind = models.CharField(_("fund"), max_length=8, choices=FundKind.choices, default=FundKind.MDF)
    period_kind = models.CharField(_("period"), max_length=8, choices=PeriodKind.choices, default=PeriodKind.QUARTER)
    currency = CurrencyField(_("currency"))
    amount = MoneyField(_("amount"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("fund allowance")
        ordering = ["programme_id", "tier_code", "kind", "period_kind", "currency"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "tier_code", "kind", "period_kind", "currency"], name="fund_allowance_unique"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="fund_allowance_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.programme_id}/{self.tier_code} {self.kind} {self.amount} {self.currency}"


class Budget(models.Model):
    class Source(models.TextChoices):
        TIER = "tier", _("Tier benefit")
        HAND = "hand", _("Granted by hand")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")  # requests may be made and approved until the period ends
        CLOSED = "closed", _("Closed")  # the period ended: what was not used expired

    tenant_path = "organisation"

    organisation = models.ForeignKey("identity.Organisation", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("fund"), max_length=8, choices=FundKind.choices)
    currency = CurrencyField(_("currency"))
    period_kind = models.CharField(_("period"), max_length=8, choices=PeriodKind.choices)
    period_start = models.DateField(_("period starts"))
    period_end = models.DateField(_("period ends"))
    amount = MoneyField(_("amount granted"))
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    tier_code = models.SlugField(_("tier"), max_length=50, blank=True)
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    granted_by = models.ForeignKey("identity.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    expired_amount = MoneyField(_("expired"), null=True, blank=True)
    released_amount = MoneyField(_("reservations released"), null=True, blank=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("fund budget")
        verbose_name_plural = _("fund budgets")
        ordering = ["-period_start", "organisation_id", "kind", "id"]
        indexes = [models.Index(fields=["status", "period_end"]), models.Index(fields=["organisation", "period_start"])]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind", "currency", "period_start"],
                condition=Q(source="tier"),
                name="fund_budget_one_tier_grant",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="fund_budget_positive"),
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="fund_budget_dates"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period_start:%Y-%m-%d}–{self.period_end:%Y-%m-%d} {self.currency}"

    @property
    def remaining_amount(self):
        """Granted less reserved less used (read through ``rules.with_figures``, which annotates both)."""
        return self.amount - getattr(self, "reserved", 0) - getattr(self, "used", 0)


class ActivityRequest(models.Model):
    class Kind(models.TextChoices):
        EVENT = "event", _("Event")
        WEBINAR = "webinar", _("Webinar")
        ADVERTISING = "advertising", _("Advertising")
        CO_MARKETING = "co_marketing", _("Co-marketing")
        TRAINING = "training", _("Training")

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting decision")
        APPROVED = "approved", _("Approved")  # its approved amount is reserved from the budget
        REJECTED = "rejected", _("Rejected")
        PAID = "paid", _("Paid")  # a claim was approved and posted to the ledger; the reservation ended
        EXPIRED = "expired", _("Expired")  # the period ended before it was claimed: reservation released

    tenant_path = "organisation"

    organisation = models.ForeignKey("identity.Organisation", on_delete=models.PROTECT, related_name="+")
    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="requests")
    kind = models.CharField(_("activity"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    planned_cost = MoneyField(_("planned cost"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    approved_amount = MoneyField(_("approved amount"), null=True, blank=True)
    paid_amount = MoneyField(_("paid amount"), null=True, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)
    requested_by = models.ForeignKey("identity.User", null=True, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey("identity.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("activity request")
        verbose_name_plural = _("activity requests")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(planned_cost__gt=0), name="fund_request_positive"),
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="fund_request_dates"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def currency(self) -> str:
        return self.budget.currency


class Claim(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting decision")
        APPROVED = "approved", _("Approved and paid")
        REJECTED = "rejected", _("Rejected")

    tenant_path = "organisation"

    organisation = models.ForeignKey("identity.Organisation", on_delete=models.PROTECT, related_name="+")
    request = models.ForeignKey(ActivityRequest, on_delete=models.PROTECT, related_name="claims")
    actual_cost = MoneyField(_("actual cost"))
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    approved_amount = MoneyField(_("approved amount"), null=True, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)
    journal_entry = models.ForeignKey(
        "rewards.JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_by = models.ForeignKey("identity.User", null=True, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey("identity.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("fund claim")
        verbose_name_plural = _("fund claims")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(actual_cost__gt=0), name="fund_claim_positive"),
            models.UniqueConstraint(
                fields=["request"],
                condition=Q(status__in=["pending", "approved"]),
                name="fund_claim_one_open_per_request",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request.title} #{self.pk}"


class ProofFile(AttachedFile):
    """Proof of performance attached to a claim: PDF, JPEG or PNG, checked by content."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(_("file"), upload_to="funds/proof/%Y/%m/", validators=[uploads.PROOF_OF_PERFORMANCE])

    class Meta(AttachedFile.Meta):
        verbose_name = _("proof of performance")
