"""The claim registry: every claim on a customer, of every kind, in one table.

A partner's registered deal, a lead a partner accepted, a referral attribution and the
vendor's own direct opportunity are all :class:`Claim` rows. One matcher
(:mod:`partnerhub.deals.matching`) checks every new claim against the active claims of all
organisations, so no kind of claim can slip past another.

``status`` is the registration and protection state; ``stage`` is where the sale stands.
"""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from partnerhub.core import uploads
from partnerhub.core.money import CurrencyField, MoneyField
from partnerhub.core.tenancy import TenantManager

from .fields import KeyListField

# What the vendor's review queue lists: claims awaiting a decision, and protected deals flagged stale.
# One expression for the queue's filter (selectors.review_queue) and its partial index.
AWAITING_REVIEW = (Q(status__in=["pending", "held"]) | Q(stale_flagged_at__isnull=False, status="protected")) & ~Q(
    kind="direct"
)


class Claim(models.Model):
    tenant_path = "organisation"

    class Kind(models.TextChoices):
        DEAL = "deal", _("Registered deal")
        REFERRAL = "referral", _("Referral attribution")
        DIRECT = "direct", _("Vendor's direct opportunity")

    class Origin(models.TextChoices):
        REGISTERED = "registered", _("Registered by the partner")
        LEAD = "lead", _("Accepted lead")
        REFERRAL = "referral", _("Referral link or code")
        DIRECT = "direct", _("Vendor's own sales")

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        HELD = "held", _("Under review")
        PROTECTED = "protected", _("Protected")
        REJECTED = "rejected", _("Rejected")
        EXPIRED = "expired", _("Protection ended")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        WON = "won", _("Won")
        LOST = "lost", _("Lost")

    class Stage(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        QUALIFIED = "qualified", _("Qualified")
        PROPOSAL = "proposal", _("Proposal")
        NEGOTIATION = "negotiation", _("Negotiation")
        WON = "won", _("Won")
        LOST = "lost", _("Lost")

    class Model(models.TextChoices):
        RESALE = "resale", _("Resale")
        AGENCY = "agency", _("Agency")

    class HoldReason(models.TextChoices):
        """Why a registration waits for the partner manager (``hold_reasons``, several at once)."""

        CONFLICT = "conflict", _("another partner registered the same customer")
        DIRECT_CUSTOMER = "direct_customer", _("the vendor works with this customer directly")
        OWN_DOMAIN = "own_domain", _("the customer's address is the partner's own")
        BURST = "burst", _("more registrations in a day than the programme allows")

    # Statuses whose claims block other organisations' claims on the same customer.
    ACTIVE = (Status.PENDING, Status.HELD, Status.PROTECTED)
    OPEN_STAGES = (Stage.REGISTERED, Stage.QUALIFIED, Stage.PROPOSAL, Stage.NEGOTIATION)

    # No single-column index: (organisation, status) and claim_org_newest lead with it.
    organisation = models.ForeignKey(
        "identity.Organisation", on_delete=models.PROTECT, related_name="claims", db_index=False
    )
    programme = models.ForeignKey("programmes.Programme", null=True, blank=True, on_delete=models.PROTECT)
    version = models.ForeignKey(
        "programmes.ProgrammeVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text=_("the programme version in force at registration"),
    )  # fmt: skip
    tier_code = models.SlugField(
        _("tier at registration"), max_length=50, blank=True, db_index=False
    )  # shown, never searched
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.DEAL)
    origin = models.CharField(_("origin"), max_length=12, choices=Origin.choices, default=Origin.REGISTERED)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices, default=Stage.REGISTERED)
    cooperation_model = models.CharField(_("cooperation model"), max_length=8, choices=Model.choices, default="resale")
    title = models.CharField(_("deal"), max_length=200)

    customer_name = models.CharField(_("customer"), max_length=300)
    customer_inn = models.CharField(_("customer INN"), max_length=12, blank=True)
    customer_domain = models.CharField(_("customer e-mail domain or website"), max_length=200, blank=True)
    customer_region = models.CharField(_("region"), max_length=100, blank=True)
    customer_city = models.CharField(_("city"), max_length=100, blank=True)
    customer_organisation = models.ForeignKey(
        "identity.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="claims_on"
    )
    name_key = models.CharField(max_length=300, db_index=False)
    # The exact keys the conflict check finds this claim by (deals.keys.match_keys; GIN-indexed on PostgreSQL).
    match_keys = KeyListField()
    domain_key = models.CharField(max_length=200, blank=True)

    currency = CurrencyField(_("currency"))
    amount = MoneyField(_("expected amount"), default=0)
    expected_close_on = models.DateField(_("expected close date"), null=True, blank=True)
    contact_name = models.CharField(_("partner's contact"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    description = models.TextField(_("description"), blank=True)

    partner_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("partner manager"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="managed_claims", db_index=False,  # (partner_manager, status) leads
    )  # fmt: skip
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    registered_at = models.DateTimeField(_("registered at"))
    approval_due_at = models.DateTimeField(_("decision due"), null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_reason = models.TextField(_("reason"), blank=True)
    hold_reasons = models.JSONField(default=list, blank=True)
    protected_until = models.DateField(_("protected until"), null=True, blank=True)
    last_activity_at = models.DateTimeField(_("last movement"))
    stale_warned_at = models.DateTimeField(null=True, blank=True)
    stale_flagged_at = models.DateTimeField(null=True, blank=True)
    uplift_percent = models.DecimalField(_("reward uplift (%)"), max_digits=5, decimal_places=2, default=0)
    benefit_share_percent = models.DecimalField(
        _("share of the registration benefit (%)"), max_digits=5, decimal_places=2, default=100
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    lock_version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("deal")
        verbose_name_plural = _("deals")
        ordering = ["-registered_at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "status"]),
            models.Index(fields=["partner_manager", "status"]),
            models.Index(fields=["status", "last_activity_at"]),
            models.Index(
                fields=["customer_inn"],
                condition=Q(status__in=["pending", "held", "protected"]),
                name="claim_active_inn",
            ),
            models.Index(
                fields=["domain_key"],
                condition=Q(status__in=["pending", "held", "protected"]),
                name="claim_active_domain",
            ),
            models.Index(
                fields=["name_key"], condition=Q(status__in=["pending", "held", "protected"]), name="claim_active_name"
            ),
            # Lists page newest first in SQL: walk these and stop at the page (no sort of every deal).
            models.Index(fields=["-registered_at", "-id"], name="claim_newest"),
            models.Index(fields=["organisation", "-registered_at", "-id"], name="claim_org_newest"),
            # The pipeline board: each stage's open deals by expected close date.
            models.Index(
                fields=["stage", "expected_close_on", "id"],
                condition=Q(status__in=["pending", "held", "protected"], kind="deal"),
                name="claim_active_board",
            ),
            # The review queue, oldest clock first: the page is read off this index, however many deals there are.
            models.Index(
                fields=["approval_due_at", "registered_at", "id"], condition=AWAITING_REVIEW, name="claim_review_queue"
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="claim_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def hold_reasons_shown(self) -> list[str]:
        """The hold reasons as people read them."""
        labels = dict(self.HoldReason.choices)
        return [str(labels.get(r, r)) for r in self.hold_reasons or []]

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.HELD, self.Status.PROTECTED)

    AUDIT_FIELDS = (
        "status", "stage", "title", "customer_name", "customer_inn", "customer_domain", "customer_region",
        "customer_city", "amount", "currency", "expected_close_on", "protected_until", "partner_manager_id",
        "uplift_percent", "benefit_share_percent", "hold_reasons",
    )  # fmt: skip


class ClaimLine(models.Model):
    """A product the partner expects to sell in the deal, with its expected amount."""

    tenant_path = "claim__organisation"

    class SaleType(models.TextChoices):
        NEW = "new", _("New sale")
        RENEWAL = "renewal", _("Renewal")

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="lines")
    product_family = models.ForeignKey("programmes.ProductFamily", on_delete=models.PROTECT, related_name="+")
    product = models.CharField(_("product"), max_length=200, blank=True)
    sale_type = models.CharField(_("sale type"), max_length=8, choices=SaleType.choices, default=SaleType.NEW)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    amount = MoneyField(_("expected amount"))

    objects = TenantManager()

    class Meta:
        ordering = ["claim_id", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="claim_line_amount_positive")]

    def __str__(self) -> str:
        return f"{self.product or self.product_family} {self.amount}"


class ClaimActivity(models.Model):
    """The deal's timeline: notes, stage moves and decisions, as the partner and the BDM see them."""

    tenant_path = "claim__organisation"

    class Kind(models.TextChoices):
        NOTE = "note", _("Note")
        STAGE = "stage", _("Stage changed")
        STATUS = "status", _("Status changed")
        EXTENSION = "extension", _("Extension")
        WARNING = "warning", _("Warning")

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="activity")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    text = models.TextField(blank=True)
    from_value = models.CharField(max_length=40, blank=True)
    to_value = models.CharField(max_length=40, blank=True)
    # Internal entries (conflict details) are shown to vendor staff only.
    internal = models.BooleanField(default=False)

    objects = TenantManager()

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d}"

    @property
    def values_shown(self) -> tuple[str, str]:
        """From and to as people read them: a stage or status by its label, anything else as written."""
        field = {self.Kind.STAGE: "stage", self.Kind.STATUS: "status"}.get(self.kind)
        if field is None:
            return self.from_value, self.to_value
        labels = dict(Claim._meta.get_field(field).flatchoices)
        return tuple(str(labels.get(v, v)) if v else "—" for v in (self.from_value, self.to_value))  # "—": none before


class ClaimConflict(models.Model):
    """A possible conflict between a new claim and an existing one, for the BDM to decide."""

    tenant_path = "claim__organisation"

    class Resolution(models.TextChoices):
        OPEN = "open", _("Open")
        KEEP_EXISTING = "keep_existing", _("First registration kept")
        SECOND_PARTNER = "second_partner", _("Second partner with reduced benefit")
        CUSTOMER_CHOICE = "customer_choice", _("Customer's written choice")
        NOT_A_CONFLICT = "not_a_conflict", _("Not the same customer")

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="conflicts")
    other = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="conflicted_by")
    reasons = models.JSONField(encoder=DjangoJSONEncoder)
    score = models.PositiveSmallIntegerField()
    resolution = models.CharField(max_length=16, choices=Resolution.choices, default=Resolution.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)
    evidence = models.FileField(upload_to="deals/choices/%Y/%m/", blank=True, validators=[uploads.EVIDENCE])
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager()

    class Meta:
        ordering = ["-score", "id"]
        constraints = [models.UniqueConstraint(fields=["claim", "other"], name="claim_conflict_unique_pair")]

    def __str__(self) -> str:
        return f"#{self.claim_id} ~ #{self.other_id}"

    MATCH_LABELS = {"inn": _("same INN"), "domain": _("same domain"), "name": _("similar name")}

    def reasons_shown(self) -> list[str]:
        """What matched, as people read it: "same INN 100%"."""
        return [f"{self.MATCH_LABELS.get(r.get('key'), r.get('key'))} {r.get('score')}%" for r in self.reasons or []]


class ExtensionRequest(models.Model):
    tenant_path = "claim__organisation"

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        GRANTED = "granted", _("Granted")
        REFUSED = "refused", _("Refused")

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="extensions")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(_("reason and evidence"))
    evidence = models.FileField(
        _("evidence"), upload_to="deals/extensions/%Y/%m/", blank=True, validators=[uploads.EVIDENCE]
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    days = models.PositiveIntegerField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    objects = TenantManager()

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"#{self.claim_id} {self.get_status_display()}"
