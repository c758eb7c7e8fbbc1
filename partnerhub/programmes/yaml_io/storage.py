from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import yaml

from ..models import (
    Benefit,
    NetworkOverride,
    ProductFamily,
    Programme,
    ProgrammeRole,
    ProgrammeVersion,
    Requirement,
    RewardRate,
    Tier,
)
from .schema import AMOUNT_KEYS, BLOCKS, CENT, I18N_KEYS, SCHEMA_VERSION, K


def version_fields(doc: dict) -> dict[str, Any]:
    """The ProgrammeVersion fields a normalised document sets."""
    v = doc["version"]
    fields: dict[str, Any] = {
        "effective_from": date.fromisoformat(v["effective_from"]), "name": v["name"], "name_en": v.get("name_en") or "",
        "description": v["description"], "currency": v["currency"], "evaluation_period": v["evaluation_period"],
        "downgrade_grace_days": v["downgrade_grace_days"], "terms": v["terms"],
    }  # fmt: skip
    for block, spec in BLOCKS:
        for key, k in spec.items():
            if not k.field:  # a list of rows (rewards.overrides), written by build
                continue
            value = doc[block][key]
            fields[k.field] = Decimal(value) if k.kind == "percent" and value is not None else value
    return fields


def build(
    doc: dict,
    *,
    programme: Programme | None,
    number: int,
    status: str,
    created_by=None,
    into: ProgrammeVersion | None = None,
) -> ProgrammeVersion:
    """Write a normalised document as a programme version (inside the caller's transaction).

    ``into``: a draft to rewrite in place (same row, its roles and tiers replaced).
    """
    from partnerhub.enablement.models import CertificationType

    p = doc["programme"]
    names = {"name": p["name"], "name_en": p.get("name_en") or ""}
    if programme is None:
        programme = Programme.objects.create(code=p["code"], **names)
    elif (programme.name, programme.name_en) != (names["name"], names["name_en"]):
        programme.name, programme.name_en = names["name"], names["name_en"]
        programme.save(update_fields=["name", "name_en"])
    for f in doc["product_families"]:
        ProductFamily.objects.get_or_create(code=f["code"], defaults={"name": f["name"], "name_en": f["name_en"]})
    fields = version_fields(doc) | {"schema_version": SCHEMA_VERSION, "document": doc}
    if into is None:
        version = ProgrammeVersion.objects.create(programme=programme, number=number, status=status,
                                                  created_by=created_by, **fields)  # fmt: skip
    else:
        version = into
        version.roles.all().delete()
        version.tiers.all().delete()
        version.network_overrides.all().delete()
        for name, value in fields.items():
            setattr(version, name, value)
        version.save()
    ProgrammeRole.objects.bulk_create([ProgrammeRole(version=version, **{"name_en": "", **r}) for r in doc["roles"]])
    families = {f.code: f for f in ProductFamily.objects.all()}
    for rank, t in enumerate(doc["tiers"], start=1):
        tier = Tier.objects.create(version=version, code=t["code"], name=t["name"], name_en=t.get("name_en") or "",
                                   rank=rank, description=t["description"])  # fmt: skip
        for r in t["requirements"]:
            if r.get("certification"):
                name = r["certification"].replace("-", " ").replace("_", " ").capitalize()
                CertificationType.objects.get_or_create(code=r["certification"], defaults={"name": name})
            Requirement.objects.create(
                tier=tier, code=r["code"], metric=r.get("metric") or "", obligation=r.get("obligation") or "",
                threshold=Decimal(r["threshold"]) if r.get("threshold") is not None else None,
                currency=r.get("currency") or "", period=r.get("period") or "",
                product_family=families.get(r.get("product_family") or ""), certification=r.get("certification") or "",
                checked_by=r.get("checked_by") or "", condition=r.get("condition") or "always",
                optional=bool(r.get("optional")), label=r.get("label") or "", label_en=r.get("label_en") or "",
            )  # fmt: skip
        Benefit.objects.bulk_create([
            Benefit(tier=tier, **{"label_en": "", **b,
                                  "percent": Decimal(b["percent"]) if b["percent"] is not None else None})
            for b in t["benefits"]
        ])  # fmt: skip
        RewardRate.objects.bulk_create([
            RewardRate(tier=tier, product_family=families[r["product_family"]], sale_type=r["sale_type"],
                       percent=Decimal(r["percent"]))
            for r in t["reward_rates"]
        ])  # fmt: skip
    NetworkOverride.objects.bulk_create([
        NetworkOverride(version=version, kind=o["kind"], product_family=families.get(o["family"] or ""),
                        tier_code=o["tier"] or "", percent=Decimal(o["percent"]))
        for o in (doc.get("rewards") or {}).get("overrides") or []
    ])  # fmt: skip
    return version


def _pct(value) -> str | None:
    return None if value is None else str(Decimal(value).quantize(CENT))


