"""Listings: a vendor's service, as numbered versions (draft → submitted → live or rejected).

A listing points at its live version (what the storefronts show) and at its working version (the
draft being edited, or awaiting moderation, or rejected and being fixed). Editing a live listing
copies the live version into a new working version; the live one stays on the storefronts until a
moderator approves the new one.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from partnerhub.core import uploads
from partnerhub.core.money import CurrencyField, MoneyField
from partnerhub.core.secrets import EncryptedTextField
from partnerhub.core.tenancy import TenantManager
from partnerhub.core.validators import validate_web_url

from ..choices import BillingPeriod, Category, ChargeModel, Industry, Language, ProvisioningMode


class Listing(models.Model):
    tenant_path = "organisation"

    organisation = models.ForeignKey("identity.Organisation", on_delete=models.CASCADE, related_name="+")
    live_version = models.OneToOneField("ListingVersion", null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="+")  # fmt: skip
    working_version = models.OneToOneField("ListingVersion", null=True, blank=True, on_delete=models.SET_NULL,
                                           related_name="+")  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("listing")
        ordering = ["-pk"]

    def __str__(self) -> str:
        return gettext("Listing #%(n)s") % {"n": self.pk}


class ListingVersion(models.Model):
    tenant_path = "listing__organisation"
    AUDIT_FIELDS = ("number", "status")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")  # the vendor edits it
        SUBMITTED = "submitted", _("Awaiting moderation")  # frozen until a moderator decides
        REJECTED = "rejected", _("Returned with comments")  # the vendor fixes it and submits again
        LIVE = "live", _("Live")  # shown on its storefronts
        SUPERSEDED = "superseded", _("Replaced by a later version")

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, blank=True)
    technical_requirements = models.TextField(_("technical requirements"), max_length=5000, blank=True)
    video_links = models.JSONField(_("video links"), default=list, blank=True)
    documentation_links = models.JSONField(_("documentation links"), default=list, blank=True)
    provisioning_mode = models.CharField(_("provisioning"), max_length=10, choices=ProvisioningMode.choices,
                                         default=ProvisioningMode.MANUAL)  # fmt: skip
    provisioning_url = models.URLField(_("provisioning API address"), blank=True, validators=[validate_web_url])
    provisioning_email = models.EmailField(_("e-mail for manual requests"), blank=True)
    # The bearer token the platform sends to the vendor's API: encrypted at rest (core.secrets), never shown again.
    provisioning_token = EncryptedTextField(_("provisioning API token"), blank=True)
    storefronts = models.ManyToManyField("marketplace.Storefront", blank=True, related_name="versions")
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")  # fmt: skip
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")  # fmt: skip

    objects = TenantManager()

    class Meta:
        verbose_name = _("listing version")
        ordering = ["listing_id", "-number"]
        constraints = [models.UniqueConstraint(fields=["listing", "number"], name="marketplace_version_number")]
        indexes = [models.Index(fields=["status", "category"], name="marketplace_version_status")]

    def __str__(self) -> str:
        return gettext("Listing #%(n)s, version %(v)s") % {"n": self.listing_id, "v": self.number}

    @property
    def editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.REJECTED)


class ListingText(models.Model):
    """The texts of a version in one language (a storefront shows its language's)."""

    tenant_path = "version__listing__organisation"

    version = models.ForeignKey(ListingVersion, on_delete=models.CASCADE, related_name="texts")
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    name = models.CharField(_("name"), max_length=120)
    short_description = models.CharField(_("short description"), max_length=300)
    long_description = models.TextField(_("marketing description"), max_length=10000)
    technical_description = models.TextField(_("technical description"), max_length=10000, blank=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("listing text")
        ordering = ["language"]
        constraints = [models.UniqueConstraint(fields=["version", "language"], name="marketplace_text_language")]

    def __str__(self) -> str:
        return f"{self.version_id} {self.language}"


class VersionIndustry(models.Model):
    """An industry a version is aimed at: a row (not a JSON list) so the catalogue filters by index."""

    version = models.ForeignKey(ListingVersion, on_delete=models.CASCADE, related_name="industries")
    code = models.CharField(_("industry"), max_length=20, choices=Industry.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="marketplace_version_industry")]
        indexes = [models.Index(fields=["code", "version"], name="marketplace_industry_code")]

    def __str__(self) -> str:
        return self.code


class Screenshot(models.Model):
    tenant_path = "version__listing__organisation"

    version = models.ForeignKey(ListingVersion, on_delete=models.CASCADE, related_name="screenshots")
    image = models.FileField(_("image"), upload_to="marketplace/screenshots/%Y/%m/", validators=[uploads.IMAGE])
    thumbnail = models.FileField(upload_to="marketplace/thumbnails/%Y/%m/", validators=[uploads.THUMBNAIL])
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    position = models.PositiveSmallIntegerField(default=0)

    objects = TenantManager()

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.caption or f"screenshot {self.pk}"


class Resource(models.Model):
    """What a subscription holds and is counted in: seats, GB, vCPU-hours, API calls…"""

    tenant_path = "version__listing__organisation"

    version = models.ForeignKey(ListingVersion, on_delete=models.CASCADE, related_name="resources")
    code = models.SlugField(_("code"), max_length=40)
    name_ru = models.CharField(_("name (Russian)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    unit = models.CharField(_("unit"), max_length=30)

    objects = TenantManager()

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="marketplace_resource_code")]

    def __str__(self) -> str:
        return self.code

    def name(self, language: str) -> str:
        return self.name_ru if language == "ru" else self.name_en


class Plan(models.Model):
    tenant_path = "version__listing__organisation"

    version = models.ForeignKey(ListingVersion, on_delete=models.CASCADE, related_name="plans")
    code = models.SlugField(_("code"), max_length=40)
    name_ru = models.CharField(_("name (Russian)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    billing_period = models.CharField(_("billing period"), max_length=10, choices=BillingPeriod.choices,
                                      default=BillingPeriod.MONTHLY)  # fmt: skip
    trial_days = models.PositiveSmallIntegerField(
        _("free trial, days"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("A trial plan is free for this many days and carries no charges."),
    )  # fmt: skip
    position = models.PositiveSmallIntegerField(default=0)

    objects = TenantManager()

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="marketplace_plan_code")]

    def __str__(self) -> str:
        return self.code

    @property
    def label(self) -> str:
        """The plan's name in the active language (its code when it has none)."""
        return self.name(get_language() or "ru") or self.code

    @property
    def is_trial(self) -> bool:
        return bool(self.trial_days)

    def name(self, language: str) -> str:
        return self.name_ru if language == "ru" else self.name_en


class Charge(models.Model):
    """One charge of a plan: a charge model applied to a resource (none for flat and setup fees)."""

    tenant_path = "plan__version__listing__organisation"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="charges")
    model = models.CharField(_("charge model"), max_length=12, choices=ChargeModel.choices)
    resource = models.ForeignKey(Resource, null=True, blank=True, on_delete=models.PROTECT, related_name="charges")
    block_size = models.PositiveIntegerField(_("units per block"), null=True, blank=True,
                                             validators=[MinValueValidator(1)])  # fmt: skip
    position = models.PositiveSmallIntegerField(default=0)

    objects = TenantManager()

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.model


class Price(models.Model):
    """A charge's price in one currency: an amount, or tiers ``[{"up_to", "unit", "flat"}]`` for tiered models."""

    tenant_path = "charge__plan__version__listing__organisation"

    charge = models.ForeignKey(Charge, on_delete=models.CASCADE, related_name="prices")
    currency = CurrencyField(_("currency"))
    amount = MoneyField(_("price"), null=True, blank=True)
    tiers = models.JSONField(_("tiers"), default=list, blank=True)

    objects = TenantManager()

    class Meta:
        ordering = ["currency"]
        constraints = [models.UniqueConstraint(fields=["charge", "currency"], name="marketplace_price_currency")]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


class ModerationComment(models.Model):
    """A moderator's comment on one field of a version it returned."""

    tenant_path = "version__listing__organisation"

    version = models.ForeignKey(ListingVersion, on_delete=models.CASCADE, related_name="comments")
    field = models.CharField(_("field"), max_length=80)
    comment = models.TextField(_("comment"), max_length=2000)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.field}: {self.comment[:40]}"
