from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import audit_labels
from .tenancy import TenantManager
from .validators import validate_site_link


class AttachedFile(models.Model):
    """A file a partner attached to something of its own (a claim's proof, a support reply's attachment).

    A subclass adds the parent it hangs on and its ``file`` field (upload folder and the upload policy that checks
    the type by content and the size: :mod:`partnerhub.core.uploads`). Scoped to the organisation that owns it.
    """

    tenant_path = "organisation"

    organisation = models.ForeignKey("identity.Organisation", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager()

    class Meta:
        abstract = True
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def attach(cls, files, *, organisation_id: int, **parent) -> list:
        """Store uploaded files (already through the upload policy) on ``parent``, named as uploaded."""
        return [
            cls.objects.create(organisation_id=organisation_id, file=f, name=f.name[:200], size=f.size or 0, **parent)
            for f in files
        ]


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete an append-only row."""


class AuditEntry(models.Model):
    """One recorded change: who, when, which object, what it was before and after.

    Append-only: the model refuses updates and deletes, and the database refuses updates
    (a trigger installed by migration 0002).
    """

    tenant_path = "organisation"

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("who"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(_("who"), max_length=254, blank=True)
    organisation = models.ForeignKey(
        "identity.Organisation",
        verbose_name=_("organisation"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=300)
    before = models.JSONField(_("before"), null=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(_("after"), null=True, encoder=DjangoJSONEncoder)
    reason = models.TextField(_("reason"), blank=True)
    via = models.CharField(max_length=8, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    ip = models.GenericIPAddressField(null=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["organisation", "at"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("Audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit entries are append-only")

    @property
    def actor_shown(self) -> str:
        return audit_labels.actor_label(self.actor_label)

    @property
    def changes(self) -> list[tuple[str, object, object]]:
        """(field, before, after) for every field that differs."""
        before = self.before or {}
        after = self.after or {}
        keys = list(dict.fromkeys([*before.keys(), *after.keys()]))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


class Notification(models.Model):
    """An in-app notice for one person (also e-mailed when it asks for action)."""

    tenant_path = "organisation"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    organisation = models.ForeignKey("identity.Organisation", null=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=64)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True, validators=[validate_site_link])
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = TenantManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.title


class JobRun(models.Model):
    """A periodic job's runs, kept by the in-process scheduler of the embedded mode.

    A run is recorded when it starts and when it finishes; the schedule advances only from a run
    that finished, so a run cut short (the process died) is started again (see ``core.scheduler``).
    """

    name = models.CharField(max_length=100, unique=True)
    # When the last run that finished without error started: the schedule counts from here.
    last_run_at = models.DateTimeField(null=True)
    # The latest attempt: started, and finished (empty while it runs, or if its process died).
    started_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)
    # "host:pid:token" of the process running (or that last ran) the job.
    runner = models.CharField(max_length=200, blank=True, default="")
    last_error = models.TextField(blank=True, default="")
    runs = models.PositiveIntegerField(default=0)  # runs finished without error

    def __str__(self) -> str:
        return self.name

    @property
    def in_progress(self) -> bool:
        return self.started_at is not None and (self.finished_at is None or self.finished_at < self.started_at)