def document(version: ProgrammeVersion) -> dict:
    """The normalised document of a version, read back from its rows."""
    families_used: set[str] = set()
    tiers = []
    for t in version.tiers.order_by("rank").prefetch_related("requirements__product_family", "benefits",
                                                              "reward_rates__product_family"):  # fmt: skip
        reqs = []
        for r in sorted(t.requirements.all(), key=lambda x: x.pk):
            if r.metric:
                fam = r.product_family.code if r.product_family_id else None
                if fam:
                    families_used.add(fam)
                reqs.append({"code": r.code, "metric": r.metric, "threshold": _pct(r.threshold),
                             "currency": r.currency or None, "period": r.period or None, "product_family": fam,
                             "certification": r.certification or None, "label": r.label,
                             "label_en": r.label_en})  # fmt: skip
            else:
                reqs.append({"code": r.code, "obligation": r.obligation, "checked_by": r.checked_by or "manager",
                             "condition": r.condition, "optional": r.optional, "label": r.label,
                             "label_en": r.label_en})  # fmt: skip
        benefits = [{"code": b.code, "kind": b.kind, "label": b.label, "label_en": b.label_en,
                     "percent": _pct(b.percent), "count": b.count,
                     "user_cap": b.user_cap, "days": b.days, "hours": b.hours, "term_days": b.term_days,
                     "on_request": b.on_request} for b in sorted(t.benefits.all(), key=lambda x: x.pk)]  # fmt: skip
        rates = []
        for r in sorted(t.reward_rates.all(), key=lambda x: x.pk):
            families_used.add(r.product_family.code)
            rates.append(
                {"product_family": r.product_family.code, "sale_type": r.sale_type, "percent": _pct(r.percent)}
            )
        tiers.append({"code": t.code, "name": t.name, "name_en": t.name_en, "description": t.description,
                      "requirements": reqs,
                      "benefits": benefits, "reward_rates": rates})  # fmt: skip
    v = version
    # Families as the version's file declared them (ProductFamily rows are shared and not renamed
    # by a file), then any other family its rows use, as they are in the database.
    declared = [f for f in (v.document or {}).get("product_families") or [] if isinstance(f, dict) and f.get("code")]
    known = {f["code"] for f in declared}
    used = ProductFamily.objects.filter(code__in=families_used - known).order_by("code")
    return {
        "schema_version": SCHEMA_VERSION,
        "programme": {"code": v.programme.code, "name": v.programme.name, "name_en": v.programme.name_en},
        "version": {
            "effective_from": v.effective_from.isoformat(),
            "name": v.name,
            "name_en": v.name_en,
            "description": v.description,
            "currency": v.currency,
            "evaluation_period": v.evaluation_period,
            "downgrade_grace_days": v.downgrade_grace_days,
            "terms": v.terms,
        },
        **{block: {key: _field(v, k) for key, k in spec.items()} for block, spec in BLOCKS},
        "product_families": [
            *({"code": f["code"], "name": f.get("name") or "", "name_en": f.get("name_en") or ""} for f in declared),
            *({"code": f.code, "name": f.name, "name_en": f.name_en} for f in used),
        ],
        "roles": [
            {
                "code": r.code,
                "name": r.name,
                "name_en": r.name_en,
                "kind": r.kind,
                "has_tiers": r.has_tiers,
                "description": r.description,
            }
            for r in v.roles.order_by("id")
        ],
        "tiers": tiers,
    }


def overrides_of(version: ProgrammeVersion) -> list[dict]:
    """The version's ``rewards.overrides`` as the file gives them."""
    return [{"kind": o.kind, "family": o.product_family.code if o.product_family_id else None,
             "tier": o.tier_code or None, "percent": _pct(o.percent)}
            for o in version.network_overrides.select_related("product_family").order_by("pk")]  # fmt: skip


def _field(version: ProgrammeVersion, k: K) -> Any:
    if not k.field:
        return overrides_of(version)
    value = getattr(version, k.field)
    return _pct(value) if k.kind == "percent" else value


def _clean_for_yaml(value: Any, key: str = "") -> Any:
    """Drop empty optional keys and write amounts as numbers, so an exported file reads like a hand-written one."""
    if isinstance(value, dict):
        value = _bilingual_for_yaml(value)
        return {k: _clean_for_yaml(v, k) for k, v in value.items() if v not in (None, "", [])}
    if isinstance(value, list):
        return [_clean_for_yaml(v) for v in value]
    if key in AMOUNT_KEYS and isinstance(value, str):
        d = Decimal(value)
        return int(d) if d == d.to_integral_value() else float(value)
    return value


def _bilingual_for_yaml(entry: dict) -> dict:
    """``name`` and ``name_en`` (``label``, ``label_en``) written as ``name: {ru: ..., en: ...}`` when there is an
    English text, else as the plain Russian string (``name_en`` dropped)."""
    out = dict(entry)
    for key in I18N_KEYS:
        if f"{key}_en" not in out:
            continue
        en = out.pop(f"{key}_en")
        if en and key in out:
            out[key] = {"ru": out[key] or "", "en": en}
    return out


def as_yaml(doc: dict, *, header: str = "") -> str:
    """A normalised document as YAML that ``parse`` reads back to the same document."""
    out = _clean_for_yaml(doc)
    out["version"]["effective_from"] = date.fromisoformat(doc["version"]["effective_from"])
    return header + yaml.safe_dump(out, allow_unicode=True, sort_keys=False, width=110)


def export(version: ProgrammeVersion) -> str:
    header = f"# Partnerhub programme, schema v{SCHEMA_VERSION}: {version.programme.code} version {version.number}\n"
    return as_yaml(document(version), header=header)
