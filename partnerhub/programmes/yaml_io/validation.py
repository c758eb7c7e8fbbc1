from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml
from django.utils.translation import gettext as _

from partnerhub.core.money import CURRENCIES
from partnerhub.core.workdays import supported_countries

from .. import measures
from ..models import ProductFamily
from .schema import (
    AMOUNT_MAX,
    BENEFIT,
    BENEFIT_PARAMETERS,
    BLOCKS,
    CENT,
    COUNTED,
    FAMILY,
    FAMILY_METRICS,
    INT_MAX,
    LEGACY_INACTIVITY_DAYS,
    MAX_NODES,
    METRIC_REQ,
    OBLIGATION_REQ,
    OVERRIDE,
    PARAMETERS,
    PROGRAMME,
    RATE,
    REQUIRED,
    ROLE,
    SCHEMA_VERSION,
    TIER,
    TOP,
    VERSION,
    K,
    YamlError,
)


class _Checker:
    def __init__(self, source: str) -> None:
        self.source = source
        self.errors: list[YamlError] = []

    def err(self, path: str, message: str) -> None:
        self.errors.append(YamlError(self.source, path, message))

    def value(self, raw: Any, k: K, path: str) -> Any:
        got = {"got": raw}
        kind = k.kind
        if kind == "enum":
            if not isinstance(raw, str) or raw not in k.choices:
                self.err(path, _("must be one of %(choices)s (got %(got)r)") % {"choices": ", ".join(k.choices),
                                                                                 "got": raw})  # fmt: skip
                return None
            return raw
        if kind == "i18n":
            kind = "str"
        if kind in ("str", "text"):
            if not isinstance(raw, str):
                self.err(path, _("must be text (got %(got)r)") % got)
                return None
            raw = raw.strip()
            if kind == "str" and "\n" in raw:
                self.err(path, _("must be a single line"))
                return None
            if k.max_length and len(raw) > k.max_length:
                self.err(path, _("must be at most %(n)d characters long") % {"n": k.max_length})
                return None
            return raw
        if kind == "slug":
            if not isinstance(raw, str) or not raw or not raw.isascii() or not all(c.isalnum() or c in "-_"
                                                                                   for c in raw):  # fmt: skip
                self.err(path, _("must be a code of Latin letters, digits, - and _ (got %(got)r)") % got)
                return None
            if k.max_length and len(raw) > k.max_length:
                self.err(path, _("must be at most %(n)d characters long") % {"n": k.max_length})
                return None
            return raw
        if kind == "int":
            if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
                self.err(path, _("must be a whole number, 0 or more (got %(got)r)") % got)
                return None
            if raw > (k.maximum or INT_MAX):
                self.err(path, _("must be at most %(n)d") % {"n": k.maximum or INT_MAX})
                return None
            return raw
        if kind == "bool":
            if not isinstance(raw, bool):
                self.err(path, _("must be true or false (got %(got)r)") % got)
                return None
            return raw
        if kind == "date":
            if isinstance(raw, str):
                try:
                    raw = date.fromisoformat(raw)
                except ValueError:
                    pass
            if not isinstance(raw, date):
                self.err(path, _("must be a date as YYYY-MM-DD (got %(got)r)") % got)
                return None
            return raw.isoformat()
        if kind == "currency":
            if not isinstance(raw, str) or raw not in CURRENCIES:
                msg = _("unknown currency %(got)r; use one of %(choices)s")
                self.err(path, msg % {"got": raw, "choices": ", ".join(CURRENCIES)})
                return None
            return raw
        if kind == "country":
            if not isinstance(raw, str) or raw.strip().upper() not in supported_countries():
                self.err(path, _("unknown country %(got)r: give the ISO 3166 code of a country whose working-day "
                                 "calendar is known, such as RU") % got)  # fmt: skip
                return None
            return raw.strip().upper()
        if kind in ("amount", "percent"):
            return self.number(raw, kind, path)
        raise AssertionError(kind)

    def number(self, raw: Any, kind: str, path: str) -> str | None:
        got = {"got": raw}
        if isinstance(raw, bool) or not isinstance(raw, int | float | str | Decimal):
            self.err(path, _("must be a number (got %(got)r)") % got)
            return None
        try:
            d = Decimal(str(raw).strip())
        except InvalidOperation:
            self.err(path, _("must be a number (got %(got)r)") % got)
            return None
        if not d.is_finite():
            self.err(path, _("must be a number (got %(got)r)") % got)
            return None
        if d < 0:
            self.err(path, _("must not be negative (got %(got)r)") % got)
            return None
        # Magnitude first: quantizing a number past the decimal context's precision raises.
        if kind == "percent" and d > 100:
            self.err(path, _("a percent cannot exceed 100 (got %(got)r)") % got)
            return None
        if d > AMOUNT_MAX:
            self.err(path, _("is too large (got %(got)r)") % got)
            return None
        if d != d.quantize(CENT):
            self.err(path, _("may have at most two decimal places (got %(got)r)") % got)
            return None
        return str(d.quantize(CENT))

    def mapping(self, raw: Any, spec: dict[str, K], path: str) -> dict | None:
        if not isinstance(raw, dict):
            self.err(path, _("must be a mapping of keys to values"))
            return None
        out: dict[str, Any] = {}
        for key in raw:
            if key not in spec:
                self.err(_join(path, str(key)), _("unknown key; expected one of %(keys)s") % {"keys": ", ".join(spec)})
        english: dict[str, str | None] = {}
        for key, k in spec.items():
            p = _join(path, key)
            raw_value = raw.get(key)
            if raw_value is None:
                if k.default is REQUIRED:
                    self.err(p, _("is required"))
                out[key] = None if k.default is REQUIRED or (k.nullable and key in raw) else k.default
            elif k.kind in ("map", "list"):
                out[key] = raw_value
            elif k.kind == "i18n" and isinstance(raw_value, dict):
                out[key], english[key] = self.bilingual(raw_value, k, p)
            else:
                out[key] = self.value(raw_value, k, p)
        for key, en in english.items():
            if raw.get(f"{key}_en") is not None:
                self.err(_join(path, f"{key}_en"), _("the English text is given twice: here and as %(key)s.en")
                         % {"key": key})  # fmt: skip
            else:
                out[f"{key}_en"] = en or ""
        return out

    def bilingual(self, raw: dict, k: K, path: str) -> tuple[str | None, str | None]:
        """``{ru: ..., en: ...}``: the Russian text (required where the key is) and the optional English one."""
        for key in raw:
            if key not in ("ru", "en"):
                self.err(_join(path, str(key)), _("unknown language; give ru (Russian) and optionally en (English)"))
        text = K("str", max_length=k.max_length)
        ru = self.value(raw["ru"], text, _join(path, "ru")) if raw.get("ru") is not None else None
        if ru is None and raw.get("ru") is None:
            if k.default is REQUIRED:
                self.err(_join(path, "ru"), _("is required"))
            else:
                ru = k.default
        en = self.value(raw["en"], text, _join(path, "en")) if raw.get("en") is not None else None
        return ru, en

    def items(self, raw: Any, path: str) -> list:
        if raw is None:
            return []
        if not isinstance(raw, list):
            self.err(path, _("must be a list"))
            return []
        return raw


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _unique(chk: _Checker, entries: list[dict | None], path: str, key: str = "code") -> None:
    """Entries keep their positions (None for an entry that was not a mapping), so paths stay right."""
    seen: set = set()
    for i, e in enumerate(entries):
        if e and e.get(key) is not None:
            if e[key] in seen:
                chk.err(f"{path}[{i}].{key}", _("duplicate %(key)s %(value)r") % {"key": key, "value": e[key]})
            seen.add(e[key])


