"""Leads the vendor passes to partners, and the offers that route them.

A :class:`Lead` is a prospective customer (a tender, a regional request, a contact from the
public partner locator…). It is offered to one partner at a time (:class:`LeadOffer`); the
partner accepts it — it becomes a claim in the deals registry — or declines it, or lets the
offer run out, and the lead moves on to the next partner (never back to one that declined or
let it expire).

Tenancy: an offer belongs to the partner it is made to. A lead belongs to no single
organisation, so :class:`LeadQuerySet` scopes it explicitly: vendor administrators (and
finance, moderators) read every lead; a partner manager reads the leads offered to their
partners, the leads nobody holds (new or unassigned) and those they created; a partner reads
the leads offered to it — through its own offers only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnerhub.core.money import CurrencyField, MoneyField
from partnerhub.core.tenancy import TenantManager, TenantQuerySet, actor_for


class LeadQuerySet(TenantQuerySet):
    def visible_to(self, user) -> LeadQuerySet:
        actor = actor_for(user)
        if not actor.is_authenticated:
            return self.none()
        if actor.sees_everything:
            return self.all()
        q = Q(pk__in=LeadOffer.objects.visible_to(user).values("lead_id"))
        if actor.is_partner_manager:
            q |= Q(status__in=[Lead.Status.NEW, Lead.Status.UNASSIGNED]) | Q(created_by=user)
        return self.filter(q)


class Lead(models.Model):
    tenant_path = "offers__organisation"  # documentation only: LeadQuerySet.visible_to scopes leads

    class Source(models.TextChoices):
        TENDER = "tender", _("Tender")
        REGIONAL_REQUEST = "regional_request", _("Regional request")
        LOCATOR = "locator", _("Partner locator")
        MARKETPLACE = "marketplace", _("Marketplace")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        OFFERED = "offered", _("Offered")
        ACCEPTED = "accepted", _("Accepted")
        UNASSIGNED = "unassigned", _("Unassigned")  # no eligible partner left
        CLOSED = "closed", _("Closed")

    OPEN = (Status.NEW, Status.OFFERED, Status.UNASSIGNED)

    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.OTHER)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NEW)
    customer_name = models.CharField(_("customer"), max_length=300)
    customer_inn = models.CharField(_("customer INN"), max_length=12, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    domain = models.CharField(_("website or domain"), max_length=200, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    competence = models.CharField(_("competence needed"), max_length=100, blank=True)
    product_family = models.ForeignKey(
        "programmes.ProductFamily", verbose_name=_("product family"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    description = models.TextField(_("description"), blank=True)
    amount = MoneyField(_("estimated amount"), null=True, blank=True)
    currency = CurrencyField(_("currency"))
    programme = models.ForeignKey(
        "programmes.Programme", verbose_name=_("programme"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", help_text=_("empty: partners of every programme"),
    )  # fmt: skip
    claim = models.ForeignKey(
        "deals.Claim", verbose_name=_("deal"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    close_reason = models.TextField(_("reason"), blank=True)

    objects = models.Manager.from_queryset(LeadQuerySet)()

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount__isnull=True) | Q(amount__gt=0), name="lead_amount_positive")
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.customer_name}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    AUDIT_FIELDS = (
        "status", "source", "customer_name", "customer_inn", "region", "city", "competence", "product_family_id",
        "amount", "currency", "programme_id", "claim_id", "close_reason",
    )  # fmt: skip


class LeadOffer(models.Model):
    """One partner's turn with a lead: offered until ``due_at``, then accepted, declined or expired."""

    tenant_path = "organisation"

    class Status(models.TextChoices):
        OFFERED = "offered", _("Offered")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")
        WITHDRAWN = "withdrawn", _("Withdrawn by the vendor")

    class Area(models.TextChoices):
        CITY = "city", _("Same city")
        REGION = "region", _("Same region")
        MACRO_REGION = "macro_region", _("Same federal district")
        COUNTRY = "country", _("Whole country")

    # Partners that had their turn and passed: the lead never goes back to them.
    PASSED = (Status.DECLINED, Status.EXPIRED)

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="offers")
    organisation = models.ForeignKey(
        "identity.Organisation", verbose_name=_("partner"), on_delete=models.PROTECT, related_name="lead_offers"
    )
    programme = models.ForeignKey(
        "programmes.Programme", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text=_("the enrolment the partner was chosen through"),
    )  # fmt: skip
    tier_code = models.SlugField(_("tier"), max_length=50, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OFFERED)
    area_level = models.CharField(_("found at"), max_length=14, choices=Area.choices, default=Area.COUNTRY)
    score = models.DecimalField(_("score"), max_digits=7, decimal_places=2, default=0)
    manual = models.BooleanField(_("routed by hand"), default=False)
    offered_at = models.DateTimeField(_("offered at"))
    due_at = models.DateTimeField(_("answer due"))
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decline_reason = models.TextField(_("reason for declining"), blank=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("lead offer")
        ordering = ["-offered_at", "-id"]
        indexes = [
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["organisation", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["lead"], condition=Q(status="offered"), name="lead_one_open_offer"),
            models.UniqueConstraint(fields=["lead"], condition=Q(status="accepted"), name="lead_accepted_once"),
        ]

    def __str__(self) -> str:
        return f"#{self.lead_id} → {self.organisation} ({self.get_status_display()})"

    @property
    def is_overdue(self) -> bool:
        """Still open but past its answer time (the expiry job has not run yet)."""
        return self.status == self.Status.OFFERED and self.due_at <= timezone.now()

    AUDIT_FIELDS = ("status", "organisation_id", "programme_id", "tier_code", "area_level", "score", "due_at",
                    "decline_reason")  # fmt: skip
