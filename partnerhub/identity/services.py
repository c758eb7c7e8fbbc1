"""Writes of the identity context: organisations, members, invitations, API tokens.

Every function takes keyword arguments, runs in one transaction, checks the actor's
permission and records what changed in the audit log.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from partnerhub.core import audit
from partnerhub.core.problems import Problem
from partnerhub.core.tenancy import actor_for, forget_actor

from .models import ApiToken, Invitation, Membership, Organisation, User, hash_secret
from .roles import ORG_ADMIN_ROLES, ROLES_BY_KIND, OrgKind, Perm, Role, role_allows
from .validators import validate_identifiers

# ---------------------------------------------------------------------------- permissions


def require_perm(*, actor: User, perm: str, organisation: Organisation) -> None:
    """Raise 404 if ``organisation`` is outside the actor's scope, 403 if the role is too small."""
    if not Organisation.objects.visible_to(actor).filter(pk=organisation.pk).exists():
        raise Http404
    who = actor_for(actor)
    if any(role_allows(r, perm, on_own_org=True, vendor_scope=False) for r in who.roles_in(organisation.pk)):
        return
    if any(role_allows(r, perm, on_own_org=False, vendor_scope=True) for r in who.vendor_roles):
        return
    raise PermissionDenied(_("Your role does not allow this action."))


def has_perm(*, actor: User, perm: str, organisation: Organisation) -> bool:
    try:
        require_perm(actor=actor, perm=perm, organisation=organisation)
    except (Http404, PermissionDenied):
        return False
    return True


def vendor_organisation() -> Organisation | None:
    return Organisation.objects.filter(kind=OrgKind.VENDOR).first()


# ---------------------------------------------------------------------------- organisations

ORG_EDITABLE_FIELDS = (
    "name", "legal_name", "inn", "kpp", "ogrn", "country", "region", "city", "address",
    "website", "email", "phone",
)  # fmt: skip


def _clean_organisation(org: Organisation) -> None:
    """Field validation, identifier cross-checks and the duplicate-company check."""
    errors: dict[str, list[ValidationError]] = {}
    try:
        org.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        errors.update({field: list(errs) for field, errs in exc.error_dict.items()})

    def add(field: str, message: str, code: str) -> None:
        errors.setdefault(field, []).append(ValidationError(message, code=code))

    for field, field_errors in validate_identifiers(inn=org.inn, kpp=org.kpp, ogrn=org.ogrn).items():
        errors.setdefault(field, []).extend(field_errors)
    if org.kind != OrgKind.CUSTOMER and org.inn and len(org.inn) == 10 and not org.kpp and "inn" not in errors:
        add("kpp", _("A company with a 10-digit INN must give its KPP."), "kpp_required")
    if (
        org.inn
        and "inn" not in errors
        and Organisation.objects.filter(inn=org.inn, kpp=org.kpp).exclude(pk=org.pk).exists()
    ):
        add("inn", _("An organisation with this INN and KPP is already registered."), "duplicate_company")
    if org.kind == OrgKind.VENDOR and Organisation.objects.filter(kind=OrgKind.VENDOR).exclude(pk=org.pk).exists():
        add("kind", _("There is already a vendor organisation."), "vendor_exists")
    if org.partner_manager_id is not None:
        vendor = vendor_organisation()
        if (
            vendor is None
            or not Membership.objects.filter(
                user_id=org.partner_manager_id, organisation=vendor, role=Role.PARTNER_MANAGER
            ).exists()
        ):
            add("partner_manager", _("This user is not a partner manager of the vendor."), "not_a_partner_manager")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def organisation_create(*, actor: User | None, kind: str, name: str, **fields) -> Organisation:
    """Create an organisation. Only vendor administrators may (``actor=None``: set-up commands)."""
    if actor is not None and Role.VENDOR_ADMIN not in actor_for(actor).vendor_roles:
        raise PermissionDenied(_("Only vendor administrators create organisations."))
    unknown = set(fields) - set(ORG_EDITABLE_FIELDS) - {"partner_manager", "partner_manager_id", "is_active"}
    if unknown:
        raise ValidationError({f: [_("Unknown field.")] for f in sorted(unknown)})
    if kind not in OrgKind.values:
        raise ValidationError({"kind": [_("Choose vendor, partner or customer.")]})
    org = Organisation(kind=kind, name=name, **fields)
    _clean_organisation(org)
    org.save()
    audit.record(actor=actor, action="organisation.created", obj=org, organisation=org, after=audit.snapshot(org))
    return org


