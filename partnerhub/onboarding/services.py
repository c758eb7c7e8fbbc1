"""Writes of partner onboarding: applications, their review, the contract step, the public profile.

The path of a company: it applies on the public "become a partner" page
(:func:`application_submit`); a vendor administrator or partner manager approves it
(:func:`application_approve`: organisation, profile, enrolment awaiting its contract and an
invitation for the contact, in one transaction) or rejects it with a reason; the partner's
administrator then uploads the signed contract or accepts the programme terms
(:func:`contract_upload`, :func:`contract_accept_terms`), which activates the enrolment, and
completes the profile (:func:`profile_update`), opting into the public catalogue.

Every function takes keyword arguments, runs in one transaction, checks the actor's
permission, validates fully before writing and records an audit row.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import EmailValidator
from django.db import transaction
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from partnerhub.core import audit, uploads
from partnerhub.core.notify import notify
from partnerhub.core.problems import Problem
from partnerhub.core.tenancy import actor_for
from partnerhub.core.validators import clean_web_url
from partnerhub.identity import services as identity_services
from partnerhub.identity.models import Organisation, User, hash_secret
from partnerhub.identity.roles import OrgKind, Perm, Role
from partnerhub.identity.validators import validate_identifiers, validate_inn, validate_kpp, validate_ogrn
from partnerhub.partners.models import Application, Enrolment, PartnerProfile
from partnerhub.partners.services import activate_enrolment, enrol
from partnerhub.programmes.models import ProductFamily, Programme, ProgrammeVersion
from partnerhub.programmes.selectors import version_in_force

LIST_MAX_ITEMS = 50
LIST_ITEM_MAX_LENGTH = 100
DESCRIPTION_MAX_LENGTH = 5000


def _rate_limit() -> tuple[int, int]:
    """Applications allowed per client address, and the window in seconds."""
    return (
        getattr(settings, "ONBOARDING_APPLICATIONS_PER_IP", 10),
        getattr(settings, "ONBOARDING_APPLICATIONS_WINDOW_SECONDS", 3600),
    )


class TooManyApplications(Problem):
    status = 429
    code = "throttled"
    title = "Too many requests"


# ---------------------------------------------------------------------------- helpers


def clean_list(values, *, field: str) -> list[str]:
    """A list of short labels: trimmed, without empties and duplicates (case-insensitive), bounded."""
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    out: list[str] = []
    seen: set[str] = set()
    for raw in values:
        item = " ".join(str(raw).split())
        if not item or item.casefold() in seen:
            continue
        if len(item) > LIST_ITEM_MAX_LENGTH:
            raise ValidationError(
                {field: [_("Each entry may have at most %(n)s characters.") % {"n": LIST_ITEM_MAX_LENGTH}]}
            )
        seen.add(item.casefold())
        out.append(item)
    if len(out) > LIST_MAX_ITEMS:
        raise ValidationError({field: [_("At most %(n)s entries.") % {"n": LIST_MAX_ITEMS}]})
    return out


def is_decider(actor: User) -> bool:
    """Vendor administrators and partner managers decide on applications."""
    return bool({Role.VENDOR_ADMIN, Role.PARTNER_MANAGER} & actor_for(actor).vendor_roles)


def _require_decider(actor: User, application: Application) -> None:
    from .selectors import applications_in_scope

    if not applications_in_scope(actor=actor).filter(pk=application.pk).exists():
        raise Http404
    if not is_decider(actor):
        raise PermissionDenied(_("Only vendor administrators and partner managers decide on applications."))


def _require_partner_admin(actor: User, organisation: Organisation) -> None:
    """404 outside the actor's scope; 403 unless the actor administers this very partner."""
    if not Organisation.objects.visible_to(actor).filter(pk=organisation.pk).exists():
        raise Http404
    if Role.PARTNER_ADMIN not in actor_for(actor).roles_in(organisation.pk):
        raise PermissionDenied(_("Only the partner's administrator signs the contract."))


def _vendor_admins() -> list[User]:
    return list(
        User.objects.filter(
            is_active=True, memberships__organisation__kind=OrgKind.VENDOR, memberships__role=Role.VENDOR_ADMIN
        ).distinct()
    )


