"""Partner programmes as versioned data.

A :class:`Programme` is a stable identity; its rules live in :class:`ProgrammeVersion` rows.
Publishing freezes a version; editing a published programme creates the next version, and
every calculation uses the version in force on the date it concerns
(:func:`partnerhub.programmes.selectors.version_in_force`).
"""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from partnerhub.core.i18n import localized
from partnerhub.core.money import CurrencyField

PERCENT = [MinValueValidator(0), MaxValueValidator(100)]


class ProductFamily(models.Model):
    """A family of the vendor's products that reward rates are set for (software, hardware…)."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("product family")
        verbose_name_plural = _("product families")
        ordering = ["code"]

    def __str__(self) -> str:
        return localized(self)


class Programme(models.Model):
    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["name"]

    def __str__(self) -> str:
        return localized(self)


class ProgrammeVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")  # being edited; used by nothing
        PUBLISHED = "published", _("Published")  # frozen; in force from effective_from
        RETIRED = "retired", _("Retired")  # withdrawn before it came into force

    class Period(models.TextChoices):
        ROLLING_12_MONTHS = "rolling_12_months", _("Last 12 months")
        CALENDAR_YEAR = "calendar_year", _("Calendar year")
        CALENDAR_QUARTER = "calendar_quarter", _("Calendar quarter")

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    effective_from = models.DateField(_("in force from"))
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    currency = CurrencyField(_("currency"))
    evaluation_period = models.CharField(
        _("evaluation period"), max_length=24, choices=Period.choices, default=Period.ROLLING_12_MONTHS
    )
    downgrade_grace_days = models.PositiveIntegerField(_("downgrade grace (days)"), default=30)
    terms = models.TextField(_("programme terms"), blank=True)
    # Deal registration rules (sections 3 and 4 of the domain). A tier's ``deal_protection``
    # benefit overrides protection length (days), approval clock (hours) and uplift (percent).
    deal_protection_days = models.PositiveIntegerField(
        _("deal protection (days)"), default=180, help_text=_("counted from the last movement of the deal")
    )
    deal_approval_hours = models.PositiveIntegerField(
        _("approval clock (business hours)"), default=24, help_text=_("counted on working days only")
    )
    # Whose production calendar tells the working days (public holidays, days off moved, working Saturdays).
    deal_calendar = models.CharField(
        _("working-day calendar (country)"), max_length=8, default="RU", help_text=_("an ISO 3166 country code")
    )
    deal_inactivity_months = models.PositiveIntegerField(
        _("flag a deal without movement for more than (calendar months)"), default=3
    )
    deal_lapse_automatic = models.BooleanField(_("protection lapses by itself when a deal is stale"), default=False)
    deal_warning_days = models.PositiveIntegerField(_("warn the partner before (days)"), default=14)
    deal_extension_days = models.PositiveIntegerField(_("extension granted on request (days)"), default=30)
    deal_uplift_percent = models.DecimalField(
        _("reward uplift for a registered deal (%)"), max_digits=5, decimal_places=2, default=0, validators=PERCENT
    )
    deal_second_partner_percent = models.DecimalField(
        _("share of the benefit for a second partner on the same customer (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PERCENT,
        help_text=_("empty: the second partner gets nothing"),
    )
    deal_burst_limit = models.PositiveIntegerField(
        _("registrations per partner per day before they are held for review"), default=20
    )
    lead_accept_hours = models.PositiveIntegerField(_("time to accept a lead (hours)"), default=48)
    referral_window_days = models.PositiveIntegerField(_("referral attribution window (days)"), default=90)
    referral_reward_percent = models.DecimalField(
        _("referral reward (per cent of an attributed purchase)"), max_digits=5, decimal_places=2, default=10,
        validators=PERCENT,
    )  # fmt: skip
    referral_attribution = models.CharField(
        _("referral attribution"),
        max_length=16,
        choices=[("last_click", _("Last click")), ("first_click", _("First click")), ("bind_once", _("Bind once"))],
        default="last_click",
    )
    # Rewards (YAML block ``rewards``): the hold before a reward may be paid (empty: REWARDS_HOLD_DAYS), and the
    # multi-level network overrides: a distributor's on its resellers' sales, a recruiter's on its recruits'
    # sales for a number of months from the recruitment (0 %: none).
    reward_hold_days = models.PositiveIntegerField(
        _("reward hold (days)"), null=True, blank=True, validators=[MaxValueValidator(366)],
        help_text=_("empty: the platform's default"),
    )  # fmt: skip
    distributor_override_percent = models.DecimalField(
        _("distributor's override on its resellers' sales (%)"), max_digits=5, decimal_places=2, default=0,
        validators=PERCENT,
    )  # fmt: skip
    recruiter_override_percent = models.DecimalField(
        _("recruiter's override on its recruits' sales (%)"), max_digits=5, decimal_places=2, default=0,
        validators=PERCENT,
    )  # fmt: skip
    recruiter_override_months = models.PositiveIntegerField(
        _("recruiter's override lasts (months from the recruitment)"), default=12, validators=[MaxValueValidator(120)]
    )
    schema_version = models.PositiveIntegerField(default=1)
    document = models.JSONField(_("definition"), encoder=DjangoJSONEncoder, default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("programme version")
        verbose_name_plural = _("programme versions")
        ordering = ["programme_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="programme_version_unique_number"),
            models.UniqueConstraint(fields=["programme"], condition=Q(status="draft"), name="programme_one_draft"),
        ]

    def __str__(self) -> str:
        return f"{localized(self)} v{self.number}"

    AUDIT_FIELDS = (
        "number",
        "status",
        "effective_from",
        "name",
        "name_en",
        "currency",
        "evaluation_period",
        "downgrade_grace_days",
        "deal_protection_days",
        "deal_approval_hours",
        "deal_calendar",
        "deal_inactivity_months",
        "deal_lapse_automatic",
        "deal_warning_days",
        "deal_extension_days",
        "deal_uplift_percent",
        "deal_second_partner_percent",
        "deal_burst_limit",
        "lead_accept_hours",
        "referral_window_days",
        "referral_attribution",
        "referral_reward_percent",
        "published_at",
        "reward_hold_days",
        "distributor_override_percent",
        "recruiter_override_percent",
        "recruiter_override_months",
    )


class ProgrammeRole(models.Model):
    """A cooperation model offered by the programme (resale, agency, white label…)."""

    class Kind(models.TextChoices):
        RESALE = "resale", _("Resale")
        AGENCY = "agency", _("Agency")
        CONSUMPTION_AGENT = "consumption_agent", _("Consumption agent")
        WHITE_LABEL = "white_label", _("White label")
        REFERRAL = "referral", _("Referral")
        ISV = "isv", _("Software vendor on the marketplace")
        DISTRIBUTION = "distribution", _("Distribution")

    version = models.ForeignKey(ProgrammeVersion, on_delete=models.CASCADE, related_name="roles")
    code = models.SlugField(max_length=50)
    name = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=24, choices=Kind.choices)
    has_tiers = models.BooleanField(default=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["version_id", "id"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="programme_role_unique_code")]

    def __str__(self) -> str:
        return localized(self)


class Tier(models.Model):
    version = models.ForeignKey(ProgrammeVersion, on_delete=models.CASCADE, related_name="tiers")
    code = models.SlugField(max_length=50)
    name = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200, blank=True)
    rank = models.PositiveIntegerField(help_text=_("1 is the entry tier; higher is better"))
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["version_id", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="tier_unique_code"),
            models.UniqueConstraint(fields=["version", "rank"], name="tier_unique_rank"),
        ]

    def __str__(self) -> str:
        return localized(self)


class Requirement(models.Model):
    class Metric(models.TextChoices):
        SALES_VOLUME = "sales_volume", _("Sales volume")
        PURCHASE_COUNT = "purchase_count", _("Number of purchases")
        CERTIFIED_STAFF = "certified_staff", _("Certified specialists")
        REGISTERED_DEALS = "registered_deals", _("Registered deals")
        WON_DEALS = "won_deals", _("Won deals")

    class Obligation(models.TextChoices):
        SIGNED_CONTRACT = "signed_contract", _("Signed contract")
        MONTHLY_REPORTS = "monthly_reports", _("Monthly financial reports")
        JOINT_PROMOTION = "joint_promotion", _("Joint promotion this quarter")
        REVIEWS = "reviews", _("Partner and customer reviews")
        VENDOR_INFO_ON_SITE = "vendor_info_on_site", _("Vendor information on the partner's site")
        RENEWALS_WORK = "renewals_work", _("Work on licence renewals")
        CUSTOM = "custom", _("Other obligation")

    class Condition(models.TextChoices):
        ALWAYS = "always", _("always")
        IF_HAD_SALES = "if_had_sales", _("if it had sales in the period")
        IF_HAS_WEBSITE = "if_has_website", _("if it has a website")

    class CheckedBy(models.TextChoices):
        EVIDENCE = "evidence", _("evidence uploaded by the partner")
        MANAGER = "manager", _("the partner manager")

    tier = models.ForeignKey(Tier, on_delete=models.CASCADE, related_name="requirements")
    code = models.SlugField(max_length=60)
    # Exactly one of metric / obligation is set.
    metric = models.CharField(max_length=24, choices=Metric.choices, blank=True)
    threshold = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    period = models.CharField(max_length=24, choices=ProgrammeVersion.Period.choices, blank=True)
    product_family = models.ForeignKey(ProductFamily, null=True, blank=True, on_delete=models.PROTECT)
    certification = models.SlugField(max_length=60, blank=True, help_text=_("certification type code"))
    obligation = models.CharField(max_length=24, choices=Obligation.choices, blank=True)
    checked_by = models.CharField(max_length=16, choices=CheckedBy.choices, blank=True)
    condition = models.CharField(max_length=16, choices=Condition.choices, default=Condition.ALWAYS)
    optional = models.BooleanField(default=False)
    label = models.CharField(max_length=300, blank=True)
    label_en = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["tier_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tier", "code"], name="requirement_unique_code"),
            models.CheckConstraint(
                condition=(Q(metric="") & ~Q(obligation="")) | (~Q(metric="") & Q(obligation="")),
                name="requirement_metric_xor_obligation",
            ),
        ]

    def __str__(self) -> str:
        return localized(self, "label") or str(
            self.get_metric_display() if self.metric else self.get_obligation_display()
        )


class Benefit(models.Model):
    class Kind(models.TextChoices):
        DISCOUNT = "discount", _("Discount")
        INTERNAL_USE = "internal_use", _("Internal-use licences")
        NFR_LICENCES = "nfr_licences", _("NFR licences")
        PAYMENT_DEFERRAL = "payment_deferral", _("Payment deferral")
        ADVANCE_KEYS = "advance_keys", _("Advance issue of licence keys")
        VENDOR_LEADS = "vendor_leads", _("Leads passed by the vendor")
        QUARTERLY_REBATE = "quarterly_rebate", _("Quarterly rebate")
        ANNUAL_SPIF = "annual_spif", _("Annual SPIF")
        DEDICATED_MANAGER = "dedicated_manager", _("Dedicated partner manager")
        DEAL_PROTECTION = "deal_protection", _("Deal protection")
        MDF = "mdf", _("Market development funds")
        PERK = "perk", _("Other benefit")
        CUSTOMER_DEMOS = "customer_demos", _("Demonstrations to the partner's customers")
        COMPLEX_SETUP = "complex_setup", _("Help with complex set-ups")

    tier = models.ForeignKey(Tier, on_delete=models.CASCADE, related_name="benefits")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    code = models.SlugField(max_length=60)
    label = models.CharField(max_length=300, blank=True)
    label_en = models.CharField(max_length=300, blank=True)
    percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True, validators=PERCENT)
    count = models.PositiveIntegerField(null=True, blank=True)
    user_cap = models.PositiveIntegerField(null=True, blank=True)
    days = models.PositiveIntegerField(null=True, blank=True)
    hours = models.PositiveIntegerField(null=True, blank=True)
    term_days = models.PositiveIntegerField(null=True, blank=True)
    on_request = models.BooleanField(default=False)

    class Meta:
        ordering = ["tier_id", "id"]
        constraints = [models.UniqueConstraint(fields=["tier", "code"], name="benefit_unique_code")]

    def __str__(self) -> str:
        return localized(self, "label") or str(self.get_kind_display())


class RewardRate(models.Model):
    """Reward as a percent of the fixed retail price, by product family and sale type."""

    class SaleType(models.TextChoices):
        NEW = "new", _("New sale")
        RENEWAL = "renewal", _("Renewal")

    tier = models.ForeignKey(Tier, on_delete=models.CASCADE, related_name="reward_rates")
    product_family = models.ForeignKey(ProductFamily, on_delete=models.PROTECT)
    sale_type = models.CharField(max_length=16, choices=SaleType.choices)
    percent = models.DecimalField(max_digits=5, decimal_places=2, validators=PERCENT)

    class Meta:
        ordering = ["tier_id", "product_family_id", "sale_type"]
        constraints = [
            models.UniqueConstraint(fields=["tier", "product_family", "sale_type"], name="reward_rate_unique"),
            models.CheckConstraint(condition=Q(percent__gte=0) & Q(percent__lte=100), name="reward_rate_percent_range"),
        ]

    def __str__(self) -> str:
        return f"{self.product_family} · {self.get_sale_type_display()}: {self.percent}%"


class NetworkOverride(models.Model):
    """A network override rate for one product family and/or one seller's tier (YAML ``rewards.overrides``).

    The most specific rule matching a sale wins — family and tier, then family, then tier — and the version's
    flat ``distributor_override_percent`` / ``recruiter_override_percent`` is the default; rated in
    ``partnerhub.rewards.network``, each line keeping the rule and rate that produced it.
    """

    class Kind(models.TextChoices):
        DISTRIBUTOR = "distributor", _("Distributor's override")
        RECRUITER = "recruiter", _("Recruiter's override")

    version = models.ForeignKey(ProgrammeVersion, on_delete=models.CASCADE, related_name="network_overrides")
    kind = models.CharField(_("override"), max_length=16, choices=Kind.choices)
    product_family = models.ForeignKey(ProductFamily, null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+", verbose_name=_("product family"))  # fmt: skip
    tier_code = models.CharField(_("seller's tier"), max_length=50, blank=True)
    percent = models.DecimalField(_("percent"), max_digits=5, decimal_places=2, validators=PERCENT)

    class Meta:
        ordering = ["version_id", "id"]
        indexes = [models.Index(fields=["version", "kind"], name="network_override_version_kind")]

    def __str__(self) -> str:
        scope = " · ".join(x for x in (self.product_family.code if self.product_family_id else "", self.tier_code) if x)
        return f"{self.get_kind_display()} {scope}: {self.percent}%"
