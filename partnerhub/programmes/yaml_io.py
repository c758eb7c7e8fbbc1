"""A whole programme version as YAML: schema v1, its validator, loader and exporter.

``parse`` reads YAML text and ``validate`` an already loaded document; both check it
completely and return the normalised document (every default filled in, amounts and
percents as two-decimal strings, dates as ISO strings) or every error found, each naming the
file, the key path (``tiers[1].requirements[0].threshold``) and the reason. ``build`` writes a
normalised document as one programme version (or rewrites a draft in place); callers run it
inside their transaction, so an error loads nothing. ``document`` reads a version back as the
normalised document and ``export`` as YAML, so a file survives a round trip.
The schema is documented in docs/programme-schema.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml
from django.utils.translation import gettext as _

from partnerhub.core.money import CURRENCIES

from .models import Benefit, ProductFamily, Programme, ProgrammeRole, ProgrammeVersion, Requirement, RewardRate, Tier

SCHEMA_VERSION = 1
CENT = Decimal("0.01")
INT_MAX = 2_147_483_647  # PositiveIntegerField
AMOUNT_MAX = Decimal("9999999999999999.99")  # DecimalField(max_digits=18, decimal_places=2)
MAX_NODES = 100_000  # values in one document; the 002 file has about 300


@dataclass(frozen=True)
class YamlError:
    source: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}: {self.path or '(document)'}: {self.message}"


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Any = _Required()


@dataclass(frozen=True)
class K:
    """One key of the schema: its type, default (REQUIRED: must be given) and limits.

    kind: str (one line), text, slug (a code), int, bool, date, currency, amount, percent, enum, map, list.
    nullable: an explicit empty value stays empty instead of taking the default.
    field: the ProgrammeVersion field a key of the deal_registration/leads/referrals blocks fills.
    """

    kind: str
    default: Any = REQUIRED
    choices: tuple[str, ...] = ()
    max_length: int | None = None
    nullable: bool = False
    field: str = ""


def _values(choices) -> tuple[str, ...]:
    return tuple(c for c, _label in choices)


PERIODS = _values(ProgrammeVersion.Period.choices)
METRICS = _values(Requirement.Metric.choices)
OBLIGATIONS = _values(Requirement.Obligation.choices)
BENEFIT_KINDS = _values(Benefit.Kind.choices)
ATTRIBUTIONS = ("last_click", "first_click", "bind_once")

TOP = {
    "schema_version": K("int"),
    "programme": K("map"),
    "version": K("map"),
    "deal_registration": K("map", None),
    "leads": K("map", None),
    "referrals": K("map", None),
    "product_families": K("list", None),
    "roles": K("list"),
    "tiers": K("list", None),
}
PROGRAMME = {"code": K("slug", max_length=50), "name": K("str", max_length=200)}
VERSION = {
    "effective_from": K("date"),
    "name": K("str", None, max_length=200, nullable=True),  # default: the programme's name
    "description": K("text", ""),
    "currency": K("currency", "RUB"),
    "evaluation_period": K("enum", "rolling_12_months", choices=PERIODS),
    "downgrade_grace_days": K("int", 30),
    "terms": K("text", ""),
}
# The defaults are the model's, so a file without these blocks gets what a new version would.
DEALS = {
    "protection_days": K("int", 180, field="deal_protection_days"),
    "approval_hours": K("int", 24, field="deal_approval_hours"),
    "inactivity_days": K("int", 90, field="deal_inactivity_days"),
    "lapse_automatic": K("bool", False, field="deal_lapse_automatic"),
    "warning_days": K("int", 14, field="deal_warning_days"),
    "extension_days": K("int", 30, field="deal_extension_days"),
    "uplift_percent": K("percent", "0.00", field="deal_uplift_percent"),
    "second_partner_percent": K("percent", None, nullable=True, field="deal_second_partner_percent"),
    "burst_limit": K("int", 20, field="deal_burst_limit"),
}
LEADS = {"accept_hours": K("int", 48, field="lead_accept_hours")}
REFERRALS = {
    "window_days": K("int", 90, field="referral_window_days"),
    "attribution": K("enum", "last_click", choices=ATTRIBUTIONS, field="referral_attribution"),
    "reward_percent": K("percent", "10.00", field="referral_reward_percent"),
}
BLOCKS = (("deal_registration", DEALS), ("leads", LEADS), ("referrals", REFERRALS))
FAMILY = {
    "code": K("slug", max_length=50),
    "name": K("str", max_length=200),
    "name_en": K("str", "", max_length=200),
}
ROLE = {
    "code": K("slug", max_length=50),
    "name": K("str", max_length=200),
    "kind": K("enum", choices=_values(ProgrammeRole.Kind.choices)),
    "has_tiers": K("bool", True),
    "description": K("text", ""),
}
TIER = {
    "code": K("slug", max_length=50),
    "name": K("str", max_length=200),
    "description": K("text", ""),
    "requirements": K("list", None),
    "benefits": K("list", None),
    "reward_rates": K("list", None),
}
METRIC_REQ = {
    "code": K("slug", max_length=60),
    "metric": K("enum", choices=METRICS),
    "threshold": K("amount"),
    "currency": K("currency", None, nullable=True),
    "period": K("enum", None, choices=PERIODS, nullable=True),
    "product_family": K("slug", None, max_length=50, nullable=True),
    "certification": K("slug", None, max_length=60, nullable=True),
    "label": K("str", "", max_length=300),
}
OBLIGATION_REQ = {
    "code": K("slug", max_length=60),
    "obligation": K("enum", choices=OBLIGATIONS),
    "checked_by": K("enum", "manager", choices=_values(Requirement.CheckedBy.choices)),
    "condition": K("enum", "always", choices=_values(Requirement.Condition.choices)),
    "optional": K("bool", False),
    "label": K("str", "", max_length=300),
}
BENEFIT = {
    "code": K("slug", max_length=60),
    "kind": K("enum", choices=BENEFIT_KINDS),
    "label": K("str", "", max_length=300),
    "percent": K("percent", None, nullable=True),
    "count": K("int", None, nullable=True),
    "user_cap": K("int", None, nullable=True),
    "days": K("int", None, nullable=True),
    "hours": K("int", None, nullable=True),
    "term_days": K("int", None, nullable=True),
    "on_request": K("bool", False),
}
RATE = {
    "product_family": K("slug", max_length=50),
    "sale_type": K("enum", choices=_values(RewardRate.SaleType.choices)),
    "percent": K("percent"),
}
# Counted metrics take whole numbers; only sales volume has a currency; only certified staff a
# certification type (required); product families narrow what is counted from sales and deals.
COUNTED = {"purchase_count", "certified_staff", "registered_deals", "won_deals"}
FAMILY_METRICS = {"sales_volume", "purchase_count", "registered_deals", "won_deals"}
# The parameters each benefit kind uses (label and on_request suit every kind), and those it needs.
PARAMETERS = ("percent", "count", "user_cap", "days", "hours", "term_days")
BENEFIT_PARAMETERS: dict[str, tuple[set[str], set[str]]] = {
    "discount": ({"percent"}, {"percent"}),
    "internal_use": ({"percent", "user_cap"}, {"percent"}),
    "nfr_licences": ({"count", "days", "term_days"}, set()),  # count, or on_request: true
    "payment_deferral": ({"days"}, {"days"}),
    "advance_keys": ({"count"}, set()),
    "vendor_leads": ({"count"}, set()),
    "quarterly_rebate": ({"percent"}, {"percent"}),
    "annual_spif": ({"percent", "count"}, set()),
    "dedicated_manager": (set(), set()),
    "deal_protection": ({"days", "hours", "percent"}, set()),  # protection length, approval clock, uplift
    "mdf": ({"percent"}, set()),
    "perk": (set(PARAMETERS), set()),
}
AMOUNT_KEYS = {"threshold", "percent", "uplift_percent", "second_partner_percent", "reward_percent"}


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
            if raw > INT_MAX:
                self.err(path, _("must be at most %(n)d") % {"n": INT_MAX})
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
        if d != d.quantize(CENT):
            self.err(path, _("may have at most two decimal places (got %(got)r)") % got)
            return None
        if kind == "percent" and d > 100:
            self.err(path, _("a percent cannot exceed 100 (got %(got)r)") % got)
            return None
        if d > AMOUNT_MAX:
            self.err(path, _("is too large (got %(got)r)") % got)
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
        for key, k in spec.items():
            p = _join(path, key)
            raw_value = raw.get(key)
            if raw_value is None:
                if k.default is REQUIRED:
                    self.err(p, _("is required"))
                out[key] = None if k.default is REQUIRED or (k.nullable and key in raw) else k.default
            elif k.kind in ("map", "list"):
                out[key] = raw_value
            else:
                out[key] = self.value(raw_value, k, p)
        return out

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
        out[key] = chk.mapping(doc[key] if doc[key] is not None else {}, spec, key)
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
    _check_families(chk, out)
    _check_order(chk, out)
    if chk.errors:
        return None, chk.errors
    return out, []


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


# ---------------------------------------------------------------------------- database


def version_fields(doc: dict) -> dict[str, Any]:
    """The ProgrammeVersion fields a normalised document sets."""
    v = doc["version"]
    fields: dict[str, Any] = {
        "effective_from": date.fromisoformat(v["effective_from"]), "name": v["name"],
        "description": v["description"], "currency": v["currency"], "evaluation_period": v["evaluation_period"],
        "downgrade_grace_days": v["downgrade_grace_days"], "terms": v["terms"],
    }  # fmt: skip
    for block, spec in BLOCKS:
        for key, k in spec.items():
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
    if programme is None:
        programme = Programme.objects.create(code=p["code"], name=p["name"])
    elif programme.name != p["name"]:
        programme.name = p["name"]
        programme.save(update_fields=["name"])
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
        for name, value in fields.items():
            setattr(version, name, value)
        version.save()
    ProgrammeRole.objects.bulk_create([ProgrammeRole(version=version, **r) for r in doc["roles"]])
    families = {f.code: f for f in ProductFamily.objects.all()}
    for rank, t in enumerate(doc["tiers"], start=1):
        tier = Tier.objects.create(version=version, code=t["code"], name=t["name"], rank=rank,
                                   description=t["description"])  # fmt: skip
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
        for r in sorted(t.requirements.all(), key=lambda x: x.pk):
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
                     "on_request": b.on_request} for b in sorted(t.benefits.all(), key=lambda x: x.pk)]  # fmt: skip
        rates = []
        for r in sorted(t.reward_rates.all(), key=lambda x: x.pk):
            families_used.add(r.product_family.code)
            rates.append(
                {"product_family": r.product_family.code, "sale_type": r.sale_type, "percent": _pct(r.percent)}
            )
        tiers.append({"code": t.code, "name": t.name, "description": t.description, "requirements": reqs,
                      "benefits": benefits, "reward_rates": rates})  # fmt: skip
    v = version
    # Families as the version's file declared them (ProductFamily rows are shared and not renamed
    # by a file), then any other family its rows use, as they are in the database.
    declared = [f for f in (v.document or {}).get("product_families") or [] if isinstance(f, dict) and f.get("code")]
    known = {f["code"] for f in declared}
    used = ProductFamily.objects.filter(code__in=families_used - known).order_by("code")
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
        **{block: {key: _field(v, k) for key, k in spec.items()} for block, spec in BLOCKS},
        "product_families": [
            *({"code": f["code"], "name": f.get("name") or "", "name_en": f.get("name_en") or ""} for f in declared),
            *({"code": f.code, "name": f.name, "name_en": f.name_en} for f in used),
        ],
        "roles": [
            {"code": r.code, "name": r.name, "kind": r.kind, "has_tiers": r.has_tiers, "description": r.description}
            for r in v.roles.order_by("id")
        ],
        "tiers": tiers,
    }


def _field(version: ProgrammeVersion, k: K) -> Any:
    value = getattr(version, k.field)
    return _pct(value) if k.kind == "percent" else value


def _clean_for_yaml(value: Any, key: str = "") -> Any:
    """Drop empty optional keys and write amounts as numbers, so an exported file reads like a hand-written one."""
    if isinstance(value, dict):
        return {k: _clean_for_yaml(v, k) for k, v in value.items() if v not in (None, "", [])}
    if isinstance(value, list):
        return [_clean_for_yaml(v) for v in value]
    if key in AMOUNT_KEYS and isinstance(value, str):
        d = Decimal(value)
        return int(d) if d == d.to_integral_value() else float(value)
    return value


def as_yaml(doc: dict, *, header: str = "") -> str:
    """A normalised document as YAML that ``parse`` reads back to the same document."""
    out = _clean_for_yaml(doc)
    out["version"]["effective_from"] = date.fromisoformat(doc["version"]["effective_from"])
    return header + yaml.safe_dump(out, allow_unicode=True, sort_keys=False, width=110)


def export(version: ProgrammeVersion) -> str:
    header = f"# Partnerhub programme, schema v{SCHEMA_VERSION}: {version.programme.code} version {version.number}\n"
    return as_yaml(document(version), header=header)