def _version_or_error(programme: Programme, field: str = "programme") -> ProgrammeVersion:
    version = version_in_force(programme=programme, on=timezone.localdate())
    if version is None:
        raise ValidationError({field: [_("The programme has no version in force; it does not take applications.")]})
    return version


# ---------------------------------------------------------------------------- applying


def _throttle(ip: str | None) -> None:
    """Count an attempt from ``ip``; refuse when the address used up its allowance."""
    if not ip:
        return
    limit, window = _rate_limit()
    key = f"onboarding-apply:{hash_secret(ip)}"
    if cache.add(key, 1, timeout=window):
        return
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=window)
        return
    if count > limit:
        raise TooManyApplications(
            _("Too many applications from your address. Try again in an hour."), status=429, code="throttled"
        )


@transaction.atomic
def application_submit(
    *,
    programme: Programme,
    role_code: str,
    company_name: str,
    inn: str,
    region: str,
    contact_name: str,
    contact_email: str,
    consent: bool,
    legal_name: str = "",
    kpp: str = "",
    ogrn: str = "",
    city: str = "",
    website: str = "",
    regions: list[str] | None = None,
    competences: list[str] | None = None,
    contact_phone: str = "",
    message: str = "",
    ip: str | None = None,
) -> Application:
    """A company applies to a programme (public, no account). Vendor administrators are notified."""
    _throttle(ip)
    errors: dict[str, list] = {}

    def add(field: str, error) -> None:
        errors.setdefault(field, []).append(error)

    version = version_in_force(programme=programme, on=timezone.localdate())
    if version is None:
        add("programme", ValidationError(_("The programme does not take applications at the moment.")))
    elif not version.roles.filter(code=role_code).exists():
        add("role_code", ValidationError(_("Choose one of the programme's roles."), code="invalid_choice"))
    inn, kpp, ogrn = (inn or "").strip(), (kpp or "").strip().upper(), (ogrn or "").strip()
    identifiers = (("inn", inn, validate_inn), ("kpp", kpp, validate_kpp), ("ogrn", ogrn, validate_ogrn))
    for field, value, validator in identifiers:
        if value:
            try:
                validator(value)
            except ValidationError as exc:
                add(field, exc)
    if not errors.get("inn") and not errors.get("kpp") and not errors.get("ogrn"):
        for field, field_errors in validate_identifiers(inn=inn, kpp=kpp, ogrn=ogrn).items():
            errors.setdefault(field, []).extend(field_errors)
    if inn and len(inn) == 10 and not kpp and "inn" not in errors:
        add("kpp", ValidationError(_("A company with a 10-digit INN must give its KPP."), code="kpp_required"))
    if not consent:
        add("consent", ValidationError(_("We need your consent to process the data you send."), code="required"))
    contact_email = (contact_email or "").strip().lower()
    if contact_email:
        try:
            EmailValidator()(contact_email)
        except ValidationError as exc:
            add("contact_email", exc)
    try:
        website = clean_web_url(website, field="website")
    except ValidationError as exc:
        errors.update(exc.error_dict)
    for field, values in (("regions", regions), ("competences", competences)):
        try:
            cleaned = clean_list(values, field=field)
        except ValidationError as exc:
            errors.setdefault(field, []).extend(exc.error_dict[field])
        else:
            if field == "regions":
                regions = cleaned
            else:
                competences = cleaned
    application = Application(
        programme=programme, role_code=role_code or "", company_name=(company_name or "").strip(),
        legal_name=(legal_name or "").strip(), inn=inn, kpp=kpp, ogrn=ogrn, region=(region or "").strip(),
        city=(city or "").strip(), website=website, regions=regions or [], competences=competences or [],
        contact_name=(contact_name or "").strip(), contact_email=contact_email,
        contact_phone=(contact_phone or "").strip(), message=(message or "").strip(),
    )  # fmt: skip
    try:
        application.full_clean(exclude=["organisation", "decided_by", "contract_file"], validate_constraints=False)
    except ValidationError as exc:
        for field, field_errors in exc.error_dict.items():
            if field not in errors:
                errors[field] = list(field_errors)
    if inn and "inn" not in errors and "kpp" not in errors:
        if Organisation.objects.filter(inn=inn, kpp=kpp).exists():
            text = _(
                "A company with this INN and KPP is already registered with us. If it is already a partner, "
                "its administrator can sign in or contact its partner manager."
            )
            add("inn", ValidationError(text, code="duplicate_company"))
        elif Application.objects.filter(
            programme=programme, inn=inn, kpp=kpp, status=Application.Status.SUBMITTED
        ).exists():
            text = _("This company already has an application to this programme under review.")
            add("inn", ValidationError(text, code="duplicate_application"))
    if errors:
        raise ValidationError(errors)
    application.save()
    audit.record(
        actor=None, action="application.submitted", obj=application, after={
            **audit.snapshot(application), "contact_email": contact_email, "consent_to_data_processing": True,
        },
    )  # fmt: skip
    notify(
        users=_vendor_admins(), organisation=identity_services.vendor_organisation(), kind="application.submitted",
        title=_("New partner application: %(company)s (%(programme)s)") % {
            "company": application.company_name, "programme": str(programme)},
        body=application.message, url=reverse("onboarding-application-detail", args=[application.pk]),
    )  # fmt: skip
    return application