def parse(text: str, *, source: str = "<text>") -> tuple[dict | None, list[YamlError]]:
    """Validate a YAML programme; the normalised document, or None and every error."""
    try:
        too_deep_at = _nesting_past(text, MAX_DEPTH)
        if too_deep_at:
            message = _("line %(line)d: nested more than %(n)d levels deep") % {"line": too_deep_at, "n": MAX_DEPTH}
            return None, [YamlError(source, "", message)]
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = ""
        if mark:
            where = _("line %(line)d, column %(column)d") % {"line": mark.line + 1, "column": mark.column + 1}
        problem = getattr(exc, "problem", None) or str(exc)
        message = _("not valid YAML %(where)s: %(problem)s") % {"where": where, "problem": problem}
        return None, [YamlError(source, "", message)]
    if _exceeds(raw, MAX_NODES):
        return None, [YamlError(source, "", _("the document is too large (more than %(n)d values, aliases expanded)")
                                % {"n": MAX_NODES})]  # fmt: skip
    return validate(raw, source=source)


MAX_DEPTH = 50  # levels of nesting; the schema needs 5. PyYAML builds nested nodes recursively


def _nesting_past(text: str, limit: int) -> int | None:
    """The line where the nesting first passes ``limit`` levels, or None: read from the parser's event
    stream, which is not recursive, before the loader would recurse (RecursionError) through it."""
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > limit:
                return event.start_mark.line + 1
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
    return None