@transaction.atomic
def organisation_update(*, actor: User, organisation: Organisation, **changes) -> Organisation:
    org = Organisation.objects.select_for_update().get(pk=organisation.pk)
    require_perm(actor=actor, perm=Perm.ORG_CHANGE, organisation=org)
    if "partner_manager" in changes:
        changes["partner_manager_id"] = getattr(changes.pop("partner_manager"), "pk", None)
    allowed = set(ORG_EDITABLE_FIELDS)
    if {"partner_manager_id", "is_active"} & set(changes):
        require_perm(actor=actor, perm=Perm.ORG_ASSIGN_MANAGER, organisation=org)
        allowed |= {"partner_manager_id", "is_active"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({f: [_("This field cannot be changed here.")] for f in sorted(unknown)})
    before = audit.snapshot(org)
    for key, value in changes.items():
        setattr(org, key, value)
    _clean_organisation(org)
    after = audit.snapshot(org)
    if after == before:
        return org
    org.save()
    audit.record(actor=actor, action="organisation.updated", obj=org, organisation=org, before=before, after=after)
    return org


# ---------------------------------------------------------------------------- memberships


def _check_role(org: Organisation, role: str) -> None:
    if role not in ROLES_BY_KIND.get(org.kind, ()):
        raise ValidationError(
            {"role": [_("Role %(role)s does not exist in a %(kind)s organisation.") % {"role": role, "kind": org.kind}]}
        )


def _admin_count(org: Organisation) -> int:
    return Membership.objects.filter(organisation=org, role__in=ORG_ADMIN_ROLES).count()


@transaction.atomic
def membership_add(*, actor: User | None, organisation: Organisation, user: User, role: str) -> Membership:
    """Add an existing user (set-up commands, invitation acceptance)."""
    if actor is not None:
        require_perm(actor=actor, perm=Perm.MEMBERS_MANAGE, organisation=organisation)
    _check_role(organisation, role)
    if Membership.objects.filter(organisation=organisation, user=user).exists():
        raise ValidationError({"email": [_("This person is already a member of the organisation.")]})
    membership = Membership.objects.create(organisation=organisation, user=user, role=role)
    forget_actor(user)
    audit.record(
        actor=actor or user, action="membership.created", obj=membership, organisation=organisation,
        after={"user": user.email, "role": role},
    )  # fmt: skip
    return membership


@transaction.atomic
def membership_change_role(*, actor: User, membership: Membership, role: str) -> Membership:
    m = Membership.objects.select_for_update().select_related("organisation", "user").get(pk=membership.pk)
    require_perm(actor=actor, perm=Perm.MEMBERS_MANAGE, organisation=m.organisation)
    _check_role(m.organisation, role)
    if m.role == role:
        return m
    if m.role in ORG_ADMIN_ROLES and role not in ORG_ADMIN_ROLES and _admin_count(m.organisation) <= 1:
        raise ValidationError({"role": [_("The organisation must keep at least one administrator.")]})
    before = {"user": m.user.email, "role": m.role}
    m.role = role
    m.save(update_fields=["role"])
    forget_actor(m.user)
    audit.record(
        actor=actor, action="membership.role_changed", obj=m, organisation=m.organisation,
        before=before, after={"user": m.user.email, "role": role},
    )  # fmt: skip
    return m


@transaction.atomic
def membership_remove(*, actor: User, membership: Membership) -> None:
    m = Membership.objects.select_for_update().select_related("organisation", "user").get(pk=membership.pk)
    require_perm(actor=actor, perm=Perm.MEMBERS_MANAGE, organisation=m.organisation)
    if m.role in ORG_ADMIN_ROLES and _admin_count(m.organisation) <= 1:
        raise ValidationError({"__all__": [_("The organisation must keep at least one administrator.")]})
    audit.record(
        actor=actor, action="membership.removed", obj=m, organisation=m.organisation,
        before={"user": m.user.email, "role": m.role},
    )  # fmt: skip
    m.delete()
    forget_actor(m.user)


# ---------------------------------------------------------------------------- customer sign-up


@transaction.atomic
def customer_signup(*, company_name: str, inn: str, email: str, password: str, full_name: str = "") -> Membership:
    """A company signs itself up as a customer: the organisation and its administrator, at once.

    The organisation goes through the same validation as one created by the vendor (INN check
    digits, one organisation per INN); the person's password through the password validators.
    """
    email = User.objects.normalize_email((email or "").strip()).lower()
    full_name = (full_name or "").strip()
    errors: dict[str, list[ValidationError]] = {}
    org = Organisation(kind=OrgKind.CUSTOMER, name=(company_name or "").strip(), inn=(inn or "").strip(), email=email)
    try:
        _clean_organisation(org)
    except ValidationError as exc:
        for field, errs in exc.error_dict.items():
            for e in errs:
                if e.code == "duplicate_company":
                    e = ValidationError(
                        _("This company is already registered. Ask its administrator to invite you."),
                        code="duplicate_company",
                    )
                errors.setdefault(field, []).append(e)
    if not org.inn and "inn" not in errors:
        errors["inn"] = [ValidationError(_("This field is required."), code="required")]
    if not email:
        errors.setdefault("email", []).append(ValidationError(_("This field is required."), code="required"))
    elif User.objects.filter(email__iexact=email).exists():
        errors.setdefault("email", []).append(
            ValidationError(_("An account with this e-mail exists: sign in instead."), code="account_exists")
        )
    try:
        validate_password(password, user=User(email=email, full_name=full_name))
    except ValidationError as exc:
        errors.setdefault("password", []).extend(exc.error_list)
    if errors:
        raise ValidationError(errors)
    org.save()
    user = User.objects.create_user(email, password, full_name=full_name)
    audit.record(actor=user, action="organisation.signed_up", obj=org, organisation=org, after=audit.snapshot(org))
    return membership_add(actor=None, organisation=org, user=user, role=Role.CUSTOMER_ADMIN)


# ---------------------------------------------------------------------------- invitations


def _invitation_link(raw_key: str) -> str:
    return f"{settings.SITE_URL}/invitations/{raw_key}/"


@transaction.atomic
def invitation_create(
    *,
    actor: User | None,
    organisation: Organisation,
    email: str,
    role: str,
    language: str | None = None,
    invited_by: User | None = None,
) -> tuple[Invitation, str]:
    """Invite ``email`` with ``role``. Returns the invitation and the one-time key (e-mailed).

    ``actor=None``: a service that checked the permission itself (the approval of a partner
    application); ``invited_by`` then names the person behind it.
    """
    if actor is not None:
        require_perm(actor=actor, perm=Perm.MEMBERS_MANAGE, organisation=organisation)
    inviter = actor if actor is not None else invited_by
    email = User.objects.normalize_email(email).lower()
    _check_role(organisation, role)
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise ValidationError({"email": [_("This person is already a member of the organisation.")]})
    if Invitation.objects.filter(organisation=organisation, email=email, status=Invitation.Status.PENDING).exists():
        raise ValidationError(
            {"email": [_("An invitation to this address is already pending; revoke it to send a new one.")]}
        )
    raw_key = Invitation.new_key()
    invitation = Invitation(
        organisation=organisation, email=email, role=role, key_hash=hash_secret(raw_key), invited_by=inviter,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_TTL_DAYS),
    )  # fmt: skip
    invitation.full_clean(exclude=["key_hash", "invited_by", "accepted_by"], validate_constraints=False)
    invitation.save()
    audit.record(
        actor=inviter, action="invitation.created", obj=invitation, organisation=organisation,
        after={"email": email, "role": role, "expires_at": invitation.expires_at},
    )  # fmt: skip
    lang = language or translation.get_language() or settings.LANGUAGE_CODE
    transaction.on_commit(lambda: _send_invitation(invitation.pk, raw_key, lang))
    return invitation, raw_key