# ---------------------------------------------------------------------------- deciding


@transaction.atomic
def application_approve(
    *, actor: User, application: Application, partner_manager_id: int | None, starting_tier_code: str | None = None
) -> Application:
    """Approve: the partner organisation, its profile, its enrolment (awaiting the contract) and an
    invitation for the contact as the partner's administrator, all in this one transaction."""
    app = Application.objects.select_for_update().select_related("programme").get(pk=application.pk)
    _require_decider(actor, app)
    if app.status != Application.Status.SUBMITTED:
        raise ValidationError({"__all__": [_("This application has already been decided.")]})
    errors: dict[str, list[str]] = {}
    version = version_in_force(programme=app.programme, on=timezone.localdate())
    role = version.roles.filter(code=app.role_code).first() if version is not None else None
    if version is None:
        errors["__all__"] = [_("The programme has no version in force; it cannot take partners now.")]
    elif role is None:
        errors["__all__"] = [_("The programme in force no longer offers the role %(role)s.") % {"role": app.role_code}]
    vendor = identity_services.vendor_organisation()
    manager = None
    if partner_manager_id is not None and vendor is not None:
        manager = User.objects.filter(
            pk=partner_manager_id, is_active=True,
            memberships__organisation=vendor, memberships__role=Role.PARTNER_MANAGER,
        ).first()  # fmt: skip
    if manager is None:
        errors["partner_manager_id"] = [_("Choose a partner manager of the vendor.")]
    tier = (starting_tier_code or "").strip() or None
    if role is not None:
        if role.has_tiers and tier is None and version.tiers.exists():
            errors["starting_tier_code"] = [_("This role carries tiers: choose the starting tier.")]
        elif tier is not None and not role.has_tiers:
            errors["starting_tier_code"] = [_("The role %(role)s carries no tiers.") % {"role": str(role)}]
        elif tier is not None and not version.tiers.filter(code=tier).exists():
            errors["starting_tier_code"] = [_("The programme has no tier %(code)s.") % {"code": tier}]
    if errors:
        raise ValidationError(errors)
    # Identity refuses organisation and invitation writes to partner managers; the decision is
    # checked above, so their part runs as a system write and this function's audit row names the actor.
    identity_actor = actor if Role.VENDOR_ADMIN in actor_for(actor).vendor_roles else None
    org = identity_services.organisation_create(
        actor=identity_actor, kind=OrgKind.PARTNER, name=app.company_name, legal_name=app.legal_name,
        inn=app.inn, kpp=app.kpp, ogrn=app.ogrn, region=app.region, city=app.city, website=app.website,
        email=app.contact_email, phone=app.contact_phone, partner_manager_id=manager.pk,
    )  # fmt: skip
    PartnerProfile.objects.create(organisation=org, competences=app.competences, regions=app.regions)
    enrol(
        actor=actor, organisation=org, programme=app.programme, role_code=app.role_code,
        starting_tier_code=tier, joined_on=timezone.localdate(), active=False,
    )  # fmt: skip
    identity_services.invitation_create(
        actor=identity_actor, invited_by=actor, organisation=org, email=app.contact_email, role=Role.PARTNER_ADMIN
    )
    before = audit.snapshot(app)
    app.status, app.organisation = Application.Status.APPROVED, org
    app.decided_by, app.decided_at = actor, timezone.now()
    app.save(update_fields=["status", "organisation", "decided_by", "decided_at"])
    audit.record(
        actor=actor, action="application.approved", obj=app, organisation=org, before=before,
        after={**audit.snapshot(app), "partner_manager_id": manager.pk, "starting_tier_code": tier},
    )  # fmt: skip
    if manager.pk != actor.pk:
        notify(
            users=[manager], organisation=org, kind="application.approved",
            title=_("You are the partner manager of %(org)s, a new partner") % {"org": org.name},
            url=reverse("onboarding-application-detail", args=[app.pk]),
        )  # fmt: skip
    return app


