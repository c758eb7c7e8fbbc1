"""Writes of programme definitions: import, drafts, draft edits, publishing and retiring versions.

A published version is frozen; a change is a draft (a copy of the published version), edited
as a whole YAML document or part by part (settings, tiers, requirements, benefits, reward
rates), always through the one validator of ``yaml_io``, then published with an effective date.
Every later calculation reads the version in force on the date it concerns.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerhub.core import audit, uploads
from partnerhub.core.problems import Conflict
from partnerhub.core.tenancy import actor_for
from partnerhub.identity.models import User
from partnerhub.identity.roles import Perm
from partnerhub.identity.services import require_perm, vendor_organisation

from . import yaml_io
from .models import Programme, ProgrammeVersion

DEFINITIONS = Path(__file__).resolve().parent / "definitions"
DEMO_FILES = ("security_002.yaml", "cloud_003.yaml", "distributor_001.yaml")
# The demo's 002 programme also pays the multi-level network's overrides (the shipped file pays none), so that
# the demo's distributor and recruiter (portal.demo_partners.load_demo_network) have override lines to show.
DEMO_REWARDS = {
    "security_002.yaml": "rewards:\n  distributor_override_percent: 3\n  recruiter_override_percent: 2\n"
    "  recruiter_override_months: 12\n",
}
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


def _raise(errors: list[yaml_io.YamlError], rename: Callable[[str], str] | None = None) -> None:
    """Every error at once, keyed by its key path (or the caller's name for it), each naming file and path."""
    out: dict[str, list[ValidationError]] = {}
    for e in errors:
        key = (rename(e.path) if rename else e.path) or "yaml"
        out.setdefault(key, []).append(ValidationError(str(e), code="programme_yaml"))
    raise ValidationError(out)


def _parse(text: str, source: str) -> dict:
    doc, errors = yaml_io.parse(text, source=source)
    if errors:
        _raise(errors)
    return doc


def _next_number(programme: Programme) -> int:
    return (programme.versions.aggregate(n=Max("number"))["n"] or 0) + 1


def _state(version: ProgrammeVersion, doc: dict | None = None) -> dict:
    return audit.snapshot(version) | ({"document": doc} if doc is not None else {})


def _check_effective(programme: Programme, effective_from: date, *, version: ProgrammeVersion | None = None) -> None:
    """History is not rewritten: once a programme has a published version, a new one starts today
    or later, and not before a version already scheduled (it would come back into force after it)."""
    published = programme.versions.filter(status=S.PUBLISHED)
    if version is not None:
        published = published.exclude(pk=version.pk)
    if not published.exists():
        return
    if effective_from < timezone.localdate():
        raise ValidationError({"effective_from": [ValidationError(
            _("A new version of a programme in force cannot start in the past; choose today or a later date."),
            code="effective_in_past",
        )]})  # fmt: skip
    latest = published.order_by("-effective_from", "-number").first()
    if effective_from < latest.effective_from:
        raise ValidationError({"effective_from": [ValidationError(
            _("Version %(n)s is already scheduled from %(date)s; choose that date or a later one, or retire "
              "version %(n)s first.") % {"n": latest.number, "date": latest.effective_from.isoformat()},
            code="effective_before_scheduled",
        )]})  # fmt: skip


# ---------------------------------------------------------------------------- import


@transaction.atomic
def import_programme(
    *,
    actor: User | None,
    text: str | None = None,
    path: str | Path | None = None,
    upload=None,
    source: str | None = None,
    publish: bool = True,
) -> ProgrammeVersion:
    """Load a whole programme version from YAML text, a file or an upload: a new programme, or the next version.

    ``publish``: in force from the file's effective date; otherwise a draft to review. A file
    with any error loads nothing (``ValidationError`` keyed by key path). An ``upload`` must pass
    the upload policy (``core.uploads.YAML_IMPORT``: UTF-8 text within the size limit), field ``file``.
    """
    require_manager(actor)
    if upload is not None:
        source = source or upload.name or "upload"
        text = uploads.YAML_IMPORT.accept(upload, field="file", required=True).read().decode("utf-8-sig")
    if text is None:
        if path is None:
            raise ValueError("import_programme needs text or path")
        text = Path(path).read_text(encoding="utf-8")
        source = source or Path(path).name
    source = source or "<upload>"
    doc = _parse(text, source)
    programme = Programme.objects.select_for_update().filter(code=doc["programme"]["code"]).first()
    if programme is not None:
        if not publish and programme.versions.filter(status=S.DRAFT).exists():
            raise ValidationError({"programme.code": [ValidationError(
                _("This programme already has a draft; edit or retire it."), code="draft_exists")]})  # fmt: skip
        if publish:
            _check_effective(programme, date.fromisoformat(doc["version"]["effective_from"]))
    number = _next_number(programme) if programme else 1
    version = yaml_io.build(doc, programme=programme, number=number, status=S.PUBLISHED if publish else S.DRAFT,
                            created_by=actor)  # fmt: skip
    if publish:
        version.published_at, version.published_by = timezone.now(), actor
        version.save(update_fields=["published_at", "published_by"])
    audit.record(actor=actor, action="programme.imported", obj=version, after=_state(version, doc), reason=source)
    return version


def load_demo_programmes() -> list[ProgrammeVersion]:
    """The three programmes of the source documents; a programme already there is left alone."""
    loaded = []
    for name in DEMO_FILES:
        path = DEFINITIONS / name
        text = path.read_text(encoding="utf-8").rstrip("\n") + "\n" + DEMO_REWARDS.get(name, "")
        doc = _parse(text, name)
        if not Programme.objects.filter(code=doc["programme"]["code"]).exists():
            loaded.append(import_programme(actor=None, text=text, source=name))
    return loaded


# ---------------------------------------------------------------------------- drafts


def base_version(programme: Programme) -> ProgrammeVersion | None:
    """What a new draft copies: the latest published version (the one in force, or the one scheduled
    to follow it, which the draft would otherwise undo), else the latest version of any status."""
    published = programme.versions.filter(status=S.PUBLISHED).order_by("-effective_from", "-number").first()
    return published or programme.versions.order_by("-number").first()


@transaction.atomic
def create_draft_from_published(*, actor: User, programme: Programme) -> ProgrammeVersion:
    """A draft copy of the published version to edit; a programme has at most one draft."""
    require_manager(actor)
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    if programme.versions.filter(status=S.DRAFT).exists():
        raise Conflict(_("This programme already has a draft."), code="draft_exists")
    base = base_version(programme)
    if base is None:
        raise Http404
    doc = yaml_io.document(base)
    doc["version"]["effective_from"] = max(timezone.localdate(), base.effective_from).isoformat()
    version = yaml_io.build(doc, programme=programme, number=_next_number(programme), status=S.DRAFT,
                            created_by=actor)  # fmt: skip
    audit.record(actor=actor, action="programme.draft_created", obj=version, after=_state(version, doc),
                 reason=_("from version %(n)s") % {"n": base.number})  # fmt: skip
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
        raise ValidationError({"programme.code": [ValidationError(_("The code of a programme cannot change."),
                                                                  code="code_changed")]})  # fmt: skip
    before = _state(v, v.document)
    yaml_io.build(doc, programme=v.programme, number=v.number, status=S.DRAFT, into=v)
    audit.record(actor=actor, action="programme.draft_edited", obj=v, before=before, after=_state(v, doc),
                 reason=source)  # fmt: skip
    return v


def _edit(
    *,
    actor: User,
    version: ProgrammeVersion,
    change: Callable[[dict], Any],
    what: str,
    rename: Callable[[str], str] | None = None,
) -> ProgrammeVersion:
    """Apply ``change`` to a draft's document, validate the whole document, rewrite the draft.

    ``change`` returns a function that picks the changed part out of a document (audited
    before and after). ``rename`` turns the validator's key paths under the edited entry into
    the caller's field names, so a form or an API client sees its own fields.
    """
    require_manager(actor)
    v = _locked_draft(version)
    old = yaml_io.document(v)
    doc = copy.deepcopy(old)
    pick = change(doc)
    checked, errors = yaml_io.validate(doc, source=f"{v.programme.code} v{v.number}")
    if errors:
        _raise(errors, rename)
    yaml_io.build(checked, programme=v.programme, number=v.number, status=S.DRAFT, into=v)
    audit.record(actor=actor, action="programme.draft_edited", obj=v, before=_safe_pick(pick, old),
                 after=_safe_pick(pick, checked), reason=what)  # fmt: skip
    return v


def _safe_pick(pick, doc: dict) -> dict | None:
    part = pick(doc)
    return None if part is None else {"part": part}


def _prefixed(prefix: str, to: str = "") -> Callable[[str], str]:
    """Key paths under ``prefix`` (an entry being edited) become ``to`` + the rest: its field names."""

    def rename(path: str) -> str:
        if path == prefix:
            return to or "__all__"
        if path.startswith(prefix + ".") or path.startswith(prefix + "["):
            rest = path[len(prefix) :]
            return (to + rest) if to else rest.lstrip(".")
        return path

    return rename


def _tier_index(doc: dict, code: str) -> int:
    for i, t in enumerate(doc["tiers"]):
        if t["code"] == code:
            return i
    raise Http404


def _entry_index(entries: list[dict], code: str) -> int:
    for i, e in enumerate(entries):
        if e.get("code") == code:
            return i
    raise Http404


# Version settings: ProgrammeVersion field -> (document block, key).
SETTINGS: dict[str, tuple[str, str]] = {
    **{key: ("version", key) for key in yaml_io.VERSION},
    **{k.field: (block, key) for block, spec in yaml_io.BLOCKS for key, k in spec.items() if k.field},
}


@transaction.atomic
def update_settings(*, actor: User, version: ProgrammeVersion, **changes) -> ProgrammeVersion:
    """Change a draft's version settings and deal, lead and referral rules (ProgrammeVersion field names)."""
    unknown = set(changes) - set(SETTINGS)
    if unknown:
        raise ValidationError({name: [ValidationError(_("Unknown setting."), code="unknown")] for name in unknown})
    back = {f"{block}.{key}": name for name, (block, key) in SETTINGS.items()}

    def change(doc: dict):
        for name, value in changes.items():
            block, key = SETTINGS[name]
            doc[block][key] = value.isoformat() if isinstance(value, date) else _plain(value)
        return lambda d: {name: d[SETTINGS[name][0]][SETTINGS[name][1]] for name in changes}

    return _edit(actor=actor, version=version, change=change, what=_("settings changed"),
                 rename=lambda p: back.get(p, p))  # fmt: skip


def _plain(value: Any) -> Any:
    """Decimals from forms and schemas become the document's strings."""
    return str(value) if isinstance(value, Decimal) else value


def _find(entries: list, *codes: str) -> dict | None:
    return next((e for e in entries if e and e.get("code") in codes), None)


def _tier_part(doc: dict, *codes: str) -> dict | None:
    """A tier without its lists, with its rank: what a tier edit changes."""
    for n, t in enumerate(doc["tiers"], start=1):
        if t and t.get("code") in codes:
            return {
                "rank": n,
                "code": t["code"],
                "name": t["name"],
                "name_en": t.get("name_en") or "",
                "description": t["description"],
            }
    return None


@transaction.atomic
def add_tier(
    *,
    actor: User,
    version: ProgrammeVersion,
    code: str,
    name: str,
    name_en: str = "",
    description: str = "",
    rank: int | None = None,
) -> ProgrammeVersion:
    """A new tier at ``rank`` (1 = entry tier; default: above all others), without requirements yet."""
    where: list[int] = []

    def change(doc: dict):
        at = len(doc["tiers"]) if rank is None else min(max(rank, 1) - 1, len(doc["tiers"]))
        doc["tiers"].insert(at, {"code": code, "name": name, "name_en": name_en, "description": description,
                                 "requirements": [],
                                 "benefits": [], "reward_rates": []})  # fmt: skip
        where.append(at)
        return lambda d: _tier_part(d, code)

    return _edit(actor=actor, version=version, change=change, what=_("tier %(code)s added") % {"code": code},
                 rename=lambda p: _prefixed(f"tiers[{where[0]}]")(p) if where else p)  # fmt: skip


@transaction.atomic
def update_tier(*, actor: User, version: ProgrammeVersion, tier_code: str, **changes) -> ProgrammeVersion:
    """Change a tier's code, name (``name_en`` in English) or description, or move it to another ``rank``
    (1 = entry tier)."""
    unknown = set(changes) - {"code", "name", "name_en", "description", "rank"}
    if unknown:
        raise ValidationError({k: [ValidationError(_("Unknown field."), code="unknown")] for k in unknown})
    where: list[int] = []

    def change(doc: dict):
        i = _tier_index(doc, tier_code)
        tier = doc["tiers"][i]
        tier.update({k: v for k, v in changes.items() if k != "rank"})
        for rule in doc["rewards"]["overrides"]:  # a renamed tier keeps its network override rules
            if isinstance(rule, dict) and rule.get("tier") == tier_code:
                rule["tier"] = tier["code"]
        if changes.get("rank"):
            doc["tiers"].pop(i)
            i = min(max(changes["rank"], 1) - 1, len(doc["tiers"]))
            doc["tiers"].insert(i, tier)
        where.append(i)
        new_code = tier["code"]
        return lambda d: _tier_part(d, tier_code, new_code)

    return _edit(actor=actor, version=version, change=change, what=_("tier %(code)s changed") % {"code": tier_code},
                 rename=lambda p: _prefixed(f"tiers[{where[0]}]")(p) if where else p)  # fmt: skip


@transaction.atomic
def remove_tier(*, actor: User, version: ProgrammeVersion, tier_code: str) -> ProgrammeVersion:
    def change(doc: dict):
        doc["tiers"].pop(_tier_index(doc, tier_code))
        rules = doc["rewards"]["overrides"]  # its network override rules go with it, as its rates and requirements do
        doc["rewards"]["overrides"] = [r for r in rules if not (isinstance(r, dict) and r.get("tier") == tier_code)]
        return lambda d: _find(d["tiers"], tier_code)

    return _edit(actor=actor, version=version, change=change, what=_("tier %(code)s removed") % {"code": tier_code})


METRIC_ONLY = set(yaml_io.METRIC_REQ) - set(yaml_io.OBLIGATION_REQ)
OBLIGATION_ONLY = set(yaml_io.OBLIGATION_REQ) - set(yaml_io.METRIC_REQ)


def _clean(values: dict) -> dict:
    """Form and schema values as the document holds them: Decimals as strings, empty as absent."""
    return {k: (None if v == "" and k != "label" else _plain(v)) for k, v in values.items()}


def _build_requirement(old: dict | None, changes: dict) -> dict:
    """The requirement after ``changes``; naming a metric or an obligation switches its kind."""
    changes = _clean(changes)
    merged = {**(old or {}), **changes}
    if changes.get("metric") and changes.get("obligation"):
        return merged  # the validator says a requirement is one or the other
    if changes.get("metric"):
        kind = "metric"
    elif changes.get("obligation"):
        kind = "obligation"
    else:
        kind = "metric" if (old or {}).get("metric") else "obligation" if (old or {}).get("obligation") else ""
    drop = OBLIGATION_ONLY if kind == "metric" else METRIC_ONLY if kind == "obligation" else set()
    return {k: v for k, v in merged.items() if k not in drop and not (k in ("metric", "obligation") and v is None)}


def _build_benefit(old: dict | None, changes: dict) -> dict:
    return {**(old or {}), **_clean(changes)}


def _entry_edit(
    *, actor, version, tier_code: str, list_key: str, code: str | None, changes: dict | None, what: str, build_entry
) -> ProgrammeVersion:
    """Add (code None), change (code and changes) or remove (changes None) a requirement or benefit of a tier."""
    where: list[str] = []

    def change(doc: dict):
        i = _tier_index(doc, tier_code)
        entries = doc["tiers"][i][list_key]
        if code is None:
            entries.append(build_entry(None, changes))
            j = len(entries) - 1
        else:
            j = _entry_index(entries, code)
            if changes is None:
                entries.pop(j)
                return lambda d: _find(d["tiers"][i][list_key], code)
            entries[j] = build_entry(entries[j], changes)
        where.append(f"tiers[{i}].{list_key}[{j}]")
        codes = {c for c in (code, entries[j].get("code")) if c}
        return lambda d: _find(d["tiers"][i][list_key], *codes)

    return _edit(actor=actor, version=version, change=change, what=what,
                 rename=lambda p: _prefixed(where[0])(p) if where else p)  # fmt: skip


@transaction.atomic
def add_requirement(*, actor: User, version: ProgrammeVersion, tier_code: str, **entry) -> ProgrammeVersion:
    """A metric requirement (code, metric, threshold, currency, period, product_family, certification,
    label) or an obligation (code, obligation, checked_by, condition, optional, label)."""
    what = _("requirement %(code)s added to %(tier)s") % {"code": entry.get("code"), "tier": tier_code}
    return _entry_edit(actor=actor, version=version, tier_code=tier_code, list_key="requirements", code=None,
                       changes=entry, what=what, build_entry=_build_requirement)  # fmt: skip


@transaction.atomic
def update_requirement(
    *, actor: User, version: ProgrammeVersion, tier_code: str, requirement_code: str, **changes
) -> ProgrammeVersion:
    """Change some keys of a requirement (``code`` renames it); ``metric`` or ``obligation`` switches its kind."""
    what = _("requirement %(code)s of %(tier)s changed") % {"code": requirement_code, "tier": tier_code}
    return _entry_edit(actor=actor, version=version, tier_code=tier_code, list_key="requirements",
                       code=requirement_code,
                       changes=changes, what=what, build_entry=_build_requirement)  # fmt: skip


@transaction.atomic
def remove_requirement(
    *, actor: User, version: ProgrammeVersion, tier_code: str, requirement_code: str
) -> ProgrammeVersion:
    what = _("requirement %(code)s of %(tier)s removed") % {"code": requirement_code, "tier": tier_code}
    return _entry_edit(actor=actor, version=version, tier_code=tier_code, list_key="requirements",
                       code=requirement_code,
                       changes=None, what=what, build_entry=_build_requirement)  # fmt: skip


@transaction.atomic
def add_benefit(*, actor: User, version: ProgrammeVersion, tier_code: str, **entry) -> ProgrammeVersion:
    """A benefit: code, kind and the parameters its kind uses (percent, count, user_cap, days, hours,
    term_days), on_request, label."""
    what = _("benefit %(code)s added to %(tier)s") % {"code": entry.get("code"), "tier": tier_code}
    return _entry_edit(actor=actor, version=version, tier_code=tier_code, list_key="benefits", code=None,
                       changes=entry, what=what, build_entry=_build_benefit)  # fmt: skip


@transaction.atomic
def update_benefit(
    *, actor: User, version: ProgrammeVersion, tier_code: str, benefit_code: str, **changes
) -> ProgrammeVersion:
    """Change some keys of a benefit (``code`` renames it)."""
    what = _("benefit %(code)s of %(tier)s changed") % {"code": benefit_code, "tier": tier_code}
    return _entry_edit(actor=actor, version=version, tier_code=tier_code, list_key="benefits", code=benefit_code,
                       changes=changes, what=what, build_entry=_build_benefit)  # fmt: skip


@transaction.atomic
def remove_benefit(*, actor: User, version: ProgrammeVersion, tier_code: str, benefit_code: str) -> ProgrammeVersion:
    what = _("benefit %(code)s of %(tier)s removed") % {"code": benefit_code, "tier": tier_code}
    return _entry_edit(actor=actor, version=version, tier_code=tier_code, list_key="benefits", code=benefit_code,
                       changes=None, what=what, build_entry=_build_benefit)  # fmt: skip


@transaction.atomic
def set_reward_rates(*, actor: User, version: ProgrammeVersion, tier_code: str, rates: list[dict]) -> ProgrammeVersion:
    """Replace a tier's reward-rate table: ``[{product_family, sale_type, percent}]``; a pair left out has no rate."""
    where: list[int] = []

    def change(doc: dict):
        i = _tier_index(doc, tier_code)
        doc["tiers"][i]["reward_rates"] = [{k: _plain(v) for k, v in r.items()} for r in rates]
        where.append(i)
        return lambda d: d["tiers"][_tier_index(d, tier_code)]["reward_rates"]

    return _edit(actor=actor, version=version, change=change,
                 what=_("reward rates of %(tier)s changed") % {"tier": tier_code},
                 rename=lambda p: _prefixed(f"tiers[{where[0]}].reward_rates", "rates")(p) if where else p)  # fmt: skip


@transaction.atomic
def set_network_overrides(*, actor: User, version: ProgrammeVersion, overrides: list[dict]) -> ProgrammeVersion:
    """Replace a draft's network override rules (YAML ``rewards.overrides``): ``[{kind, family, tier, percent}]``,
    ``kind`` distributor or recruiter, a product family code and/or a tier code (None or empty: any); an empty
    list leaves only the flat ``*_override_percent``. Errors come back as ``overrides[i].<key>``."""

    def change(doc: dict):
        doc["rewards"]["overrides"] = [_clean(o) if isinstance(o, dict) else o for o in overrides]
        return lambda d: d["rewards"]["overrides"]

    return _edit(actor=actor, version=version, change=change, what=_("network overrides changed"),
                 rename=_prefixed("rewards.overrides", "overrides"))  # fmt: skip


# ---------------------------------------------------------------------------- publishing


@transaction.atomic
def publish(*, actor: User, version: ProgrammeVersion, effective_from: date | None = None) -> ProgrammeVersion:
    """Freeze a draft, in force from ``effective_from`` (default: the draft's date), after checking it
    again with the file validator (product families or the programme may have changed meanwhile)."""
    require_manager(actor)
    v = _locked_draft(version)
    effective_from = effective_from or v.effective_from
    doc = yaml_io.document(v)
    doc["version"]["effective_from"] = effective_from.isoformat()
    checked, errors = yaml_io.validate(doc, source=f"{v.programme.code} v{v.number}")
    if errors:
        _raise(errors)
    _check_effective(v.programme, effective_from, version=v)
    before = _state(v)
    v.status, v.effective_from = S.PUBLISHED, effective_from
    v.published_at, v.published_by = timezone.now(), actor
    v.document = checked
    v.save()
    audit.record(actor=actor, action="programme.published", obj=v, before=before, after=_state(v))
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
    before = _state(v)
    v.status = S.RETIRED
    v.save(update_fields=["status"])
    audit.record(actor=actor, action="programme.retired", obj=v, before=before, after=_state(v), reason=reason)
    return v
