"""Partner support: requests by kind with response-time targets per tier, threaded replies with
attachments, assignment to vendor staff, statuses and a satisfaction rating at close.

The clock: each request carries the moments its first response and its resolution are due (computed
when it is opened, from its tier's targets, in working hours of the production calendar). Breaches are
stamped by the service when a late response or resolution arrives and by the periodic job
``support.mark_breaches`` for requests still waiting past their due moment.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnerhub.core import uploads
from partnerhub.core.models import AttachedFile
from partnerhub.core.tenancy import TenantManager


class SupportTarget(models.Model):
    """The vendor's response-time targets for one tier of a programme (else the settings' defaults)."""

    programme = models.ForeignKey("programmes.Programme", on_delete=models.CASCADE, related_name="+")
    tier_code = models.SlugField(_("tier"), max_length=50)
    first_response_hours = models.PositiveIntegerField(_("first response, working hours"))
    resolution_hours = models.PositiveIntegerField(_("resolution, working hours"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("support target")
        verbose_name_plural = _("support targets")
        ordering = ["programme_id", "tier_code"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "tier_code"], name="support_target_unique"),
            models.CheckConstraint(
                condition=Q(first_response_hours__gt=0) & Q(resolution_hours__gte=models.F("first_response_hours")),
                name="support_target_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tier_code}: {self.first_response_hours} / {self.resolution_hours}"


class SupportRequest(models.Model):
    class Kind(models.TextChoices):
        TECHNICAL = "technical", _("Technical support")
        PRESALE_COMPARISON = "presale_comparison", _("Pre-sale: comparison with competitors")
        PRESALE_PROPOSAL = "presale_proposal", _("Pre-sale: commercial proposal")
        PRESALE_PRICING = "presale_pricing", _("Pre-sale: pricing")
        PRESALE_NEGOTIATION = "presale_negotiation", _("Pre-sale: joining a negotiation")
        PRESALE_LICENSING = "presale_licensing", _("Pre-sale: licensing advice")
        DOCUMENTS = "documents", _("Help with documents")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        IN_PROGRESS = "in_progress", _("In progress")
        WAITING_PARTNER = "waiting_partner", _("Waiting for the partner")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")

    OPEN_STATUSES = (Status.NEW, Status.IN_PROGRESS, Status.WAITING_PARTNER)

    tenant_path = "organisation"

    organisation = models.ForeignKey("identity.Organisation", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    subject = models.CharField(_("subject"), max_length=200)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.NEW)
    programme = models.ForeignKey(
        "programmes.Programme", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    tier_code = models.SlugField(_("tier"), max_length=50, blank=True)
    first_response_hours = models.PositiveIntegerField(_("first response target, working hours"))
    resolution_hours = models.PositiveIntegerField(_("resolution target, working hours"))
    first_response_due = models.DateTimeField(_("first response due"))
    resolution_due = models.DateTimeField(_("resolution due"))
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    response_breached_at = models.DateTimeField(null=True, blank=True)
    resolution_breached_at = models.DateTimeField(null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("assignee"),
    )  # fmt: skip
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    rating_comment = models.TextField(_("comment on the rating"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("support request")
        verbose_name_plural = _("support requests")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "first_response_due"]),
            models.Index(fields=["status", "resolution_due"]),
            models.Index(fields=["organisation", "created_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | (Q(rating__gte=1) & Q(rating__lte=5)), name="support_rating_1_5"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"

    # ---------------------------------------------------------------- the clock, read by both sides

    def response_clock(self, now=None) -> dict:
        return _clock(self.first_response_due, self.first_response_at, self.response_breached_at, now)

    def resolution_clock(self, now=None) -> dict:
        return _clock(self.resolution_due, self.resolved_at, self.resolution_breached_at, now)

    @property
    def is_breached(self) -> bool:
        now = timezone.now()
        return self.response_clock(now)["state"] in ("breached", "overdue") or self.resolution_clock(now)["state"] in (
            "breached",
            "overdue",
        )


CLOCK_LABELS = {
    "met": _("Met"),
    "breached": _("Missed"),
    "running": _("Due in"),
    "overdue": _("Overdue by"),
}


def _clock(due, done_at, breached_at, now=None) -> dict:
    """``state`` (met, breached, running, overdue), its label and the time left or over (a timedelta)."""
    now = now or timezone.now()
    if done_at is not None:
        state = "breached" if (breached_at is not None or done_at > due) else "met"
        delta = abs(due - done_at)
    elif now > due:
        state, delta = "overdue", now - due
    else:
        state, delta = "running", due - now
    return {"state": state, "label": CLOCK_LABELS[state], "delta": delta, "due": due, "done_at": done_at}


class Reply(models.Model):
    """One message of a request's thread, from the partner or from the vendor."""

    tenant_path = "organisation"

    organisation = models.ForeignKey("identity.Organisation", on_delete=models.PROTECT, related_name="+")
    request = models.ForeignKey(SupportRequest, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    from_vendor = models.BooleanField(default=False)
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("support reply")
        verbose_name_plural = _("support replies")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"#{self.request_id}/{self.pk}"


class Attachment(AttachedFile):
    """A file attached to a reply: a document, a spreadsheet or an image, checked by content."""

    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to="support/%Y/%m/", validators=[uploads.EVIDENCE])

    class Meta(AttachedFile.Meta):
        verbose_name = _("support attachment")
