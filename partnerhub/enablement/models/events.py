"""Events: webinars and seminars of the vendor's calendar, and the partner staff registered for them."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from partnerhub.core.tenancy import TenantManager
from partnerhub.core.validators import validate_web_url


class EventKind(models.TextChoices):
    WEBINAR = "webinar", _("Webinar")
    SEMINAR = "seminar", _("Seminar")


class EventFormat(models.TextChoices):
    ONLINE = "online", _("Online")
    ONSITE = "onsite", _("On site")


class EventLanguage(models.TextChoices):
    RU = "ru", _("Russian")
    EN = "en", _("English")


class EventStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CANCELLED = "cancelled", _("Cancelled")


class Event(models.Model):
    """An event of the vendor's calendar. Times are stored in UTC; ``timezone`` is where they are shown.

    ``sequence`` counts the changes a calendar must pick up (RFC 5545 SEQUENCE); ``lesson``, when set,
    is the course lesson an attendance completes.
    """

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=EventKind.choices, default=EventKind.WEBINAR)
    format = models.CharField(_("format"), max_length=10, choices=EventFormat.choices, default=EventFormat.ONLINE)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=EventLanguage.choices,
                                default=EventLanguage.RU)  # fmt: skip
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    timezone = models.CharField(_("time zone"), max_length=64, default="Europe/Moscow")
    join_url = models.URLField(_("joining address"), max_length=500, blank=True, validators=[validate_web_url])
    address = models.CharField(_("address"), max_length=300, blank=True)
    capacity = models.PositiveIntegerField(_("places"), null=True, blank=True,
                                           validators=[MinValueValidator(1), MaxValueValidator(100_000)])  # fmt: skip
    lesson = models.ForeignKey("enablement.Lesson", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="events", verbose_name=_("lesson completed by attending"))  # fmt: skip
    recording_url = models.URLField(_("recording"), max_length=500, blank=True, validators=[validate_web_url])
    status = models.CharField(_("status"), max_length=10, choices=EventStatus.choices, default=EventStatus.SCHEDULED)
    is_published = models.BooleanField(_("published"), default=False)
    sequence = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("event")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["is_published", "starts_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start")
        ]

    def __str__(self) -> str:
        return self.title

    AUDIT_FIELDS = ("title", "kind", "format", "language", "starts_at", "ends_at", "timezone", "join_url", "address",
                    "capacity", "lesson_id", "recording_url", "status", "is_published")  # fmt: skip


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    CANCELLED = "cancelled", _("Registration cancelled")


class EventRegistration(models.Model):
    """A specialist of a partner registered for an event; the vendor marks the attendance."""

    tenant_path = "specialist__organisation"

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="registrations")
    specialist = models.ForeignKey("enablement.Specialist", on_delete=models.CASCADE, related_name="registrations")
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("status"), max_length=12, choices=RegistrationStatus.choices,
                              default=RegistrationStatus.REGISTERED)  # fmt: skip
    registered_at = models.DateTimeField(_("registered at"))
    attended_at = models.DateTimeField(_("attendance marked at"), null=True, blank=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("event registration")
        ordering = ["registered_at", "id"]
        constraints = [models.UniqueConstraint(fields=["event", "specialist"], name="event_registration_unique")]

    def __str__(self) -> str:
        return f"{self.specialist} — {self.event}"

    AUDIT_FIELDS = ("status", "attended_at")
