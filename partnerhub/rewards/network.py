"""Two tiers and recruiters: the network lines a partner's own rated sale gives its distributor and recruiter.

A reseller attached to a distributor (``Enrolment.distributor``, from ``distributor_since``) gives the
distributor the programme version's ``distributor_override_percent`` of each own sale's converted amount;
a recruited partner (``Enrolment.recruited_by``, ``recruited_on``) gives its recruiter the version's
``recruiter_override_percent`` on the sales dated from the recruitment up to (not including) the same day
``recruiter_override_months`` later (a day the month lacks: its last day). The version is the one that rated
the own sale (in force on its date); a 0 % override gives no line. The version's override rules
(``programmes.NetworkOverride``, YAML ``rewards.overrides``) set another percentage for a product family and/or
the seller's tier: the most specific matching rule wins (family and tier, then family, then tier), the flat
percentage is the default.

Per line: ``reward = round_half_up(base × percent / 100, 0.01)`` where ``base`` is the own rating's converted
amount (in the reward currency, at the own rating's exchange rate); uplift and share do not apply. The line
keeps the own rating's version, tier (the seller's) and figures, the rule (``network:distributor`` or
``network:recruiter:<months>m``, followed by the override rule that set the rate, as
``[family=software,tier=certified]``), the rate, and whose sale it was (``source_organisation``).

Set-based: one statement finds every current own rating whose seller has a link in force on the sale date
and no current line of that kind yet (a partial unique index allows one per sale and kind), so re-running
it posts nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection

from partnerhub.core.money import quantize

COLUMNS = ("rating_id", "sale_id", "source_id", "line", "beneficiary_id", "version_id", "role_code", "tier_code",
           "sale_amount", "sale_currency", "fx_rate", "base_amount", "currency", "percent", "months", "rule_family",
           "rule_tier")  # fmt: skip


def months_after_sql(column: str, months: str) -> str:
    """``column`` + ``months`` calendar months as SQL (a day the month lacks becomes its last day)."""
    if connection.vendor == "postgresql":
        return f"CAST({column} + make_interval(months => {months}) AS date)"
    start = f"date({column}, 'start of month', '+' || ({months}) || ' months'"
    return (f"MIN({start}, '+' || (CAST(strftime('%%d', {column}) AS INTEGER) - 1) || ' days'), "
            f"date({column}, 'start of month', '+' || ({months} + 1) || ' months', '-1 day'))")  # fmt: skip


def network_sql(*, sale_filter: str = "") -> str:
    flat = ("CASE WHEN l.line = 'distributor' THEN v.distributor_override_percent "
            "ELSE v.recruiter_override_percent END")  # fmt: skip
    # The version's most specific override rule for the sale's family and the seller's tier (family and tier 3,
    # family 2, tier 1; then the first written); none: the flat rate.
    rule = """(SELECT o.id FROM programmes_networkoverride o
     WHERE o.version_id = v.id AND o.kind = l.line
       AND (o.product_family_id IS NULL OR o.product_family_id = s.product_family_id)
       AND (o.tier_code = '' OR o.tier_code = COALESCE(r.tier_code, ''))
     ORDER BY (CASE WHEN o.product_family_id IS NULL THEN 0 ELSE 2 END)
              + (CASE WHEN o.tier_code = '' THEN 0 ELSE 1 END) DESC, o.id
     LIMIT 1)"""
    return f"""