def _send_invitation(invitation_id: int, raw_key: str, language: str) -> None:
    invitation = Invitation.objects.select_related("organisation", "invited_by").get(pk=invitation_id)
    with translation.override(language):
        context = {"invitation": invitation, "link": _invitation_link(raw_key)}
        send_mail(
            subject=_("Invitation to %(org)s on Partnerhub") % {"org": invitation.organisation.name},
            message=render_to_string("identity/email/invitation.txt", context),
            from_email=None,
            recipient_list=[invitation.email],
        )


@transaction.atomic
def invitation_revoke(*, actor: User, invitation: Invitation) -> Invitation:
    inv = Invitation.objects.select_for_update().select_related("organisation").get(pk=invitation.pk)
    require_perm(actor=actor, perm=Perm.MEMBERS_MANAGE, organisation=inv.organisation)
    if inv.status != Invitation.Status.PENDING:
        raise ValidationError({"__all__": [_("Only a pending invitation can be revoked.")]})
    inv.status = Invitation.Status.REVOKED
    inv.save(update_fields=["status"])
    audit.record(
        actor=actor, action="invitation.revoked", obj=inv, organisation=inv.organisation,
        before={"status": "pending"}, after={"status": "revoked"},
    )  # fmt: skip
    return inv


class InvitationUnusable(Problem):
    status = 410
    title = "Invitation cannot be used"