def _exceeds(raw: Any, limit: int) -> bool:
    """Whether a loaded document has more than ``limit`` values, counting aliased parts each time they
    appear (as validation walks them): a few lines of nested aliases can otherwise expand enormously."""
    stack, seen = [raw], 0
    while stack:
        node = stack.pop()
        seen += 1
        if seen > limit:
            return True
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return False


def validate(raw: Any, *, source: str = "<document>") -> tuple[dict | None, list[YamlError]]:
    """Validate a loaded document (as from ``yaml.safe_load`` or ``document``); see ``parse``."""
    chk = _Checker(source)
    doc = chk.mapping(raw, TOP, "")
    if doc is None:
        return None, chk.errors
    if doc["schema_version"] is not None and doc["schema_version"] != SCHEMA_VERSION:
        chk.err("schema_version", _("this Partnerhub reads schema version %(n)d") % {"n": SCHEMA_VERSION})
    out: dict[str, Any] = {"schema_version": SCHEMA_VERSION}
    out["programme"] = chk.mapping(doc["programme"], PROGRAMME, "programme") if doc["programme"] is not None else None
    out["version"] = chk.mapping(doc["version"], VERSION, "version") if doc["version"] is not None else None
    for key, spec in BLOCKS:
        block = doc[key] if doc[key] is not None else {}
        if key == "deal_registration":
            block = _legacy_inactivity_days(chk, block)
        out[key] = chk.mapping(block, spec, key)
    if out["rewards"] is not None:
        out["rewards"]["overrides"] = _overrides(chk, out["rewards"]["overrides"])
    families = [chk.mapping(f, FAMILY, f"product_families[{i}]")
                for i, f in enumerate(chk.items(doc["product_families"], "product_families"))]  # fmt: skip
    _unique(chk, families, "product_families")
    out["product_families"] = families
    roles = [chk.mapping(r, ROLE, f"roles[{i}]") for i, r in enumerate(chk.items(doc["roles"], "roles"))]
    _unique(chk, roles, "roles")
    if doc["roles"] is not None and isinstance(doc["roles"], list) and not roles:
        chk.err("roles", _("a programme needs at least one role"))
    out["roles"] = roles
    out["tiers"] = [_tier(chk, t, f"tiers[{i}]") for i, t in enumerate(chk.items(doc["tiers"], "tiers"))]
    _unique(chk, out["tiers"], "tiers")
    tiered = any(r and r.get("has_tiers") for r in roles)
    if tiered and not out["tiers"] and (doc["tiers"] is None or isinstance(doc["tiers"], list)):
        chk.err("tiers", _("roles with tiers need at least one tier"))
    if out["tiers"] and roles and all(r and not r.get("has_tiers") for r in roles):
        chk.err("tiers", _("no role of this programme has tiers; give a role has_tiers: true or drop the tiers"))
    if out["version"] and out["version"].get("name") is None and out["programme"]:
        out["version"]["name"] = out["programme"].get("name")
        out["version"]["name_en"] = out["version"].get("name_en") or out["programme"].get("name_en") or ""
    _check_families(chk, out)
    _check_order(chk, out)
    if chk.errors:
        return None, chk.errors
    return out, []


def _overrides(chk: _Checker, raw: Any) -> list:
    """``rewards.overrides``: each names a family, a tier or both (the flat rate covers the rest), once."""
    entries = [chk.mapping(o, OVERRIDE, f"rewards.overrides[{i}]")
               for i, o in enumerate(chk.items(raw, "rewards.overrides"))]  # fmt: skip
    seen: set = set()
    for i, o in enumerate(entries):
        if not o:
            continue
        if not o["family"] and not o["tier"]:
            chk.err(f"rewards.overrides[{i}]", _("give a family, a tier or both; the flat rate for everything else "
                                                 "is %(kind)s_override_percent") % {"kind": o["kind"]})  # fmt: skip
        key = (o["kind"], o["family"], o["tier"])
        if key in seen:
            chk.err(f"rewards.overrides[{i}]", _("a second %(kind)s override for family %(family)s and tier %(tier)s")
                    % {"kind": o["kind"], "family": o["family"] or "any", "tier": o["tier"] or "any"})  # fmt: skip
        seen.add(key)
    return entries


