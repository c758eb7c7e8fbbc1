"""Writes of programme definitions: import, drafts, publishing and retiring versions.

A published version is frozen; a change is a new draft (a copy of the version in force),
edited as YAML through the same validator as an imported file, then published with an
effective date. Every later calculation reads the version in force on the date it concerns.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerhub.core import audit
from partnerhub.core.problems import Conflict
from partnerhub.core.tenancy import actor_for
from partnerhub.identity.models import User
from partnerhub.identity.roles import Perm
from partnerhub.identity.services import require_perm, vendor_organisation

from . import yaml_io
from .models import Programme, ProgrammeVersion
from .selectors import version_in_force

DEFINITIONS = Path(__file__).resolve().parent / "definitions"
DEMO_FILES = ("security_002.yaml", "cloud_003.yaml", "distributor_001.yaml")
S = ProgrammeVersion.Status


def require_manager(actor: User | None) -> None:
    """Programmes are the vendor's: only its administrators change them (None: a system loader)."""
    if actor is None:
        return
    if not actor_for(actor).is_vendor_staff:
        raise PermissionDenied(_("Only the vendor's administrators change programmes."))
    vendor = vendor_organisation()
    if vendor is None:
        raise ValidationError(_("Create the vendor organisation first."))
    require_perm(actor=actor, perm=Perm.PROGRAMMES_MANAGE, organisation=vendor)


def _raise(errors: list[yaml_io.YamlError]) -> None:
    out: dict[str, list[ValidationError]] = {}
    for e in errors:
        out.setdefault(e.path or "yaml", []).append(ValidationError(str(e), code="programme_yaml"))
    raise ValidationError(out)


def _parse(text: str, source: str) -> dict:
    doc, errors = yaml_io.parse(text, source=source)
    if errors:
        _raise(errors)
    return doc


def _next_number(programme: Programme) -> int:
    return (programme.versions.aggregate(n=Max("number"))["n"] or 0) + 1


def _audit(actor, action: str, version: ProgrammeVersion, before: dict | None = None, reason: str = "") -> None:
    audit.record(actor=actor, action=action, obj=version, before=before, after=audit.snapshot(version), reason=reason)


@transaction.atomic
def import_programme(
    *, actor: User | None, text: str, source: str = "<upload>", publish: bool = True
) -> ProgrammeVersion:
    """Load a whole programme version from YAML: a new programme, or the next version of one.

    ``publish``: in force from the file's effective date; otherwise a draft to review.
    """
    require_manager(actor)
    doc = _parse(text, source)
    programme = Programme.objects.filter(code=doc["programme"]["code"]).first()
    if programme is not None:
        if not publish and programme.versions.filter(status=S.DRAFT).exists():
            raise ValidationError({"programme.code": [_("This programme already has a draft; edit or retire it.")]})
        if publish:
            _check_effective(programme, date.fromisoformat(doc["version"]["effective_from"]))
    number = _next_number(programme) if programme else 1
    version = yaml_io.build(doc, programme=programme, number=number, status=S.PUBLISHED if publish else S.DRAFT,
                            created_by=actor)  # fmt: skip
    if publish:
        version.published_at, version.published_by = timezone.now(), actor
        version.save(update_fields=["published_at", "published_by"])
    _audit(actor, "programme.imported", version, reason=source)
    return version


def _check_effective(programme: Programme, effective_from: date) -> None:
    """History is not rewritten: a new version of a programme in force starts today or later."""
    has_published = programme.versions.filter(status=S.PUBLISHED).exists()
    if has_published and effective_from < timezone.localdate():
        raise ValidationError({"effective_from": [
            _("A new version of a programme in force cannot start in the past; choose today or a later date.")
        ]})  # fmt: skip


@transaction.atomic
def create_draft(*, actor: User, programme: Programme) -> ProgrammeVersion:
    """A draft copy of the version in force (or the latest version) to edit."""
    require_manager(actor)
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    if programme.versions.filter(status=S.DRAFT).exists():
        raise Conflict(_("This programme already has a draft."), code="draft_exists")
    base = (
        version_in_force(programme=programme, on=timezone.localdate()) or programme.versions.order_by("-number").first()
    )
    doc = yaml_io.document(base)
    doc["version"]["effective_from"] = max(timezone.localdate(), base.effective_from).isoformat()
    version = yaml_io.build(doc, programme=programme, number=_next_number(programme), status=S.DRAFT,
                            created_by=actor)  # fmt: skip
    _audit(actor, "programme.draft_created", version, reason=f"from version {base.number}")
    return version


