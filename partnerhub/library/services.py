"""Writes of the content library: the vendor's materials and versions, downloads, co-branded PDFs, contributions.

Every file comes through the project's one upload policy (``core.uploads.LIBRARY``; a logo through
``core.uploads.IMAGE``). A download counts with an atomic ``F()`` increment. A partner generates a
co-branded PDF only while one of its active enrolments sits in a tier whose benefits include
co-branded materials (``COBRANDING_BENEFITS``); otherwise the refusal says which tiers grant it.
"""

from __future__ import annotations

import base64
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _

from partnerhub.core import audit, uploads
from partnerhub.core.notify import notify
from partnerhub.core.pdf import render_pdf
from partnerhub.core.problems import Conflict, Problem
from partnerhub.core.richtext import sanitize_html
from partnerhub.identity.models import Organisation, User
from partnerhub.identity.roles import Perm
from partnerhub.identity.services import require_perm, vendor_organisation
from partnerhub.partners.models import Enrolment, PartnerProfile
from partnerhub.programmes.models import Programme, Tier
from partnerhub.programmes.selectors import version_in_force

from .models import Contribution, ContributionStatus, Material, MaterialKind, MaterialVersion

MATERIAL_FIELDS = ("kind", "title", "description", "tags", "programme_code", "roles", "tiers", "template",
                   "is_published")  # fmt: skip
# Benefit codes of the programmes' tiers that grant co-branded materials (the shipped programmes say "co-branding").
COBRANDING_BENEFITS = ("co-branding", "co_branded_materials")
PLACEHOLDERS = ("partner_name", "partner_logo", "partner_email", "partner_phone", "partner_website",
                "partner_address")  # fmt: skip


class NotEntitled(Problem):
    status = 403
    code = "not_entitled"
    title = "Not included in your tier"


def require_librarian(actor: User | None) -> None:
    """The library is the vendor's: its administrators write it (``programmes.manage``)."""
    vendor = vendor_organisation()
    if vendor is None:
        raise PermissionDenied(_("Your role does not allow this action."))
    require_perm(actor=actor, perm=Perm.PROGRAMMES_MANAGE, organisation=vendor)


def _codes(value) -> str:
    """A list (or a comma-separated string) of codes stored as ",a,b," ("" when empty)."""
    items = value.split(",") if isinstance(value, str) else list(value or [])
    codes = sorted({slugify(str(v).strip().lower(), allow_unicode=True)[:60] for v in items} - {""})
    return f",{','.join(codes)}," if codes else ""