@transaction.atomic
def application_reject(*, actor: User, application: Application, reason: str) -> Application:
    """Reject with a reason; the contact is e-mailed the reason."""
    app = Application.objects.select_for_update().select_related("programme").get(pk=application.pk)
    _require_decider(actor, app)
    if app.status != Application.Status.SUBMITTED:
        raise ValidationError({"__all__": [_("This application has already been decided.")]})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason: the applicant receives it.")]})
    before = audit.snapshot(app)
    app.status, app.decision_reason = Application.Status.REJECTED, reason
    app.decided_by, app.decided_at = actor, timezone.now()
    app.save(update_fields=["status", "decision_reason", "decided_by", "decided_at"])
    audit.record(actor=actor, action="application.rejected", obj=app, before=before, after=audit.snapshot(app),
                 reason=reason)  # fmt: skip
    language = translation.get_language() or settings.LANGUAGE_CODE
    transaction.on_commit(lambda: _send_rejection(app.pk, language))
    return app


def _send_rejection(application_id: int, language: str) -> None:
    app = Application.objects.select_related("programme").get(pk=application_id)
    with translation.override(language):
        send_mail(
            subject=_("Your application to %(programme)s") % {"programme": str(app.programme)},
            message=render_to_string("partners/onboarding/email/rejected.txt", {"application": app}),
            from_email=None,
            recipient_list=[app.contact_email],
            fail_silently=True,
        )


# ---------------------------------------------------------------------------- contract step


def _application_for_contract(actor: User, organisation: Organisation) -> tuple[Application, Enrolment]:
    _require_partner_admin(actor, organisation)
    app = (
        Application.objects.select_for_update()
        .select_related("programme")
        .filter(organisation=organisation)
        .order_by("-created_at", "-id")
        .first()
    )
    if app is None:
        raise ValidationError({"__all__": [_("Your organisation has no onboarding in progress.")]})
    if app.status == Application.Status.ACTIVE:
        raise ValidationError({"__all__": [_("The contract step is already done.")]})
    if app.status != Application.Status.APPROVED:
        raise ValidationError({"__all__": [_("The application is not approved.")]})
    enrolment = Enrolment.objects.filter(organisation=organisation, programme=app.programme).first()
    if enrolment is None or enrolment.status not in (Enrolment.Status.CONTRACT_PENDING, Enrolment.Status.ACTIVE):
        raise ValidationError({"__all__": [_("The enrolment in the programme is suspended or ended; ask your "
                                             "partner manager.")]})  # fmt: skip
    return app, enrolment


def _activate(
    actor: User, app: Application, enrolment: Enrolment, action: str, before: dict, extra: dict | None = None
) -> Application:
    activate_enrolment(actor=actor, enrolment=enrolment)
    app.status = Application.Status.ACTIVE
    app.save(update_fields=["status", "contract_file", "contract_accepted_at", "contract_signer"])
    audit.record(
        actor=actor, action=action, obj=app, organisation=app.organisation, before=before,
        after={**audit.snapshot(app), "contract_file": app.contract_file.name,
               "contract_accepted_at": app.contract_accepted_at, "contract_signer": app.contract_signer,
               **(extra or {})},
    )  # fmt: skip
    org = app.organisation
    if org.partner_manager_id:
        notify(
            users=[org.partner_manager], organisation=org, kind="onboarding.contract",
            title=_("%(org)s completed the contract step and is now an active partner") % {"org": org.name},
            url=reverse("onboarding-application-detail", args=[app.pk]),
        )  # fmt: skip
    return app