def _check_overrides(chk: _Checker, doc: dict, known_families: set[str]) -> None:
    """An override's family is declared or exists; its tier is one of this version's tiers."""
    tiers = {t["code"] for t in doc["tiers"] if t and t.get("code")}
    for i, o in enumerate((doc.get("rewards") or {}).get("overrides") or []):
        if o and o["family"] and o["family"] not in known_families:
            chk.err(f"rewards.overrides[{i}].family", _("unknown product family %(code)r; declare it under "
                                                        "product_families") % {"code": o["family"]})  # fmt: skip
        if o and o["tier"] and o["tier"] not in tiers:
            chk.err(f"rewards.overrides[{i}].tier", _("unknown tier %(code)r; it must be one of this file's tiers")
                    % {"code": o["tier"]})  # fmt: skip


def _legacy_inactivity_days(chk: _Checker, block: Any) -> Any:
    """An older file's ``inactivity_days`` is read as whole calendar months (90 → 3; at least 1)."""
    if not isinstance(block, dict) or LEGACY_INACTIVITY_DAYS not in block:
        return block
    block = dict(block)
    days = block.pop(LEGACY_INACTIVITY_DAYS)
    path = f"deal_registration.{LEGACY_INACTIVITY_DAYS}"
    if "inactivity_months" in block:
        chk.err(path, _("replaced by inactivity_months (calendar months): give only inactivity_months"))
    elif isinstance(days, bool) or not isinstance(days, int) or days < 0:
        chk.err(path, _("must be a whole number, 0 or more (got %(got)r)") % {"got": days})
    else:
        block["inactivity_months"] = max(1, (days + 15) // 30) if days else 0
    return block


def _tier(chk: _Checker, raw: Any, p: str) -> dict | None:
    t = chk.mapping(raw, TIER, p)
    if t is None:
        return None
    reqs = [_requirement(chk, r, f"{p}.requirements[{j}]")
            for j, r in enumerate(chk.items(t["requirements"], f"{p}.requirements"))]  # fmt: skip
    _unique(chk, reqs, f"{p}.requirements")
    benefits = [_benefit(chk, b, f"{p}.benefits[{j}]") for j, b in enumerate(chk.items(t["benefits"], f"{p}.benefits"))]
    _unique(chk, benefits, f"{p}.benefits")
    rates = [chk.mapping(r, RATE, f"{p}.reward_rates[{j}]")
             for j, r in enumerate(chk.items(t["reward_rates"], f"{p}.reward_rates"))]  # fmt: skip
    seen = set()
    for j, r in enumerate(rates):
        if r and r["product_family"] and r["sale_type"]:
            if (r["product_family"], r["sale_type"]) in seen:
                chk.err(f"{p}.reward_rates[{j}]", _("a second rate for %(family)s / %(sale_type)s")
                        % {"family": r["product_family"], "sale_type": r["sale_type"]})  # fmt: skip
            seen.add((r["product_family"], r["sale_type"]))
    t.update(requirements=reqs, benefits=benefits, reward_rates=rates)
    return t


def _requirement(chk: _Checker, r: Any, rp: str) -> dict | None:
    if not isinstance(r, dict) or ("metric" in r) == ("obligation" in r):
        chk.err(rp, _("a requirement has either a metric (with a threshold) or an obligation"))
        return None
    if "obligation" in r:
        return chk.mapping(r, OBLIGATION_REQ, rp)
    req = chk.mapping(r, METRIC_REQ, rp)
    if req is None or not req["metric"]:
        return req
    metric = req["metric"]
    if not measures.is_measured(metric):
        chk.err(f"{rp}.metric", _("%(metric)s is not measured by the tier engine") % {"metric": metric})
    if metric in COUNTED and req["threshold"] is not None and Decimal(req["threshold"]) % 1:
        msg = _("%(metric)s counts whole numbers (got %(got)s)")
        chk.err(f"{rp}.threshold", msg % {"metric": metric, "got": req["threshold"]})
    if metric != "sales_volume" and req["currency"]:
        chk.err(f"{rp}.currency", _("only sales_volume has a currency"))
    if metric == "certified_staff" and not req["certification"]:
        chk.err(f"{rp}.certification", _("certified_staff needs the certification type code"))
    if metric != "certified_staff" and req["certification"]:
        chk.err(f"{rp}.certification", _("only certified_staff names a certification type"))
    if metric == "certified_staff" and req["period"]:
        chk.err(f"{rp}.period", _("certified_staff is counted on the day, not over a period"))
    if metric not in FAMILY_METRICS and req["product_family"]:
        chk.err(f"{rp}.product_family", _("%(metric)s is not counted by product family") % {"metric": metric})
    return req


def _benefit(chk: _Checker, raw: Any, bp: str) -> dict | None:
    b = chk.mapping(raw, BENEFIT, bp)
    if b is None or not b["kind"]:
        return b
    uses, needs = BENEFIT_PARAMETERS[b["kind"]]
    for key in PARAMETERS:
        if b[key] is not None and key not in uses:
            msg = _("a %(kind)s benefit has no %(key)s; it uses %(uses)s")
            chk.err(f"{bp}.{key}", msg % {"kind": b["kind"], "key": key,
                                          "uses": ", ".join(sorted(uses)) or _("no parameters")})  # fmt: skip
    for key in sorted(needs):
        if b[key] is None and not _has_error(chk, f"{bp}.{key}"):
            chk.err(f"{bp}.{key}", _("a %(kind)s benefit needs %(key)s") % {"kind": b["kind"], "key": key})
    if b["kind"] == "nfr_licences" and b["count"] is None and not b["on_request"]:
        chk.err(f"{bp}.count", _("NFR licences need a count, or on_request: true"))
    return b


def _has_error(chk: _Checker, path: str) -> bool:
    return any(e.path == path for e in chk.errors)


def _check_families(chk: _Checker, doc: dict) -> None:
    """Families are declared in the file or exist already; a sales threshold gets the version's currency."""
    declared = {f["code"] for f in doc["product_families"] if f and f["code"]}
    known = declared | set(ProductFamily.objects.values_list("code", flat=True))
    _check_overrides(chk, doc, known)
    currency = (doc.get("version") or {}).get("currency") or "RUB"
    for i, t in enumerate(doc["tiers"]):
        if not t:
            continue
        for j, r in enumerate(t["requirements"]):
            if r and r.get("product_family") and r["product_family"] not in known:
                chk.err(f"tiers[{i}].requirements[{j}].product_family",
                        _("unknown product family %(code)r; declare it under product_families")
                        % {"code": r["product_family"]})  # fmt: skip
            if r and r.get("metric") == "sales_volume" and not r.get("currency"):
                r["currency"] = currency
        for j, r in enumerate(t["reward_rates"]):
            if r and r["product_family"] and r["product_family"] not in known:
                chk.err(f"tiers[{i}].reward_rates[{j}].product_family",
                        _("unknown product family %(code)r; declare it under product_families")
                        % {"code": r["product_family"]})  # fmt: skip


def _check_order(chk: _Checker, doc: dict) -> None:
    """A higher tier may not ask for less, or pay less, than a lower one; a tier asks for a measure once.

    A measure is (metric, period, currency, product family, certification), with the version's
    period and currency standing in where a requirement names none, as the engine reads it.
    """
    period = (doc.get("version") or {}).get("evaluation_period") or "rolling_12_months"
    need: dict[tuple, tuple[int, Decimal]] = {}  # measure -> (tier index, the most a lower tier asks)
    pay: dict[tuple, tuple[int, Decimal]] = {}
    for i, t in enumerate(doc["tiers"]):
        if not t:
            continue
        asked: dict[tuple, tuple[str, Decimal]] = {}
        for j, r in enumerate(t["requirements"]):
            if not r or not r.get("metric") or r.get("threshold") is None:
                continue
            key = (r["metric"], r.get("period") or period, r.get("currency"), r.get("product_family"),
                   r.get("certification"))  # fmt: skip
            value = Decimal(r["threshold"])
            path = f"tiers[{i}].requirements[{j}].threshold"
            if key in asked:
                chk.err(path, _("this tier already asks for the same measure in requirement %(code)r")
                        % {"code": asked[key][0]})  # fmt: skip
                continue
            asked[key] = (r["code"], value)
            if key in need and value < need[key][1]:
                msg = _("%(value)s is lower than %(lower)s asked by the lower tier %(tier)r")
                lower = doc["tiers"][need[key][0]]["code"]
                chk.err(path, msg % {"value": value, "lower": need[key][1], "tier": lower})
        for key, (_code, value) in asked.items():
            if key not in need or value >= need[key][1]:
                need[key] = (i, value)
        paid: dict[tuple, Decimal] = {}
        for j, r in enumerate(t["reward_rates"]):
            if not r or r.get("percent") is None or not r.get("product_family") or not r.get("sale_type"):
                continue
            key = (r["product_family"], r["sale_type"])
            value = Decimal(r["percent"])
            paid[key] = value
            if key in pay and value < pay[key][1]:
                msg = _("%(value)s%% is less than %(lower)s%% paid by the lower tier %(tier)r")
                lower = doc["tiers"][pay[key][0]]["code"]
                chk.err(f"tiers[{i}].reward_rates[{j}].percent", msg % {"value": value, "lower": pay[key][1],
                                                                         "tier": lower})  # fmt: skip
        for key, value in paid.items():
            if key not in pay or value >= pay[key][1]:
                pay[key] = (i, value)