def invitation_for_key(*, raw_key: str, lock: bool = False) -> Invitation:
    """The usable invitation behind a link, or a specific reason why it cannot be used."""
    qs = Invitation.objects.select_related("organisation")
    if lock:
        qs = qs.select_for_update()
    inv = qs.filter(key_hash=hash_secret(raw_key)).first()
    if inv is None:
        raise InvitationUnusable(
            _("This invitation link is not valid. Check that it was copied whole."), code="invitation_invalid"
        )
    if inv.status == Invitation.Status.ACCEPTED:
        raise InvitationUnusable(_("This invitation has already been used. Sign in instead."), code="invitation_used")
    if inv.status == Invitation.Status.REVOKED:
        raise InvitationUnusable(_("This invitation was revoked by the organisation."), code="invitation_revoked")
    if inv.is_expired:
        raise InvitationUnusable(
            _("This invitation has expired. Ask the organisation's administrator for a new one."),
            code="invitation_expired",
        )
    if not inv.organisation.is_active:
        raise InvitationUnusable(_("This organisation is no longer active."), code="invitation_invalid")
    return inv


@transaction.atomic
def invitation_accept(*, raw_key: str, user: User | None = None, full_name: str = "", password: str = "") -> Membership:
    """Accept an invitation: as the signed-in ``user``, or by creating the account."""
    inv = invitation_for_key(raw_key=raw_key, lock=True)
    if user is not None and user.is_authenticated:
        if user.email.lower() != inv.email:
            raise ValidationError(
                {
                    "__all__": [
                        _("This invitation was sent to %(email)s; sign in with that address.") % {"email": inv.email}
                    ]
                }
            )
    else:
        user = User.objects.filter(email__iexact=inv.email).first()
        if user is not None:
            raise ValidationError({"__all__": [_("An account with this e-mail exists: sign in to accept.")]})
        errors: dict[str, list[str]] = {}
        if not full_name.strip():
            errors["full_name"] = [_("This field is required.")]
        candidate = User(email=inv.email, full_name=full_name.strip())
        try:
            validate_password(password, user=candidate)
        except ValidationError as exc:
            errors["password"] = list(exc.messages)
        if errors:
            raise ValidationError(errors)
        user = User.objects.create_user(inv.email, password, full_name=full_name.strip())
    membership = membership_add(actor=None, organisation=inv.organisation, user=user, role=inv.role)
    inv.status = Invitation.Status.ACCEPTED
    inv.accepted_by = user
    inv.accepted_at = timezone.now()
    inv.save(update_fields=["status", "accepted_by", "accepted_at"])
    audit.record(
        actor=user, action="invitation.accepted", obj=inv, organisation=inv.organisation,
        before={"status": "pending"}, after={"status": "accepted"},
    )  # fmt: skip
    return membership


