from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnerhub.core.tenancy import TenantManager
from partnerhub.core.validators import validate_web_url

from .roles import OrgKind, Role
from .validators import validate_inn, validate_kpp, validate_ogrn


def hash_secret(raw: str) -> str:
    """SHA-256 of a high-entropy random secret (tokens, invitation keys).

    Such secrets are random, not chosen by people, so a fast hash is the right tool: it
    lets a token be looked up by its hash in one indexed query.
    """
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra):
        if not email:
            raise ValueError("E-mail is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. What they may see and do comes from their memberships."""

    email = models.EmailField(_("e-mail"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="ru")
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    reports_to = models.ForeignKey(
        "self", verbose_name=_("reports to"), null=True, blank=True, on_delete=models.SET_NULL, related_name="reports",
        help_text=_("overdue decisions of this user escalate to this person"),
    )  # fmt: skip

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Organisation(models.Model):
    """The vendor, a partner company or a customer company: the unit of tenancy."""

    tenant_path = ""

    kind = models.CharField(_("kind"), max_length=16, choices=OrgKind.choices)
    name = models.CharField(_("name"), max_length=200)
    legal_name = models.CharField(_("legal name"), max_length=300, blank=True)
    inn = models.CharField(_("INN"), max_length=12, blank=True, validators=[validate_inn])
    kpp = models.CharField(_("KPP"), max_length=9, blank=True, validators=[validate_kpp])
    ogrn = models.CharField(_("OGRN/OGRNIP"), max_length=15, blank=True, validators=[validate_ogrn])
    country = models.CharField(_("country"), max_length=2, default="RU")
    region = models.CharField(_("region"), max_length=100, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    website = models.URLField(_("website"), blank=True, validators=[validate_web_url])
    email = models.EmailField(_("contact e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    partner_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("partner manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_organisations",
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["kind"], condition=Q(kind="vendor"), name="one_vendor_organisation"),
            models.UniqueConstraint(fields=["inn", "kpp"], condition=~Q(inn=""), name="organisation_unique_inn_kpp"),
        ]
        indexes = [
            models.Index(fields=["kind", "name"]),
            models.Index(fields=["inn"]),
            # Lists by name (organisations, enrolments): walk this and stop at the page, no sort of every row.
            models.Index(fields=["name", "id"], name="organisation_by_name"),
        ]

    def __str__(self) -> str:
        return self.name

    AUDIT_FIELDS = (
        "kind", "name", "legal_name", "inn", "kpp", "ogrn", "country", "region", "city",
        "address", "website", "email", "phone", "partner_manager_id", "is_active",
    )  # fmt: skip


class Membership(models.Model):
    tenant_path = "organisation"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organisation_id", "user__email"]
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique_user_org")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.get_role_display()})"


class Invitation(models.Model):
    """An invitation to join an organisation; the key is e-mailed and only its hash kept."""

    tenant_path = "organisation"

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")  # sent, neither accepted nor revoked
        ACCEPTED = "accepted", _("Accepted")  # used once; the link is dead from then on
        REVOKED = "revoked", _("Revoked")  # withdrawn by an administrator

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail"))
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    key_hash = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "email"],
                condition=Q(status="pending"),
                name="invitation_one_pending_per_email",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @staticmethod
    def new_key() -> str:
        return secrets.token_urlsafe(32)


class ApiToken(models.Model):
    """A personal API token. The secret is shown once; only its hash is stored."""

    PREFIX = "ph_"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12)  # first characters, to tell tokens apart
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @property
    def is_active(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()

    @classmethod
    def new_secret(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)