def _apply(material: Material, values: dict) -> None:
    errors: dict[str, list] = {}
    if "programme_code" in values:
        code = (values.pop("programme_code") or "").strip()
        material.programme = Programme.objects.filter(code=code).first() if code else None
        if code and material.programme is None:
            errors["programme_code"] = [ValidationError(_("There is no such programme."), code="invalid")]
    for name in ("tags", "roles", "tiers"):
        if name in values:
            values[name] = _codes(values[name])
    if "template" in values:
        values["template"] = sanitize_html(values["template"])
    for key, value in values.items():
        setattr(material, key, value.strip() if isinstance(value, str) else value)
    try:
        material.full_clean(exclude=["programme", "created_by", *errors])
    except ValidationError as exc:
        errors.update(exc.error_dict)
    if material.kind == MaterialKind.COBRANDING and not material.template and "template" not in errors:
        errors["template"] = [ValidationError(_("A co-branding template needs its text."), code="required")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def material_create(*, actor: User | None, kind: str, title: str, file=None, note: str = "", **fields) -> Material:
    if actor is not None:
        require_librarian(actor)
    unknown = set(fields) - set(MATERIAL_FIELDS)
    if unknown:
        raise ValidationError({f: [_("This field cannot be changed here.")] for f in sorted(unknown)})
    material = Material(created_by=actor)
    errors: dict[str, list] = {}
    try:
        _apply(material, {"kind": kind, "title": title, **fields})
    except ValidationError as exc:
        errors.update(exc.error_dict)
    try:
        accepted = uploads.LIBRARY.accept(file, field="file", required=kind != MaterialKind.COBRANDING)
    except ValidationError as exc:
        errors.update(exc.error_dict)
    if errors:
        raise ValidationError(errors)
    material.save()
    audit.record(actor=actor, action="library.material_created", obj=material, after=audit.snapshot(material))
    if accepted:
        _add_version(actor=actor, material=material, file=accepted, note=note)
    return material


@transaction.atomic
def material_update(*, actor: User, material: Material, **changes) -> Material:
    require_librarian(actor)
    material = Material.objects.select_for_update().get(pk=material.pk)
    unknown = set(changes) - set(MATERIAL_FIELDS)
    if unknown:
        raise ValidationError({f: [_("This field cannot be changed here.")] for f in sorted(unknown)})
    before = audit.snapshot(material)
    _apply(material, dict(changes))
    if audit.snapshot(material) != before:
        material.save()
        audit.record(actor=actor, action="library.material_updated", obj=material, before=before,
                     after=audit.snapshot(material))  # fmt: skip
    return material


def _add_version(*, actor: User | None, material: Material, file, note: str) -> MaterialVersion:
    kind = uploads.sniff(file) or ""
    number = (material.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = MaterialVersion.objects.create(material=material, number=number, file=file, file_kind=kind,
                                             size=file.size or 0, note=(note or "").strip()[:300],
                                             uploaded_by=actor)  # fmt: skip
    Material.objects.filter(pk=material.pk).update(updated_at=timezone.now())
    audit.record(actor=actor, action="library.version_added", obj=material, after=audit.snapshot(version))
    return version


@transaction.atomic
def version_add(*, actor: User, material: Material, file, note: str = "") -> MaterialVersion:
    """A new file for ``material``; the earlier versions stay."""
    require_librarian(actor)
    material = Material.objects.select_for_update().get(pk=material.pk)
    accepted = uploads.LIBRARY.accept(file, field="file", required=True)
    return _add_version(actor=actor, material=material, file=accepted, note=note)


def record_download(*, actor: User, material: Material, version: MaterialVersion | None = None) -> MaterialVersion:
    """The file to send (the latest version unless one is named), counted; 404 when the actor cannot see it."""
    if not Material.objects.visible_to(actor).filter(pk=material.pk).exists():
        raise Http404
    version = version or material.versions.order_by("-number").first()
    if version is None or version.material_id != material.pk:
        raise Http404
    Material.objects.filter(pk=material.pk).update(download_count=F("download_count") + 1)
    return version


# ------------------------------------------------------------------ co-branding


def cobranding_check(*, organisation: Organisation) -> tuple[bool, str]:
    """Whether the partner's tier grants co-branded materials now; when not, the reason to show."""
    today = timezone.localdate()
    granting: list[str] = []
    enrolments = Enrolment.objects.filter(organisation=organisation, status=Enrolment.Status.ACTIVE)
    for e in enrolments.select_related("programme"):
        version = version_in_force(programme=e.programme, on=today)
        if version is None:
            continue
        tiers = Tier.objects.filter(version=version, benefits__code__in=COBRANDING_BENEFITS).distinct()
        tier = e.override_tier_code or e.tier_code
        if tier and tiers.filter(code=tier).exists():
            return True, ""
        granting += [str(t) for t in tiers.order_by("rank")]
    if granting:
        reason = _("Co-branded materials are a benefit of the %(tiers)s tier; your current tier does not include it.")
        return False, reason % {"tiers": ", ".join(dict.fromkeys(granting))}
    return False, _("Your partner programme does not include co-branded materials.")


def _logo_data_url(profile: PartnerProfile | None) -> str:
    if profile is None or not profile.logo:
        return ""
    with profile.logo.open("rb") as f:
        data = f.read()
    kind = "png" if data.startswith(b"\x89PNG") else "jpeg"
    return f"data:image/{kind};base64,{base64.b64encode(data).decode()}"


def _fill(template: str, values: dict[str, str]) -> str:
    """The sanitised template with ``{{ placeholder }}`` replaced by the escaped values (the logo: an image)."""

    def sub(match):
        name = match.group(1)
        return values[name] if name in values else match.group(0)

    return re.sub(r"\{\{\s*(\w+)\s*\}\}", sub, template)


def cobranded_pdf(*, actor: User, material: Material, organisation: Organisation) -> bytes:
    """The co-branded PDF of ``material`` for ``organisation`` (the actor's), with its logo and contacts."""
    if not Material.objects.visible_to(actor).filter(pk=material.pk, kind=MaterialKind.COBRANDING).exists():
        raise Http404
    if organisation.pk not in {m.organisation_id for m in _memberships(actor)}:
        raise Http404
    allowed, reason = cobranding_check(organisation=organisation)
    if not allowed:
        raise NotEntitled(reason)
    profile = PartnerProfile.objects.filter(organisation=organisation).first()
    logo = _logo_data_url(profile)
    values = {"partner_name": escape(organisation.name), "partner_email": escape(organisation.email),
              "partner_phone": escape(organisation.phone), "partner_website": escape(organisation.website),
              "partner_address": escape(", ".join(p for p in (organisation.city, organisation.address) if p)),
              "partner_logo": f'<img class="logo" src="{logo}" alt="">' if logo else ""}  # fmt: skip
    body = mark_safe(_fill(material.template, values))
    pdf = render_pdf("library/cobranded_pdf.html", {"material": material, "org": organisation, "logo": logo,
                                                     "body": body})  # fmt: skip
    audit.record(actor=actor, action="library.cobranded_pdf", obj=material, organisation=organisation)
    return pdf


def _memberships(actor: User):
    from partnerhub.core.tenancy import actor_for

    return actor_for(actor).memberships


@transaction.atomic
def logo_set(*, actor: User, organisation: Organisation, file) -> PartnerProfile:
    """The partner's logo (PNG or JPEG through the image policy), printed on its co-branded materials."""
    require_perm(actor=actor, perm=Perm.ORG_CHANGE, organisation=organisation)
    accepted = uploads.IMAGE.accept(file, field="logo", required=True)
    profile, _created = PartnerProfile.objects.get_or_create(organisation=organisation)
    profile.logo = accepted
    profile.save(update_fields=["logo", "updated_at"])
    audit.record(actor=actor, action="library.logo_set", obj=profile, organisation=organisation,
                 after={"logo": profile.logo.name})  # fmt: skip
    return profile


# ------------------------------------------------------------------ contributions


@transaction.atomic
def contribution_submit(*, actor: User, organisation: Organisation, kind: str, title: str, file,
                        description: str = "") -> Contribution:  # fmt: skip
    """A partner offers material to the library (its administrator or staff)."""
    if organisation.pk not in {m.organisation_id for m in _memberships(actor)} or organisation.kind != "partner":
        raise Http404
    contribution = Contribution(organisation=organisation, kind=kind, title=(title or "").strip(),
                                description=(description or "").strip(), submitted_by=actor)  # fmt: skip
    errors: dict[str, list] = {}
    try:
        contribution.full_clean(exclude=["file", "organisation"])
    except ValidationError as exc:
        errors.update(exc.error_dict)
    try:
        contribution.file = uploads.LIBRARY.accept(file, field="file", required=True)
    except ValidationError as exc:
        errors.update(exc.error_dict)
    if errors:
        raise ValidationError(errors)
    contribution.save()
    audit.record(actor=actor, action="library.contribution_submitted", obj=contribution, organisation=organisation,
                 after=audit.snapshot(contribution))  # fmt: skip
    return contribution


NEXT = {
    ContributionStatus.SUBMITTED: {ContributionStatus.REVIEWED, ContributionStatus.PUBLISHED,
                                   ContributionStatus.REJECTED},
    ContributionStatus.REVIEWED: {ContributionStatus.PUBLISHED, ContributionStatus.REJECTED},
}  # fmt: skip


@transaction.atomic
def contribution_review(*, actor: User, contribution: Contribution, decision: str, comment: str = "") -> Contribution:
    """The vendor moves a contribution on: under review, published (a new material) or rejected (with a comment)."""
    require_librarian(actor)
    c = Contribution.objects.select_for_update().select_related("organisation").get(pk=contribution.pk)
    if decision not in NEXT.get(c.status, set()):
        raise Conflict(_("This contribution cannot be moved to that status now."))
    comment = (comment or "").strip()
    if decision == ContributionStatus.REJECTED and not comment:
        raise ValidationError(
            {"comment": [ValidationError(_("Say why the contribution is rejected."), code="required")]}
        )
    before = audit.snapshot(c)
    c.status, c.comment, c.reviewed_by, c.reviewed_at = decision, comment[:2000], actor, timezone.now()
    if decision == ContributionStatus.PUBLISHED:
        material = Material.objects.create(kind=c.kind, title=c.title, description=c.description, is_published=True,
                                           tags=_codes(["partner"]), created_by=actor)  # fmt: skip
        with c.file.open("rb") as f:
            from django.core.files.base import ContentFile

            copy = ContentFile(f.read(), name=c.file.name.rsplit("/", 1)[-1])
        _add_version(
            actor=actor, material=material, file=copy, note=_("Contributed by %(org)s") % {"org": c.organisation}
        )
        c.material = material
    c.save()
    audit.record(actor=actor, action="library.contribution_reviewed", obj=c, organisation=c.organisation,
                 before=before, after=audit.snapshot(c))  # fmt: skip
    if c.submitted_by_id:
        notify(users=[c.submitted_by], organisation=c.organisation, kind="library.contribution",
               title=_("Your contribution “%(title)s”: %(status)s")
               % {"title": c.title, "status": c.get_status_display()},
               body=comment, url=reverse("library-contribution", args=[c.pk]))  # fmt: skip
    return c
