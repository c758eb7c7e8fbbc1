"""Partners in programmes: enrolment, tier state and history, obligations, onboarding."""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from partnerhub.core import uploads
from partnerhub.core.tenancy import TenantManager
from partnerhub.core.validators import validate_web_url
from partnerhub.programmes.models import Requirement


class PartnerProfile(models.Model):
    """What a partner shows the world: competences, regions, catalogue opt-in."""

    tenant_path = "organisation"

    organisation = models.OneToOneField("identity.Organisation", on_delete=models.CASCADE, related_name="profile")
    description = models.TextField(_("description"), blank=True)
    competences = models.JSONField(_("competences"), default=list, blank=True)
    regions = models.JSONField(_("regions served"), default=list, blank=True)
    # Codes of programmes.ProductFamily the partner sells and supports (the locator's filter; lead routing
    # also counts families the partner sold in the last year).
    product_families = models.JSONField(_("product families"), default=list, blank=True)
    listed_in_catalogue = models.BooleanField(_("listed in the public catalogue"), default=False)
    # The partner's logo, printed on the co-branded materials it generates from the content library.
    logo = models.FileField(_("logo"), upload_to="logos/%Y/%m/", blank=True, validators=[uploads.IMAGE])
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantManager()

    def __str__(self) -> str:
        return str(self.organisation)