@transaction.atomic
def contract_accept_terms(*, actor: User, organisation: Organisation, signer_name: str, accept: bool) -> Application:
    """The partner's administrator accepts the programme terms in force: date and signer are recorded."""
    app, enrolment = _application_for_contract(actor, organisation)
    version = _version_or_error(app.programme, field="__all__")
    errors: dict[str, list[str]] = {}
    if not version.terms.strip():
        errors["__all__"] = [_("This programme has no terms to accept online: upload the signed contract.")]
    signer_name = " ".join((signer_name or "").split())
    if not signer_name:
        errors["signer_name"] = [_("Give the full name of the person accepting the terms.")]
    elif len(signer_name) > 200:
        errors["signer_name"] = [_("At most 200 characters.")]
    if not accept:
        errors["accept"] = [_("Tick the box to accept the terms.")]
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(app)
    app.contract_accepted_at, app.contract_signer = timezone.now(), signer_name
    return _activate(actor, app, enrolment, "application.terms_accepted", before, {"terms_version": version.number})


def validate_contract_file(file) -> None:
    """A PDF (by its content) within the upload size limit: ``core.uploads.CONTRACT``."""
    if file is None:
        raise ValidationError({"file": [_("Choose the signed contract (PDF).")]})
    uploads.CONTRACT.accept(file, field="file")


@transaction.atomic
def contract_upload(*, actor: User, organisation: Organisation, file) -> Application:
    """The partner's administrator uploads the signed contract (PDF, at most 10 MB)."""
    app, enrolment = _application_for_contract(actor, organisation)
    validate_contract_file(file)
    before = audit.snapshot(app)
    app.contract_file.save(f"contract-{app.pk}.pdf", file, save=False)
    return _activate(actor, app, enrolment, "application.contract_uploaded", before)


# ---------------------------------------------------------------------------- profile


@transaction.atomic
def profile_update(
    *,
    actor: User,
    organisation: Organisation,
    description: str | None = None,
    competences: list[str] | None = None,
    regions: list[str] | None = None,
    listed_in_catalogue: bool | None = None,
    product_families: list[str] | None = None,
) -> PartnerProfile:
    """Change what the partner shows the world; ``None`` leaves a field as it is."""
    identity_services.require_perm(actor=actor, perm=Perm.ORG_CHANGE, organisation=organisation)
    if organisation.kind != OrgKind.PARTNER:
        raise ValidationError({"__all__": [_("Only partners have a public profile.")]})
    profile, _created = PartnerProfile.objects.select_for_update().get_or_create(organisation=organisation)
    errors: dict[str, list] = {}
    changes: dict = {}
    if description is not None:
        description = description.strip()
        if len(description) > DESCRIPTION_MAX_LENGTH:
            errors["description"] = [_("At most %(n)s characters.") % {"n": DESCRIPTION_MAX_LENGTH}]
        changes["description"] = description
    for field, values in (("competences", competences), ("regions", regions)):
        if values is not None:
            try:
                changes[field] = clean_list(values, field=field)
            except ValidationError as exc:
                errors.update(exc.error_dict)
    if listed_in_catalogue is not None:
        changes["listed_in_catalogue"] = bool(listed_in_catalogue)
    if product_families is not None:
        codes = list(dict.fromkeys(str(c).strip() for c in product_families if str(c).strip()))
        known = set(ProductFamily.objects.filter(code__in=codes).values_list("code", flat=True))
        unknown = [c for c in codes if c not in known]
        if unknown:
            msg = _("Unknown product family: %(codes)s.") % {"codes": ", ".join(unknown)}
            errors["product_families"] = [ValidationError(msg, code="unknown_product")]
        changes["product_families"] = codes
    if errors:
        raise ValidationError(errors)
    fields = ("description", "competences", "regions", "product_families", "listed_in_catalogue")
    before = audit.snapshot(profile, fields)
    for key, value in changes.items():
        setattr(profile, key, value)
    after = audit.snapshot(profile, fields)
    if after != before:
        profile.save()
        audit.record(actor=actor, action="partner_profile.updated", obj=profile, organisation=organisation,
                     before=before, after=after)  # fmt: skip
    return profile