# ---------------------------------------------------------------------------- API tokens


@transaction.atomic
def token_create(*, actor: User, name: str, expires_at: datetime | None = None) -> tuple[ApiToken, str]:
    """Create a personal token. The secret is returned once and never stored."""
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Give the token a name, so you can tell it apart later.")]
    elif len(name) > 100:
        errors["name"] = [_("At most 100 characters.")]
    elif ApiToken.objects.filter(user=actor, name=name, revoked_at__isnull=True).exists():
        errors["name"] = [_("You already have an active token with this name.")]
    if expires_at is not None and expires_at <= timezone.now():
        errors["expires_at"] = [_("The expiry must be in the future.")]
    if errors:
        raise ValidationError(errors)
    raw = ApiToken.new_secret()
    token = ApiToken.objects.create(
        user=actor, name=name, key_hash=hash_secret(raw), hint=raw[:8], expires_at=expires_at
    )
    audit.record(actor=actor, action="api_token.created", obj=token, after={"name": name, "expires_at": expires_at})
    return token, raw


@transaction.atomic
def token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    tok = ApiToken.objects.select_for_update().get(pk=token.pk)
    if tok.user_id != actor.pk:
        raise Http404
    if tok.revoked_at is not None:
        raise ValidationError({"__all__": [_("This token is already revoked.")]})
    tok.revoked_at = timezone.now()
    tok.save(update_fields=["revoked_at"])
    audit.record(
        actor=actor,
        action="api_token.revoked",
        obj=tok,
        before={"revoked_at": None},
        after={"revoked_at": tok.revoked_at},
    )
    return tok


LAST_USED_RESOLUTION = timedelta(minutes=1)


def token_authenticate(*, raw: str) -> User | None:
    """The active user behind a raw token, or None. Records the last-use time (per minute)."""
    if not raw.startswith(ApiToken.PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=hash_secret(raw)).first()
    if token is None or not token.is_active or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        # A guarded update: concurrent requests write at most once per minute, no read-modify-write.
        ApiToken.objects.filter(pk=token.pk).exclude(last_used_at__gt=now - LAST_USED_RESOLUTION).update(
            last_used_at=now
        )
    return token.user


# ---------------------------------------------------------------------------- login throttling


def _throttle_key(email: str) -> str:
    return f"login-failures:{hash_secret(email.strip().lower())}"


def login_is_throttled(*, email: str) -> bool:
    return cache.get(_throttle_key(email), 0) >= settings.LOGIN_THROTTLE_MAX_FAILURES


def login_failed(*, email: str) -> None:
    key = _throttle_key(email)
    if cache.add(key, 1, timeout=settings.LOGIN_THROTTLE_WINDOW_SECONDS):
        return
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=settings.LOGIN_THROTTLE_WINDOW_SECONDS)


def login_succeeded(*, email: str) -> None:
    cache.delete(_throttle_key(email))