class Enrolment(models.Model):
    """A partner's membership in a programme, with its current tier."""

    class Status(models.TextChoices):
        CONTRACT_PENDING = "contract_pending", _("Awaiting contract")  # approved, not yet active
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        TERMINATED = "terminated", _("Terminated")

    tenant_path = "organisation"

    organisation = models.ForeignKey("identity.Organisation", on_delete=models.CASCADE, related_name="enrolments")
    programme = models.ForeignKey("programmes.Programme", on_delete=models.PROTECT, related_name="enrolments")
    role_code = models.SlugField(_("role"), max_length=50)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.CONTRACT_PENDING)
    joined_on = models.DateField(_("joined on"))
    # Tier state. tier_code is the tier in force (None: below the entry tier, or a role without tiers).
    tier_code = models.SlugField(_("tier"), max_length=50, null=True, blank=True)
    tier_since = models.DateField(_("tier since"), null=True, blank=True)
    evaluated_tier_code = models.SlugField(max_length=50, null=True, blank=True)
    evaluated_on = models.DateField(null=True, blank=True)
    evaluated_version = models.ForeignKey(
        "programmes.ProgrammeVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    downgrade_due_on = models.DateField(_("downgrade due on"), null=True, blank=True)
    override_tier_code = models.SlugField(_("override tier"), max_length=50, null=True, blank=True)
    override_until = models.DateField(_("override until"), null=True, blank=True)
    override_reason = models.TextField(_("override reason"), blank=True)
    explanation = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    # Fingerprint of the inputs the explanation was computed from (partners.evaluation.Measurements.digest):
    # a run that finds the same digest skips the partner without loading or rewriting its explanation.
    evaluation_digest = models.CharField(max_length=32, blank=True, default="", db_default="")
    # The multi-level network, set by the vendor (partners.network): the distributor this reseller buys through
    # (its sales from ``distributor_since`` earn the distributor the programme's override) and the partner
    # that recruited it (its sales from ``recruited_on`` for the programme's months earn the recruiter's override).
    distributor = models.ForeignKey("identity.Organisation", verbose_name=_("distributor"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")  # fmt: skip
    distributor_since = models.DateField(_("attached to the distributor on"), null=True, blank=True)
    recruited_by = models.ForeignKey("identity.Organisation", verbose_name=_("recruited by"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")  # fmt: skip
    recruited_on = models.DateField(_("recruited on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("enrolment")
        ordering = ["organisation_id", "programme_id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "programme"], name="enrolment_unique_per_programme"),
            models.CheckConstraint(condition=Q(distributor=None) | Q(distributor_since__isnull=False),
                                   name="enrolment_distributor_since"),
            models.CheckConstraint(condition=Q(recruited_by=None) | Q(recruited_on__isnull=False),
                                   name="enrolment_recruited_on"),
        ]  # fmt: skip
        indexes = [models.Index(fields=["programme", "status", "tier_code"])]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.programme}"

    AUDIT_FIELDS = (
        "role_code", "status", "tier_code", "tier_since", "downgrade_due_on", "override_tier_code",
        "override_until", "override_reason",
    )  # fmt: skip


class TierChange(models.Model):
    """Append-only history of a partner's tier."""

    class Cause(models.TextChoices):
        ONBOARDING = "onboarding", _("Starting tier at onboarding")
        EVALUATION = "evaluation", _("Evaluation")
        OVERRIDE = "override", _("Override by the partner manager")
        OVERRIDE_ENDED = "override_ended", _("Override ended")

    tenant_path = "enrolment__organisation"

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="tier_changes")
    at = models.DateTimeField(auto_now_add=True)
    effective_on = models.DateField()
    from_tier_code = models.SlugField(max_length=50, null=True, blank=True)
    to_tier_code = models.SlugField(max_length=50, null=True, blank=True)
    version = models.ForeignKey("programmes.ProgrammeVersion", on_delete=models.PROTECT, related_name="+")
    cause = models.CharField(max_length=20, choices=Cause.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(blank=True)
    explanation = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)

    objects = TenantManager()

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.from_tier_code or '—'} → {self.to_tier_code or '—'} ({self.effective_on})"

    def save(self, *args, **kwargs):
        from partnerhub.core.models import AppendOnlyError

        if self.pk is not None:
            raise AppendOnlyError("Tier history is append-only")
        super().save(*args, **kwargs)


class ObligationRecord(models.Model):
    """Evidence that a partner met an obligation for a period, and its review."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")  # waiting for the partner manager
        ACCEPTED = "accepted", _("Accepted")  # counts for its period
        REJECTED = "rejected", _("Rejected")  # does not count; reason given

    tenant_path = "organisation"

    organisation = models.ForeignKey("identity.Organisation", on_delete=models.CASCADE, related_name="obligations")
    obligation = models.SlugField(max_length=60)
    valid_from = models.DateField()
    valid_until = models.DateField(null=True, blank=True, help_text=_("exclusive; empty: open-ended"))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    note = models.TextField(blank=True)
    evidence_url = models.URLField(blank=True, validators=[validate_web_url])
    evidence_file = models.FileField(upload_to="evidence/%Y/%m/", blank=True, validators=[uploads.EVIDENCE])
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager()

    class Meta:
        ordering = ["-valid_from", "-id"]
        indexes = [models.Index(fields=["obligation", "status", "valid_from"])]

    AUDIT_FIELDS = ("obligation", "valid_from", "valid_until", "status", "review_reason")

    def __str__(self) -> str:
        what = dict(Requirement.Obligation.choices).get(self.obligation, self.obligation)
        return f"{what} {self.valid_from}"


class Application(models.Model):
    """A company's application to join a programme (public "become a partner" form)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")  # in the review queue
        APPROVED = "approved", _("Approved")  # organisation created; contract step pending
        REJECTED = "rejected", _("Rejected")  # with a reason
        ACTIVE = "active", _("Active partner")  # contract signed or terms accepted

    tenant_path = "organisation"

    programme = models.ForeignKey("programmes.Programme", on_delete=models.PROTECT, related_name="applications")
    role_code = models.SlugField(_("role"), max_length=50)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    company_name = models.CharField(_("company name"), max_length=200)
    legal_name = models.CharField(_("legal name"), max_length=300, blank=True)
    inn = models.CharField(_("INN"), max_length=12)
    kpp = models.CharField(_("KPP"), max_length=9, blank=True)
    ogrn = models.CharField(_("OGRN/OGRNIP"), max_length=15, blank=True)
    region = models.CharField(_("region"), max_length=100)
    city = models.CharField(_("city"), max_length=100, blank=True)
    website = models.URLField(_("website"), blank=True, validators=[validate_web_url])
    regions = models.JSONField(_("regions served"), default=list, blank=True)
    competences = models.JSONField(_("competences"), default=list, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=200)
    contact_email = models.EmailField(_("contact e-mail"))
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    message = models.TextField(_("message"), blank=True)
    organisation = models.ForeignKey(
        "identity.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="applications"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    contract_file = models.FileField(upload_to="contracts/%Y/%m/", blank=True, validators=[uploads.CONTRACT])
    contract_accepted_at = models.DateTimeField(null=True, blank=True)
    contract_signer = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("application")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "inn", "kpp"],
                condition=Q(status="submitted"),
                name="application_one_open_per_company",
            )
        ]

    def __str__(self) -> str:
        return f"{self.company_name} → {self.programme}"

    AUDIT_FIELDS = ("status", "role_code", "company_name", "inn", "kpp", "decision_reason", "organisation_id")
