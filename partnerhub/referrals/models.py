"""Referral partners' links, the clicks on them, attributions of customers and conversions.

A visitor follows ``/r/<code>``; the click is recorded (bots and repeats flagged, never the
raw IP) and a signed first-party cookie remembers the visitor. When that visitor signs up as
a customer, the sign-up is attributed to one partner's click (or to a typed code) and the
attribution is registered in the deals context's claim registry, so it is checked against
every other claim on that customer. Purchases of an attributed customer within the window
earn the partner a reward and become a sale in the rewards context.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from partnerhub.core.money import CurrencyField, MoneyField
from partnerhub.core.tenancy import TenantManager
from partnerhub.core.validators import validate_site_link


class ReferralLink(models.Model):
    """A partner's tracked link to a page of the vendor's site; its code doubles as a typed code."""

    tenant_path = "organisation"

    organisation = models.ForeignKey(
        "identity.Organisation", verbose_name=_("partner"), on_delete=models.PROTECT, related_name="referral_links"
    )
    code = models.SlugField(_("code"), max_length=32, unique=True)
    target = models.CharField(
        _("target"),
        max_length=500,
        validators=[validate_site_link],
        help_text=_("a path on this site (/pricing/) or a URL on an allowed vendor host"),
    )
    campaign = models.CharField(_("campaign"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("referral link")
        verbose_name_plural = _("referral links")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "is_active"])]

    def __str__(self) -> str:
        return f"{self.code} → {self.target}"

    AUDIT_FIELDS = ("code", "target", "campaign", "is_active")


class ReferralClick(models.Model):
    """One request for ``/r/<code>``. Counted in statistics unless it is a bot or a repeat."""

    tenant_path = "link__organisation"

    link = models.ForeignKey(ReferralLink, on_delete=models.CASCADE, related_name="clicks")
    at = models.DateTimeField(_("at"))
    visitor_id = models.UUIDField(_("visitor"))
    ip_hash = models.CharField(
        max_length=64, blank=True, help_text=_("salted SHA-256 of the address, never the address")
    )
    user_agent = models.CharField(_("user agent"), max_length=200, blank=True)
    referer_host = models.CharField(_("referring site"), max_length=200, blank=True)
    is_bot = models.BooleanField(_("bot"), default=False)
    is_duplicate = models.BooleanField(_("repeat"), default=False)
    # Set when a signed-in member of a customer organisation followed the link.
    customer = models.ForeignKey(
        "identity.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = TenantManager()

    class Meta:
        verbose_name = _("referral click")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["link", "at"]),
            models.Index(fields=["visitor_id", "at"]),
            models.Index(fields=["link", "ip_hash", "at"]),
        ]

    def __str__(self) -> str:
        return f"{self.link.code} @ {self.at:%Y-%m-%d %H:%M}"

    @property
    def counts(self) -> bool:
        return not (self.is_bot or self.is_duplicate)


class ReferralAttribution(models.Model):
    """A customer credited to a referral partner, and the claim that protects it."""

    tenant_path = "organisation"

    class How(models.TextChoices):
        COOKIE = "cookie", _("Referral link (cookie)")
        CODE = "code", _("Typed referral code")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")  # the claim is protected: purchases in the window earn rewards
        HELD = "held", _("Under review")  # the claim registry held it; the partner manager decides
        ENDED = "ended", _("Ended")  # window over, claim not confirmed or ended, or moved to another partner

    class EndReason(models.TextChoices):
        NONE = "", "—"
        WINDOW = "window", _("The attribution window ended")
        CLAIM_REJECTED = "claim_rejected", _("The partner manager did not confirm it")
        CLAIM_ENDED = "claim_ended", _("The protection of the claim ended")
        MOVED = "moved", _("A later referral of another partner took the customer")

    # Attributions that can still earn: the claim is protected or waits for a decision.
    CURRENT = (Status.ACTIVE, Status.HELD)

    organisation = models.ForeignKey(
        "identity.Organisation", verbose_name=_("partner"), on_delete=models.PROTECT, related_name="referrals_made"
    )
    link = models.ForeignKey(ReferralLink, null=True, blank=True, on_delete=models.PROTECT, related_name="attributions")
    click = models.ForeignKey(ReferralClick, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    customer = models.ForeignKey(
        "identity.Organisation", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="referred_by"
    )
    how = models.CharField(_("how"), max_length=8, choices=How.choices)
    programme = models.ForeignKey("programmes.Programme", null=True, blank=True, on_delete=models.PROTECT)
    rule = models.CharField(_("attribution rule"), max_length=16, default="last_click")
    first_click_at = models.DateTimeField(_("first click"), null=True, blank=True)
    attributed_at = models.DateTimeField(_("attributed at"))
    window_ends_on = models.DateField(_("purchases count until"))
    claim = models.ForeignKey("deals.Claim", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.HELD)
    end_reason = models.CharField(max_length=16, choices=EndReason.choices, blank=True, default="")
    ended_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("referral attribution")
        ordering = ["-attributed_at", "-id"]
        indexes = [models.Index(fields=["customer", "status"]), models.Index(fields=["status", "window_ends_on"])]
        constraints = [
            # A customer earns for one partner at a time; another partner's referral may wait for review.
            models.UniqueConstraint(fields=["customer"], condition=Q(status="active"), name="referral_one_active"),
            models.UniqueConstraint(
                fields=["customer", "organisation"],
                condition=Q(status__in=["active", "held"]),
                name="referral_one_current_per_partner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer} ← {self.organisation} ({self.get_status_display()})"

    AUDIT_FIELDS = ("status", "end_reason", "how", "link_id", "customer_id", "window_ends_on", "claim_id", "rule")


class Conversion(models.Model):
    """A sign-up or a purchase of a referred customer; purchases carry the partner's reward.

    Purchases without an attribution in force are recorded too (``unattributed``, no reward), so a
    reference is taken once and a repeated call is recognised.
    """

    tenant_path = "organisation"

    class Kind(models.TextChoices):
        SIGNUP = "signup", _("Sign-up")
        PURCHASE = "purchase", _("Purchase")

    class Status(models.TextChoices):
        ATTRIBUTED = "attributed", _("Credited to the partner")  # counts; a purchase has its sale
        HELD = "held", _("Waiting for the partner manager")  # the attribution is under review
        REJECTED = "rejected", _("Not credited: attribution not confirmed")
        UNATTRIBUTED = "unattributed", _("Not referred")  # no attribution in force: no reward

    class Reason(models.TextChoices):
        NONE = "", "—"
        NO_ATTRIBUTION = "no_attribution", _("The customer was not referred by a partner")
        WINDOW_ENDED = "window_ended", _("The purchase is outside the attribution window")
        BEFORE_ATTRIBUTION = "before_attribution", _("The purchase predates the referral")

    organisation = models.ForeignKey(
        "identity.Organisation",
        verbose_name=_("partner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referral_conversions",
    )
    attribution = models.ForeignKey(
        ReferralAttribution, null=True, blank=True, on_delete=models.PROTECT, related_name="conversions"
    )
    customer = models.ForeignKey("identity.Organisation", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    reason = models.CharField(max_length=20, choices=Reason.choices, blank=True, default="")
    amount = MoneyField(_("amount"), default=0)
    currency = CurrencyField(_("currency"))
    product_family = models.ForeignKey(
        "programmes.ProductFamily", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reward_percent = models.DecimalField(_("reward (%)"), max_digits=5, decimal_places=2, default=0)
    reward_amount = MoneyField(_("reward"), default=0)
    version = models.ForeignKey(
        "programmes.ProgrammeVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("the programme version whose reward rate was applied"),
    )
    sale = models.ForeignKey("rewards.Sale", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(_("reference"), max_length=80)
    occurred_on = models.DateField(_("date"))
    at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = TenantManager()

    class Meta:
        verbose_name = _("referral conversion")
        ordering = ["-occurred_on", "-id"]
        indexes = [
            models.Index(fields=["organisation", "kind", "occurred_on"]),
            models.Index(fields=["attribution", "kind"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["kind", "reference"], name="referral_conversion_unique_reference"),
            models.CheckConstraint(
                condition=Q(amount__gte=0) & Q(reward_amount__gte=0), name="conversion_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(status="unattributed") | Q(attribution__isnull=False), name="conversion_attributed_has_link"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reference}"

    AUDIT_FIELDS = (
        "kind",
        "status",
        "reason",
        "amount",
        "currency",
        "reward_percent",
        "reward_amount",
        "reference",
        "occurred_on",
        "version_id",
        "sale_id",
    )