WITH first_enrolment AS (SELECT organisation_id, MIN(id) AS id FROM partners_enrolment GROUP BY organisation_id),
links AS (
  SELECT e.organisation_id, 'distributor' AS line, e.distributor_id AS beneficiary_id, e.distributor_since AS since
  FROM partners_enrolment e JOIN first_enrolment fe ON fe.id = e.id WHERE e.distributor_id IS NOT NULL
  UNION ALL
  SELECT e.organisation_id, 'recruiter', e.recruited_by_id, e.recruited_on
  FROM partners_enrolment e JOIN first_enrolment fe ON fe.id = e.id WHERE e.recruited_by_id IS NOT NULL
),
matched AS (
  SELECT r.id AS rating_id, r.sale_id, r.organisation_id, l.line, l.beneficiary_id, r.version_id, r.role_code,
         r.tier_code, r.sale_amount, r.sale_currency, r.fx_rate, r.base_amount, r.currency, {flat} AS flat_percent,
         v.recruiter_override_months AS months, {rule} AS override_id
  FROM links l
  JOIN rewards_rating r ON r.organisation_id = l.organisation_id AND r.line = 'own' AND r.is_current
  JOIN rewards_sale s ON s.id = r.sale_id
  JOIN programmes_programmeversion v ON v.id = r.version_id
  WHERE l.beneficiary_id <> l.organisation_id AND s.sold_on >= l.since
    AND (l.line = 'distributor' OR s.sold_on < {months_after_sql("l.since", "v.recruiter_override_months")})
    AND NOT EXISTS (SELECT 1 FROM rewards_rating x WHERE x.sale_id = r.sale_id AND x.line = l.line AND x.is_current)
    {sale_filter}
)
SELECT m.rating_id, m.sale_id, m.organisation_id, m.line, m.beneficiary_id, m.version_id, m.role_code, m.tier_code,
       m.sale_amount, m.sale_currency, m.fx_rate, m.base_amount, m.currency, COALESCE(o.percent, m.flat_percent),
       m.months, pf.code, o.tier_code
FROM matched m
LEFT JOIN programmes_networkoverride o ON o.id = m.override_id
LEFT JOIN programmes_productfamily pf ON pf.id = o.product_family_id
WHERE COALESCE(o.percent, m.flat_percent) > 0
ORDER BY m.sale_id, m.line
"""  # noqa: S608 (fixed SQL and an id list of integers)


def rule_name(line: str, months: int, family: str | None = None, tier: str | None = None) -> str:
    """The rule a network line keeps: ``network:distributor`` or ``network:recruiter:<months>m``, and the override
    rule that set its rate, if any: ``[family=software,tier=certified]``."""
    rule = "network:distributor" if line == "distributor" else f"network:recruiter:{months}m"
    scope = ",".join(f"{k}={v}" for k, v in (("family", family), ("tier", tier)) if v)
    return f"{rule}[{scope}]" if scope else rule


def _dec(v) -> Decimal:
    return v if isinstance(v, Decimal) else Decimal(str(v))


@dataclass
class NetworkLine:
    sale_id: int
    source_id: int
    line: str
    beneficiary_id: int
    version_id: int
    role_code: str
    tier_code: str
    rule: str
    percent: Decimal
    sale_amount: Decimal
    sale_currency: str
    fx_rate: Decimal
    base_amount: Decimal
    currency: str
    reward: Decimal


def override_of(*, base: Decimal, percent: Decimal) -> Decimal:
    return quantize(base * percent / Decimal(100))


def pending_lines(*, sale_ids: list[int] | None = None) -> list[NetworkLine]:
    """The network lines not yet rated (for every sale, or the given ones)."""
    sale_filter = ""
    if sale_ids is not None:
        ids = sorted({int(i) for i in sale_ids}) or [0]
        sale_filter = f"AND r.sale_id IN ({', '.join(str(i) for i in ids)})"
    with connection.cursor() as cur:
        cur.execute(network_sql(sale_filter=sale_filter), {})
        rows = [dict(zip(COLUMNS, row, strict=True)) for row in cur.fetchall()]
    out = []
    for r in rows:
        percent, base = _dec(r["percent"]), quantize(_dec(r["base_amount"]))
        rule = rule_name(r["line"], r["months"], r["rule_family"], r["rule_tier"])
        out.append(NetworkLine(
            sale_id=r["sale_id"], source_id=r["source_id"], line=r["line"], beneficiary_id=r["beneficiary_id"],
            version_id=r["version_id"], role_code=r["role_code"], tier_code=r["tier_code"] or "", rule=rule,
            percent=percent, sale_amount=quantize(_dec(r["sale_amount"])), sale_currency=r["sale_currency"],
            fx_rate=_dec(r["fx_rate"]), base_amount=base, currency=r["currency"],
            reward=override_of(base=base, percent=percent),
        ))  # fmt: skip
    return out


def add_months(day: date, months: int) -> date:
    """The same day ``months`` calendar months later (a day the month lacks: its last day)."""
    import calendar

    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))
