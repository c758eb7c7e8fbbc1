"""The content library: the vendor's materials in versioned files, and what partners contribute back.

Visibility. A :class:`Material` belongs to no single organisation; :class:`MaterialQuerySet` scopes it:
the vendor's administrators read every material, its other staff every published one; a partner the
published ones whose programme, roles and tiers (each empty for "all") match one of its active enrolments.
A :class:`Contribution` is its partner's (``tenant_path``): another partner never sees it (404); the vendor
reviews it and, publishing it, makes a material of it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from partnerhub.core import uploads
from partnerhub.core.tenancy import TenantManager, TenantQuerySet, actor_for
from partnerhub.partners.models import Enrolment


def fold(text: str) -> str:
    return (text or "").casefold().replace("ё", "е")


class MaterialKind(models.TextChoices):
    PRICE_LIST = "price_list", _("Price list")
    PRESENTATION = "presentation", _("Presentation")
    BRAND_BOOK = "brand_book", _("Brand book")
    LOGO = "logo", _("Logo")
    TRADEMARK_RULES = "trademark_rules", _("Trademark rules")
    BANNER = "banner", _("Banner")
    LAUNCH_KIT = "launch_kit", _("Launch kit")
    CASE_STUDY = "case_study", _("Case study")
    ROADMAP = "roadmap", _("Product roadmap")
    COBRANDING = "cobranding", _("Co-branding template")


class MaterialQuerySet(TenantQuerySet):
    def visible_to(self, user) -> MaterialQuerySet:
        actor = actor_for(user)
        if not actor.is_authenticated:
            return self.none()
        if actor.is_vendor_admin:
            return self.all()
        if actor.is_vendor_staff:  # drafts: their authors (the vendor's administrators) only
            return self.filter(is_published=True)
        q = Q(programme=None, roles="", tiers="")
        enrolments = Enrolment.objects.filter(organisation_id__in=sorted(actor.org_ids), status=Enrolment.Status.ACTIVE)
        for e in enrolments.values("programme_id", "role_code", "tier_code", "override_tier_code"):
            tier = e["override_tier_code"] or e["tier_code"]
            roles = Q(roles="") | Q(roles__contains=f",{e['role_code']},")
            tiers = Q(tiers="") | (Q(tiers__contains=f",{tier},") if tier else Q(pk__in=[]))
            q |= (Q(programme=None) | Q(programme_id=e["programme_id"])) & roles & tiers
        return self.filter(q, is_published=True)


class Material(models.Model):
    """A material of the library. Its file is the latest :class:`MaterialVersion`; a co-branding template
    carries ``template`` (sanitised HTML with placeholders) from which partners generate their PDF."""

    tenant_path = "programme"  # documentation only: MaterialQuerySet.visible_to scopes materials

    kind = models.CharField(_("kind"), max_length=20, choices=MaterialKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    # Tags, roles and tiers as ",a,b," ("" = none / every role / every tier): one LIKE each when filtering.
    tags = models.CharField(_("tags"), max_length=500, blank=True)
    programme = models.ForeignKey("programmes.Programme", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("programme"))  # fmt: skip
    roles = models.CharField(_("roles"), max_length=500, blank=True)
    tiers = models.CharField(_("tiers"), max_length=500, blank=True)
    template = models.TextField(_("template (HTML)"), max_length=50_000, blank=True)
    is_published = models.BooleanField(_("published"), default=False)
    download_count = models.PositiveIntegerField(_("downloads"), default=0, editable=False)
    # Title, description and tags case-folded ("ё" as "е"): search is a plain LIKE that SQLite and PostgreSQL
    # run alike for Cyrillic too (SQLite's LIKE folds ASCII only).
    search_text = models.TextField(blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MaterialQuerySet.as_manager()

    class Meta:
        verbose_name = _("library material")
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["is_published", "kind"])]

    def __str__(self) -> str:
        return self.title

    AUDIT_FIELDS = ("kind", "title", "description", "tags", "programme_id", "roles", "tiers", "is_published")

    def save(self, *args, **kwargs):
        self.search_text = fold(" ".join((self.title, self.description, self.tags.replace(",", " "))))
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    @staticmethod
    def codes(value: str) -> list[str]:
        return [c for c in value.split(",") if c]

    @property
    def tag_list(self) -> list[str]:
        return self.codes(self.tags)


class MaterialVersion(models.Model):
    """One uploaded file of a material; a new version keeps the old ones and the latest is shown."""

    material = models.ForeignKey(Material, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to="library/%Y/%m/", validators=[uploads.LIBRARY])
    file_kind = models.CharField(max_length=10, editable=False)
    size = models.PositiveBigIntegerField(default=0, editable=False)
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("material version")
        ordering = ["material_id", "-number"]
        constraints = [models.UniqueConstraint(fields=["material", "number"], name="material_version_unique")]

    def __str__(self) -> str:
        return f"{self.material} v{self.number}"

    AUDIT_FIELDS = ("number", "file_kind", "size", "note")


class ContributionStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    REVIEWED = "reviewed", _("Under review")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Rejected")


class Contribution(models.Model):
    """A material a partner offers to the library: submitted, reviewed, then published or rejected."""

    tenant_path = "organisation"

    organisation = models.ForeignKey("identity.Organisation", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=MaterialKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    file = models.FileField(_("file"), upload_to="contributions/%Y/%m/", validators=[uploads.LIBRARY])
    status = models.CharField(_("status"), max_length=10, choices=ContributionStatus.choices,
                              default=ContributionStatus.SUBMITTED)  # fmt: skip
    comment = models.TextField(_("reviewer's comment"), max_length=2000, blank=True)
    material = models.ForeignKey(Material, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")  # fmt: skip
    submitted_at = models.DateTimeField(auto_now_add=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("contribution")
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["status", "submitted_at"])]

    def __str__(self) -> str:
        return self.title

    AUDIT_FIELDS = ("kind", "title", "status", "comment", "material_id")
