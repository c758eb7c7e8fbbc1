"""A whole programme version as YAML: schema v1, its validator, loader and exporter.

``parse`` validates a document completely and returns the normalised document (every
default filled in, amounts and percents as two-decimal strings) or every error found, each
naming the file, the key path and the reason. ``build`` writes a normalised document as one
programme version; callers run it inside their transaction, so an error loads nothing.
``export`` produces the same normalised document from the database, so a file survives a
round trip. The schema is documented in docs/programme-schema.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

from partnerhub.core.money import CURRENCIES

from .models import Benefit, ProductFamily, Programme, ProgrammeRole, ProgrammeVersion, Requirement, RewardRate, Tier

SCHEMA_VERSION = 1
CENT = Decimal("0.01")


@dataclass(frozen=True)
class YamlError:
    source: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}: {self.path or '(document)'}: {self.message}"


# (type, default); a default of REQUIRED marks a key that must be given.
REQUIRED = object()
PERIODS = [c for c, _ in ProgrammeVersion.Period.choices]

TOP = {
    "schema_version": ("int", REQUIRED),
    "programme": ("map", REQUIRED),
    "version": ("map", REQUIRED),
    "deal_registration": ("map", None),
    "leads": ("map", None),
    "referrals": ("map", None),
    "product_families": ("list", None),
    "roles": ("list", REQUIRED),
    "tiers": ("list", REQUIRED),
}
PROGRAMME = {"code": ("slug", REQUIRED), "name": ("str", REQUIRED)}
VERSION = {
    "effective_from": ("date", REQUIRED),
    "name": ("str", None),
    "description": ("text", ""),
    "currency": ("currency", "RUB"),
    "evaluation_period": (("enum", PERIODS), "rolling_12_months"),
    "downgrade_grace_days": ("int", 30),
    "terms": ("text", ""),
}
# YAML key -> (type, default, ProgrammeVersion field)
DEALS = {
    "protection_days": ("int", 180, "deal_protection_days"),
    "approval_hours": ("int", 24, "deal_approval_hours"),
    "inactivity_days": ("int", 90, "deal_inactivity_days"),
    "lapse_automatic": ("bool", False, "deal_lapse_automatic"),
    "warning_days": ("int", 14, "deal_warning_days"),
    "extension_days": ("int", 30, "deal_extension_days"),
    "uplift_percent": ("percent", "0.00", "deal_uplift_percent"),
    "second_partner_percent": ("percent?", None, "deal_second_partner_percent"),
    "burst_limit": ("int", 20, "deal_burst_limit"),
}
LEADS = {"accept_hours": ("int", 48, "lead_accept_hours")}
REFERRALS = {
    "window_days": ("int", 90, "referral_window_days"),
    "attribution": (("enum", ["last_click", "first_click", "bind_once"]), "last_click", "referral_attribution"),
    "reward_percent": ("percent", "10.00", "referral_reward_percent"),
}
FAMILY = {"code": ("slug", REQUIRED), "name": ("str", REQUIRED), "name_en": ("str", "")}
ROLE = {
    "code": ("slug", REQUIRED),
    "name": ("str", REQUIRED),
    "kind": (("enum", [c for c, _ in ProgrammeRole.Kind.choices]), REQUIRED),
    "has_tiers": ("bool", True),
    "description": ("text", ""),
}
TIER = {
    "code": ("slug", REQUIRED),
    "name": ("str", REQUIRED),
    "description": ("text", ""),
    "requirements": ("list", None),
    "benefits": ("list", None),
    "reward_rates": ("list", None),
}
METRIC_REQ = {
    "code": ("slug", REQUIRED),
    "metric": (("enum", [c for c, _ in Requirement.Metric.choices]), REQUIRED),
    "threshold": ("amount", REQUIRED),
    "currency": ("currency?", None),
    "period": (("enum?", PERIODS), None),
    "product_family": ("slug?", None),
    "certification": ("slug?", None),
    "label": ("str", ""),
}
OBLIGATION_REQ = {
    "code": ("slug", REQUIRED),
    "obligation": (("enum", [c for c, _ in Requirement.Obligation.choices]), REQUIRED),
    "checked_by": (("enum", [c for c, _ in Requirement.CheckedBy.choices]), "manager"),
    "condition": (("enum", [c for c, _ in Requirement.Condition.choices]), "always"),
    "optional": ("bool", False),
    "label": ("str", ""),
}
BENEFIT = {
    "code": ("slug", REQUIRED),
    "kind": (("enum", [c for c, _ in Benefit.Kind.choices]), REQUIRED),
    "label": ("str", ""),
    "percent": ("percent?", None),
    "count": ("int?", None),
    "user_cap": ("int?", None),
    "days": ("int?", None),
    "hours": ("int?", None),
    "term_days": ("int?", None),
    "on_request": ("bool", False),
}
RATE = {
    "product_family": ("slug", REQUIRED),
    "sale_type": (("enum", [c for c, _ in RewardRate.SaleType.choices]), REQUIRED),
    "percent": ("percent", REQUIRED),
}


class _Checker:
    def __init__(self, source: str) -> None:
        self.source = source
        self.errors: list[YamlError] = []

    def err(self, path: str, message: str) -> None:
        self.errors.append(YamlError(self.source, path, message))

    def value(self, raw: Any, kind, path: str) -> Any:
        optional = False
        if isinstance(kind, tuple):
            name, choices = kind
            optional = name.endswith("?")
            if raw is None and optional:
                return None
            if not isinstance(raw, str) or raw not in choices:
                self.err(path, f"must be one of {', '.join(choices)} (got {raw!r})")
                return None
            return raw
        if kind.endswith("?"):
            if raw is None:
                return None
            kind = kind[:-1]
        if kind in ("str", "text"):
            if not isinstance(raw, str):
                self.err(path, "must be text")
                return None
            return raw.strip()
        if kind == "slug":
            if (
                not isinstance(raw, str)
                or not raw
                or not all(c.isalnum() or c in "-_" for c in raw)
                or not raw.isascii()
            ):
                self.err(path, f"must be a code of Latin letters, digits, - and _ (got {raw!r})")
                return None
            return raw
        if kind == "int":
            if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
                self.err(path, f"must be a whole number, 0 or more (got {raw!r})")
                return None
            return raw
        if kind == "bool":
            if not isinstance(raw, bool):
                self.err(path, f"must be true or false (got {raw!r})")
                return None
            return raw
        if kind == "date":
            if not isinstance(raw, date):
                self.err(path, f"must be a date as YYYY-MM-DD (got {raw!r})")
                return None
            return raw.isoformat()
        if kind == "currency":
            if raw not in CURRENCIES:
                self.err(path, f"unknown currency {raw!r}; use one of {', '.join(CURRENCIES)}")
                return None
            return raw
        if kind in ("amount", "percent"):
            if isinstance(raw, bool) or not isinstance(raw, int | float | str | Decimal):
                self.err(path, f"must be a number (got {raw!r})")
                return None
            try:
                d = Decimal(str(raw))
            except InvalidOperation:
                self.err(path, f"must be a number (got {raw!r})")
                return None
            if not d.is_finite() or d < 0:
                self.err(path, f"must not be negative (got {raw!r})")
                return None
            if kind == "percent" and d > 100:
                self.err(path, f"a percent cannot exceed 100 (got {raw!r})")
                return None
            return str(d.quantize(CENT))
        raise AssertionError(kind)

    def mapping(self, raw: Any, spec: dict, path: str) -> dict | None:
        if not isinstance(raw, dict):
            self.err(path, "must be a mapping of keys to values")
            return None
        out = {}
        for key in raw:
            if key not in spec:
                self.err(_join(path, str(key)), f"unknown key; expected one of {', '.join(spec)}")
        for key, (kind, default, *_rest) in spec.items():
            p = _join(path, key)
            if key not in raw or (raw[key] is None and default is not REQUIRED and kind not in ("map", "list")):
                if default is REQUIRED:
                    self.err(p, "is required")
                out[key] = None if default is REQUIRED else default
                continue
            if kind in ("map", "list"):
                out[key] = raw[key]
            else:
                out[key] = self.value(raw[key], kind, p)
        return out

    def items(self, raw: Any, path: str) -> list:
        if raw is None:
            return []
        if not isinstance(raw, list):
            self.err(path, "must be a list")
            return []
        return raw


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _unique(chk: _Checker, entries: list[dict | None], path: str, key: str = "code") -> None:
    seen: set = set()
    for i, e in enumerate(entries):
        if e and e.get(key) is not None:
            if e[key] in seen:
                chk.err(f"{path}[{i}].{key}", f"duplicate {key} {e[key]!r}")
            seen.add(e[key])


def parse(text: str, *, source: str = "<text>") -> tuple[dict | None, list[YamlError]]:
    """Validate a YAML programme; the normalised document, or None and every error."""
    chk = _Checker(source)
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        chk.err("", f"not valid YAML {where}: {getattr(exc, 'problem', exc)}".strip())
        return None, chk.errors
    doc = chk.mapping(raw, TOP, "")
    if doc is None:
        return None, chk.errors
    if doc["schema_version"] is not None and doc["schema_version"] != SCHEMA_VERSION:
        chk.err("schema_version", f"this Partnerhub reads schema version {SCHEMA_VERSION}")
    out: dict[str, Any] = {"schema_version": SCHEMA_VERSION}
    out["programme"] = chk.mapping(doc["programme"], PROGRAMME, "programme") if doc["programme"] else None
    out["version"] = chk.mapping(doc["version"], VERSION, "version") if doc["version"] else None
    for key, spec in (("deal_registration", DEALS), ("leads", LEADS), ("referrals", REFERRALS)):
        out[key] = chk.mapping(doc[key] if doc[key] is not None else {}, spec, key)
    families = [chk.mapping(f, FAMILY, f"product_families[{i}]")
                for i, f in enumerate(chk.items(doc["product_families"], "product_families"))]  # fmt: skip
    _unique(chk, families, "product_families")
    out["product_families"] = families
    roles = [chk.mapping(r, ROLE, f"roles[{i}]") for i, r in enumerate(chk.items(doc["roles"], "roles"))]
    _unique(chk, roles, "roles")
    if doc["roles"] is not None and not roles:
        chk.err("roles", "a programme needs at least one role")
    out["roles"] = roles
    tiers = []
    raw_tiers = chk.items(doc["tiers"], "tiers")
    tiered = any(r and r.get("has_tiers") for r in roles)
    if tiered and not raw_tiers:
        chk.err("tiers", "roles with tiers need at least one tier")
    for i, raw_tier in enumerate(raw_tiers):
        p = f"tiers[{i}]"
        t = chk.mapping(raw_tier, TIER, p)
        if t is None:
            continue
        reqs = []
        for j, r in enumerate(chk.items(t["requirements"], f"{p}.requirements")):
            rp = f"{p}.requirements[{j}]"
            if isinstance(r, dict) and "obligation" in r and "metric" not in r:
                reqs.append(chk.mapping(r, OBLIGATION_REQ, rp))
            elif isinstance(r, dict) and "metric" in r and "obligation" not in r:
                req = chk.mapping(r, METRIC_REQ, rp)
                reqs.append(req)
                if req and req["metric"] == "certified_staff" and not req["certification"]:
                    chk.err(f"{rp}.certification", "certified_staff needs the certification type code")
            else:
                chk.err(rp, "a requirement has either a metric (with a threshold) or an obligation")
        _unique(chk, reqs, f"{p}.requirements")
        benefits = [chk.mapping(b, BENEFIT, f"{p}.benefits[{j}]")
                    for j, b in enumerate(chk.items(t["benefits"], f"{p}.benefits"))]  # fmt: skip
        _unique(chk, benefits, f"{p}.benefits")
        rates = [chk.mapping(r, RATE, f"{p}.reward_rates[{j}]")
                 for j, r in enumerate(chk.items(t["reward_rates"], f"{p}.reward_rates"))]  # fmt: skip
        seen = set()
        for j, r in enumerate(rates):
            if r and (r["product_family"], r["sale_type"]) in seen:
                chk.err(f"{p}.reward_rates[{j}]", f"a second rate for {r['product_family']} / {r['sale_type']}")
            if r:
                seen.add((r["product_family"], r["sale_type"]))
        t.update(requirements=reqs, benefits=benefits, reward_rates=rates)
        tiers.append(t)
    _unique(chk, tiers, "tiers")
    out["tiers"] = tiers
    if out["version"] and out["version"].get("name") is None and out["programme"]:
        out["version"]["name"] = out["programme"].get("name")
    _check_families(chk, out)
    _check_order(chk, out)
    if chk.errors:
        return None, chk.errors
    return out, []


def _check_families(chk: _Checker, doc: dict) -> None:
    declared = {f["code"] for f in doc["product_families"] if f}
    known = declared | set(ProductFamily.objects.values_list("code", flat=True))
    currency = (doc.get("version") or {}).get("currency") or "RUB"
    for i, t in enumerate(doc["tiers"]):
        for j, r in enumerate(t["requirements"]):
            if r and r.get("product_family") and r["product_family"] not in known:
                chk.err(
                    f"tiers[{i}].requirements[{j}].product_family", f"unknown product family {r['product_family']!r}"
                )
            if r and r.get("metric") == "sales_volume" and not r.get("currency"):
                r["currency"] = currency
        for j, r in enumerate(t["reward_rates"]):
            if r and r["product_family"] not in known:
                chk.err(
                    f"tiers[{i}].reward_rates[{j}].product_family", f"unknown product family {r['product_family']!r}"
                )


def _check_order(chk: _Checker, doc: dict) -> None:
    """A higher tier may not ask for less, or pay less, than a lower one; a tier asks for a measure once."""
    need: dict[tuple, tuple[int, Decimal]] = {}  # measure -> (tier, the most a lower tier asks)
    pay: dict[tuple, tuple[int, Decimal]] = {}
    for i, t in enumerate(doc["tiers"]):
        asked: dict[tuple, tuple[str, Decimal]] = {}
        for j, r in enumerate(t["requirements"]):
            if not r or not r.get("metric") or r.get("threshold") is None:
                continue
            key = (r["metric"], r.get("period"), r.get("currency"), r.get("product_family"), r.get("certification"))
            value = Decimal(r["threshold"])
            path = f"tiers[{i}].requirements[{j}].threshold"
            if key in asked:
                chk.err(path, f"this tier already asks for the same measure in requirement {asked[key][0]!r}")
                continue
            asked[key] = (r["code"], value)
            if key in need and value < need[key][1]:
                lower = doc["tiers"][need[key][0]]["code"]
                chk.err(path, f"{value} is lower than {need[key][1]} asked by the lower tier {lower!r}")
        for key, (_code, value) in asked.items():
            if key not in need or value >= need[key][1]:
                need[key] = (i, value)
        for j, r in enumerate(t["reward_rates"]):
            if not r or r.get("percent") is None:
                continue
            key = (r["product_family"], r["sale_type"])
            value = Decimal(r["percent"])
            if key in pay and value < pay[key][1]:
                lower = doc["tiers"][pay[key][0]]["code"]
                chk.err(f"tiers[{i}].reward_rates[{j}].percent",
                        f"{value}% is less than {pay[key][1]}% paid by the lower tier {lower!r}")  # fmt: skip
        for r in t["reward_rates"]:
            if r and r.get("percent") is not None:
                key, value = (r["product_family"], r["sale_type"]), Decimal(r["percent"])
                if key not in pay or value >= pay[key][1]:
                    pay[key] = (i, value)


# ---------------------------------------------------------------------------- database


def build(doc: dict, *, programme: Programme | None, number: int, status: str, created_by=None) -> ProgrammeVersion:
    """Write a normalised document as a programme version (inside the caller's transaction)."""
    from partnerhub.enablement.models import CertificationType

    p, v = doc["programme"], doc["version"]
    if programme is None:
        programme = Programme.objects.create(code=p["code"], name=p["name"])
    elif programme.name != p["name"]:
        programme.name = p["name"]
        programme.save(update_fields=["name"])
    for f in doc["product_families"]:
        ProductFamily.objects.get_or_create(code=f["code"], defaults={"name": f["name"], "name_en": f["name_en"]})
    blocks = (("deal_registration", DEALS), ("leads", LEADS), ("referrals", REFERRALS))
    fields = {field: doc[block][key] for block, spec in blocks for key, (_k, _d, field) in spec.items()}
    version = ProgrammeVersion.objects.create(
        programme=programme, number=number, status=status, effective_from=date.fromisoformat(v["effective_from"]),
        name=v["name"], description=v["description"], currency=v["currency"],
        evaluation_period=v["evaluation_period"], downgrade_grace_days=v["downgrade_grace_days"], terms=v["terms"],
        schema_version=SCHEMA_VERSION, document=doc, created_by=created_by, **fields,
    )  # fmt: skip
    ProgrammeRole.objects.bulk_create([ProgrammeRole(version=version, **r) for r in doc["roles"]])
    families = {f.code: f for f in ProductFamily.objects.all()}
    for rank, t in enumerate(doc["tiers"], start=1):
        tier = Tier.objects.create(version=version, code=t["code"], name=t["name"], rank=rank,
                                   description=t["description"])  # fmt: skip
        for r in t["requirements"]:
            if r.get("certification"):
                name = r["certification"].replace("-", " ").capitalize()
                CertificationType.objects.get_or_create(code=r["certification"], defaults={"name": name})
            Requirement.objects.create(
                tier=tier, code=r["code"], metric=r.get("metric") or "", obligation=r.get("obligation") or "",
                threshold=Decimal(r["threshold"]) if r.get("threshold") is not None else None,
                currency=r.get("currency") or "", period=r.get("period") or "",
                product_family=families.get(r.get("product_family") or ""), certification=r.get("certification") or "",
                checked_by=r.get("checked_by") or "", condition=r.get("condition") or "always",
                optional=bool(r.get("optional")), label=r.get("label") or "",
            )  # fmt: skip
        Benefit.objects.bulk_create([
            Benefit(tier=tier, **{**b, "percent": Decimal(b["percent"]) if b["percent"] is not None else None})
            for b in t["benefits"]
        ])  # fmt: skip
        RewardRate.objects.bulk_create([
            RewardRate(tier=tier, product_family=families[r["product_family"]], sale_type=r["sale_type"],
                       percent=Decimal(r["percent"]))
            for r in t["reward_rates"]
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
        for r in t.requirements.order_by("id"):
            if r.metric:
                fam = r.product_family.code if r.product_family_id else None
                if fam:
                    families_used.add(fam)
                reqs.append({"code": r.code, "metric": r.metric, "threshold": _pct(r.threshold),
                             "currency": r.currency or None, "period": r.period or None, "product_family": fam,
                             "certification": r.certification or None, "label": r.label})  # fmt: skip
            else:
                reqs.append({"code": r.code, "obligation": r.obligation, "checked_by": r.checked_by or "manager",
                             "condition": r.condition, "optional": r.optional, "label": r.label})  # fmt: skip
        benefits = [{"code": b.code, "kind": b.kind, "label": b.label, "percent": _pct(b.percent), "count": b.count,
                     "user_cap": b.user_cap, "days": b.days, "hours": b.hours, "term_days": b.term_days,
                     "on_request": b.on_request} for b in t.benefits.order_by("id")]  # fmt: skip
        rates = []
        for r in t.reward_rates.order_by("id"):
            families_used.add(r.product_family.code)
            rates.append(
                {"product_family": r.product_family.code, "sale_type": r.sale_type, "percent": _pct(r.percent)}
            )
        tiers.append({"code": t.code, "name": t.name, "description": t.description, "requirements": reqs,
                      "benefits": benefits, "reward_rates": rates})  # fmt: skip
    v = version
    return {
        "schema_version": SCHEMA_VERSION,
        "programme": {"code": v.programme.code, "name": v.programme.name},
        "version": {
            "effective_from": v.effective_from.isoformat(),
            "name": v.name,
            "description": v.description,
            "currency": v.currency,
            "evaluation_period": v.evaluation_period,
            "downgrade_grace_days": v.downgrade_grace_days,
            "terms": v.terms,
        },
        "deal_registration": {k: _field(v, f, kind) for k, (kind, _d, f) in DEALS.items()},
        "leads": {k: _field(v, f, kind) for k, (kind, _d, f) in LEADS.items()},
        "referrals": {k: _field(v, f, kind) for k, (kind, _d, f) in REFERRALS.items()},
        "product_families": [
            {"code": f.code, "name": f.name, "name_en": f.name_en}
            for f in ProductFamily.objects.filter(code__in=families_used).order_by("code")
        ],
        "roles": [
            {"code": r.code, "name": r.name, "kind": r.kind, "has_tiers": r.has_tiers, "description": r.description}
            for r in v.roles.order_by("id")
        ],
        "tiers": tiers,
    }


def _field(version: ProgrammeVersion, field: str, kind) -> Any:
    value = getattr(version, field)
    return _pct(value) if kind in ("percent", "percent?") else value


def _clean_for_yaml(value: Any) -> Any:
    """Drop empty optional keys so an exported file reads like a hand-written one."""
    if isinstance(value, dict):
        return {k: _clean_for_yaml(v) for k, v in value.items() if v not in (None, "", [])}
    if isinstance(value, list):
        return [_clean_for_yaml(v) for v in value]
    if isinstance(value, str) and value.replace(".", "", 1).isdigit() and "." in value:
        d = Decimal(value)
        return int(d) if d == d.to_integral_value() else float(value)
    return value


def export(version: ProgrammeVersion) -> str:
    doc = _clean_for_yaml(document(version))
    doc["version"]["effective_from"] = version.effective_from
    header = f"# Partnerhub programme, schema v{SCHEMA_VERSION}: {version.programme.code} version {version.number}\n"
    return header + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=110)