def _locked_draft(version: ProgrammeVersion) -> ProgrammeVersion:
    v = ProgrammeVersion.objects.select_for_update().select_related("programme").get(pk=version.pk)
    if v.status != S.DRAFT:
        raise Conflict(_("Only a draft can be changed; published versions are frozen."), code="not_a_draft")
    return v


@transaction.atomic
def update_draft(*, actor: User, version: ProgrammeVersion, text: str, source: str = "<editor>") -> ProgrammeVersion:
    """Replace a draft's whole definition with edited YAML (same schema and checks as an import)."""
    require_manager(actor)
    v = _locked_draft(version)
    doc = _parse(text, source)
    if doc["programme"]["code"] != v.programme.code:
        raise ValidationError({"programme.code": [_("The code of a programme cannot change.")]})
    before = audit.snapshot(v) | {"document": v.document}
    programme, number = v.programme, v.number
    v.delete()
    new = yaml_io.build(doc, programme=programme, number=number, status=S.DRAFT, created_by=actor)
    audit.record(actor=actor, action="programme.draft_edited", obj=new, before=before,
                 after=audit.snapshot(new) | {"document": new.document})  # fmt: skip
    return new


@transaction.atomic
def publish(*, actor: User, version: ProgrammeVersion, effective_from: date | None = None) -> ProgrammeVersion:
    require_manager(actor)
    v = _locked_draft(version)
    effective_from = effective_from or v.effective_from
    _check_effective(v.programme, effective_from)
    before = audit.snapshot(v)
    v.status, v.effective_from = S.PUBLISHED, effective_from
    v.published_at, v.published_by = timezone.now(), actor
    v.document = {
        **v.document,
        "version": {**v.document.get("version", {}), "effective_from": effective_from.isoformat()},
    }
    v.save()
    _audit(actor, "programme.published", v, before)
    return v


@transaction.atomic
def retire(*, actor: User, version: ProgrammeVersion, reason: str = "") -> ProgrammeVersion:
    """Withdraw a draft, or a published version before it comes into force."""
    require_manager(actor)
    v = ProgrammeVersion.objects.select_for_update().get(pk=version.pk)
    if v.status == S.RETIRED:
        raise Conflict(_("This version is already retired."), code="already_retired")
    if v.status == S.PUBLISHED and v.effective_from <= timezone.localdate():
        raise Conflict(_("A version already in force stays in the history; publish a new version instead."),
                       code="in_force")  # fmt: skip
    before = audit.snapshot(v)
    v.status = S.RETIRED
    v.save(update_fields=["status"])
    _audit(actor, "programme.retired", v, before, reason=reason)
    return v


def load_demo_programmes() -> list[ProgrammeVersion]:
    """The three programmes of the source documents; a programme already there is left alone."""
    loaded = []
    for name in DEMO_FILES:
        path = DEFINITIONS / name
        text = path.read_text(encoding="utf-8")
        doc, errors = yaml_io.parse(text, source=str(path))
        if errors:
            _raise(errors)
        if not Programme.objects.filter(code=doc["programme"]["code"]).exists():
            loaded.append(import_programme(actor=None, text=text, source=name))
    return loaded


def _as_text(doc: dict) -> str:
    """A normalised document back to YAML the validator reads (dates as dates)."""
    import yaml

    doc = {**doc, "version": {**doc["version"], "effective_from": date.fromisoformat(doc["version"]["effective_from"])}}
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


def edit_draft(*, actor: User, version: ProgrammeVersion, change) -> ProgrammeVersion:
    """Apply ``change(document)`` to a draft's definition, then check and save it like an edited file.

    The console's forms (settings, tiers, requirements, benefits, rates) go through here, so a
    form edit passes exactly the checks a YAML file does (order of tiers, families, percents).
    """
    doc = yaml_io.document(version)
    change(doc)
    return update_draft(actor=actor, version=version, text=_as_text(doc), source="console")
