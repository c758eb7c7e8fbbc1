"""The rating engine: which rule, rate, tier and programme version give each sale line its reward.

Resolution is set-based: one SQL statement (the same on SQLite and PostgreSQL) finds, for every pending
sale, the partner's enrolment (its first, if joined on or before the sale date), the programme version in
force on that date, the partner's tier on that date (the last tier change effective on or before it; a
partner whose enrolment has no history at all uses its current tier), the role, the tier's reward rate
for the family and sale type or the role's own rate (roles without tiers), and the exchange rates. Tier
history, versions and rates are turned into validity intervals that sales join by a date range, so no
lookup runs once per line.

The arithmetic (:func:`reward_of`), per line:

* ``fx`` = units of the reward currency (the version's) per unit of the sale's, 10 decimal places
  (:mod:`partnerhub.rewards.fx`); ``base = round_half_up(amount × fx, 0.01)``;
* ``reward = round_half_up(base × (rate + uplift) × share / 10 000, 0.01)`` — the uplift of a
  registered deal adds percentage points to the rate; a second partner's reduced share scales the whole.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection
from django.utils.translation import gettext as _

from partnerhub.core.money import quantize

from . import fx as fx_mod

BASIS_BY_ROLE_KIND = {
    "resale": "resale", "white_label": "resale", "distribution": "resale", "isv": "resale",
    "agency": "agency", "consumption_agent": "consumption", "referral": "referral",
}  # fmt: skip


def reward_of(*, base: Decimal, rate: Decimal, uplift: Decimal, share: Decimal) -> Decimal:
    return quantize(base * (rate + uplift) * share / Decimal(10000))


@dataclass
class Outcome:
    sale_id: int
    organisation_id: int
    sold_on: date
    version_id: int
    role_code: str
    tier_code: str
    basis: str
    rule: str
    rate_percent: Decimal
    uplift_percent: Decimal
    share_percent: Decimal
    sale_amount: Decimal
    sale_currency: str
    fx_rate: Decimal
    base_amount: Decimal
    currency: str
    reward: Decimal


@dataclass
class Issue:
    sale_id: int
    organisation_id: int
    code: str
    message: str


COLUMNS = (
    "sale_id",
    "organisation_id",
    "sold_on",
    "currency",
    "amount",
    "family_code",
    "sale_type",
    "source",
    "uplift",
    "share",
    "coop",
    "enrolment_id",
    "role_code",
    "version_id",
    "tier_code",
    "reward_currency",
    "referral_percent",
    "role_kind",
    "has_tiers",
    "tier_percent",
    "role_rate_1",
    "role_rate_2",
    "role_rate_3",
    "role_rate_4",
    "fx_from_value",
    "fx_from_nominal",
    "fx_to_value",
    "fx_to_nominal",
)


def _plus_days(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"({column} + %(max_age)s::int)"
    return f"date({column}, '+' || %(max_age)s || ' days')"


SALE_COLUMNS = """s.id, s.organisation_id, s.sold_on, s.currency, s.amount, s.product_family_id, s.sale_type,
  s.source, s.uplift_percent, s.share_percent, s.cooperation_model"""
PUBLISHED_VERSIONS = """
  SELECT v.id, v.programme_id, v.currency, v.referral_reward_percent, v.effective_from AS since,
         LEAD(v.effective_from) OVER (PARTITION BY v.programme_id ORDER BY v.effective_from, v.number) AS until
  FROM programmes_programmeversion v WHERE v.status = 'published'"""


def resolution_sql(*, sale_filter: str = "", order: bool = True, sales_sql: str | None = None,
                   versions_sql: str = PUBLISHED_VERSIONS) -> str:  # fmt: skip
    """The statement resolving every pending sale (active, no current rating) to its rule inputs.

    Tier history, programme versions and exchange rates become validity intervals (``LEAD`` over their
    dates), which the sales join by equality and a date range: no per-line subqueries. A back-test
    (:mod:`partnerhub.rewards.backtest`) gives its own sales (rated or not) and versions (a draft in
    force over the whole period) to the same statement.
    """
    rr = "rewards_rolerate"
    role_join = "{a}.version_id = v.id AND {a}.role_code = e.role_code"
    pending = sales_sql
    if pending is None:
        pending = f"""
  SELECT {SALE_COLUMNS}
  FROM rewards_sale s
  WHERE s.status = 'active'
    AND NOT EXISTS (SELECT 1 FROM rewards_rating r WHERE r.sale_id = s.id AND r.line = 'own' AND r.is_current)
    {sale_filter}"""  # noqa: S608 (fixed SQL and an id list of integers)
    return f"""
WITH pending AS ({pending}
),
first_enrolment AS (SELECT organisation_id, MIN(id) AS id FROM partners_enrolment GROUP BY organisation_id),
tiers AS (
  SELECT tc.enrolment_id, tc.to_tier_code AS tier_code, tc.effective_on AS since,
         LEAD(tc.effective_on) OVER (PARTITION BY tc.enrolment_id ORDER BY tc.effective_on, tc.id) AS until
  FROM partners_tierchange tc
),
with_history AS (SELECT DISTINCT enrolment_id FROM partners_tierchange),
versions AS ({versions_sql}
),
fx AS (
  SELECT x.currency, x.value, x.nominal, x."on" AS since,
         LEAD(x."on") OVER (PARTITION BY x.currency ORDER BY x."on") AS until
  FROM rewards_exchangerate x
)
SELECT p.id AS sale_id, p.organisation_id, p.sold_on, p.currency, p.amount, pf.code AS family_code, p.sale_type,
       p.source, p.uplift_percent AS uplift, p.share_percent AS share, p.cooperation_model AS coop,
       e.id AS enrolment_id, e.role_code, v.id AS version_id,
       CASE WHEN h.enrolment_id IS NULL THEN COALESCE(e.override_tier_code, e.tier_code) ELSE ti.tier_code END
         AS tier_code,
       v.currency AS reward_currency, v.referral_reward_percent AS referral_percent,
       r.kind AS role_kind, r.has_tiers, rr.percent AS tier_percent,
       rl1.percent AS role_rate_1, rl2.percent AS role_rate_2, rl3.percent AS role_rate_3, rl4.percent AS role_rate_4,
       f1.value AS fx_from_value, f1.nominal AS fx_from_nominal, f2.value AS fx_to_value, f2.nominal AS fx_to_nominal
FROM pending p
JOIN programmes_productfamily pf ON pf.id = p.product_family_id
LEFT JOIN first_enrolment fe ON fe.organisation_id = p.organisation_id
LEFT JOIN partners_enrolment e ON e.id = fe.id AND e.joined_on <= p.sold_on
LEFT JOIN with_history h ON h.enrolment_id = e.id
LEFT JOIN tiers ti ON ti.enrolment_id = e.id AND ti.since <= p.sold_on AND (ti.until IS NULL OR p.sold_on < ti.until)
LEFT JOIN versions v
  ON v.programme_id = e.programme_id AND v.since <= p.sold_on AND (v.until IS NULL OR p.sold_on < v.until)
LEFT JOIN programmes_programmerole r ON r.version_id = v.id AND r.code = e.role_code
LEFT JOIN programmes_tier t ON t.version_id = v.id
  AND t.code = CASE WHEN h.enrolment_id IS NULL THEN COALESCE(e.override_tier_code, e.tier_code) ELSE ti.tier_code END
LEFT JOIN programmes_rewardrate rr
  ON rr.tier_id = t.id AND rr.product_family_id = p.product_family_id AND rr.sale_type = p.sale_type
LEFT JOIN {rr} rl1 ON {role_join.format(a="rl1")} AND rl1.product_family_id = p.product_family_id
  AND rl1.sale_type = p.sale_type
LEFT JOIN {rr} rl2 ON {role_join.format(a="rl2")} AND rl2.product_family_id = p.product_family_id
  AND rl2.sale_type = ''
LEFT JOIN {rr} rl3 ON {role_join.format(a="rl3")} AND rl3.product_family_id IS NULL AND rl3.sale_type = p.sale_type
LEFT JOIN {rr} rl4 ON {role_join.format(a="rl4")} AND rl4.product_family_id IS NULL AND rl4.sale_type = ''
LEFT JOIN fx f1 ON f1.currency = p.currency AND f1.since <= p.sold_on AND (f1.until IS NULL OR p.sold_on < f1.until)
  AND p.sold_on <= {_plus_days("f1.since")}
LEFT JOIN fx f2 ON f2.currency = v.currency AND f2.since <= p.sold_on AND (f2.until IS NULL OR p.sold_on < f2.until)
  AND p.sold_on <= {_plus_days("f2.since")}
{"ORDER BY p.id" if order else ""}
"""  # noqa: S608 (no user input: table names and a fixed filter)


def resolve(*, sale_ids: list[int] | None = None, batch: int = 20000) -> Iterator[dict]:
    """Rows of the resolution statement for the pending sales (all, or the given ones)."""
    params: dict = {"max_age": fx_mod.max_age()}
    sale_filter = ""
    if sale_ids is not None:
        ids = sorted({int(i) for i in sale_ids}) or [0]
        sale_filter = f"AND s.id IN ({', '.join(str(i) for i in ids)})"
    with connection.cursor() as cur:
        cur.execute(resolution_sql(sale_filter=sale_filter), params)
        while rows := cur.fetchmany(batch):
            for row in rows:
                yield dict(zip(COLUMNS, row, strict=True))


def _dec(v) -> Decimal | None:
    if v is None:
        return None
    return v if isinstance(v, Decimal) else Decimal(str(v))


def _date(v) -> date:
    return v if isinstance(v, date) else date.fromisoformat(str(v))


def rate_row(row: dict) -> Outcome | Issue:
    """The rating of one resolved sale, or why it cannot be rated yet."""
    sale_id, org_id, sold_on = row["sale_id"], row["organisation_id"], _date(row["sold_on"])
    day = sold_on.isoformat()

    def issue(code: str, message: str) -> Issue:
        return Issue(sale_id, org_id, code, message)

    if row["enrolment_id"] is None:
        return issue("not_enrolled", _("The partner was in no programme on %(date)s.") % {"date": day})
    if row["version_id"] is None:
        return issue("no_version", _("No programme version was in force on %(date)s.") % {"date": day})
    if row["role_kind"] is None:
        return issue("no_role", _("The programme in force on %(date)s has no role %(role)s.")
                     % {"date": day, "role": row["role_code"]})  # fmt: skip
    family, sale_type = row["family_code"], row["sale_type"]
    basis = row["coop"] or BASIS_BY_ROLE_KIND.get(row["role_kind"], "resale")
    tier_code = row["tier_code"] or ""
    if row["source"] == "referral" or basis == "referral":
        basis, rate, rule = "referral", _dec(row["referral_percent"]), "referral"
    elif row["has_tiers"]:
        if not tier_code:
            return issue("no_tier", _("The partner had no tier on %(date)s.") % {"date": day})
        rate = _dec(row["tier_percent"])
        rule = f"tier:{tier_code}:{family}:{sale_type}"
        if rate is None:
            return issue("no_rate", _("Tier %(tier)s has no reward rate for %(family)s (%(type)s).")
                         % {"tier": tier_code, "family": family, "type": sale_type})  # fmt: skip
    else:
        tier_code = ""
        keys = [(family, sale_type), (family, "*"), ("*", sale_type), ("*", "*")]
        found = [
            (k, _dec(row[f"role_rate_{i}"])) for i, k in enumerate(keys, start=1) if row[f"role_rate_{i}"] is not None
        ]
        if not found:
            return issue("no_rate", _("Role %(role)s has no reward rate for %(family)s (%(type)s).")
                         % {"role": row["role_code"], "family": family, "type": sale_type})  # fmt: skip
        (fam_key, type_key), rate = found[0]
        rule = f"role:{row['role_code']}:{fam_key}:{type_key}"
    sale_currency, reward_currency = row["currency"], row["reward_currency"]
    if sale_currency == reward_currency:
        factor = Decimal(1)
    else:
        v1, n1 = (
            (Decimal(1), 1) if sale_currency == fx_mod.BASE else (_dec(row["fx_from_value"]), row["fx_from_nominal"])
        )
        v2, n2 = (Decimal(1), 1) if reward_currency == fx_mod.BASE else (_dec(row["fx_to_value"]), row["fx_to_nominal"])
        for cur, v in ((sale_currency, v1), (reward_currency, v2)):
            if v is None:
                missing = fx_mod.MissingRate(cur, sold_on)
                return issue("missing_rate", missing.messages[0])
        factor = fx_mod.factor_of(v1, int(n1), v2, int(n2))
    amount = _dec(row["amount"])
    uplift, share = _dec(row["uplift"]), _dec(row["share"])
    if basis == "referral":
        uplift = Decimal(0)
    base = fx_mod.convert(amount, factor)
    return Outcome(
        sale_id=sale_id, organisation_id=org_id, sold_on=sold_on, version_id=row["version_id"],
        role_code=row["role_code"], tier_code=tier_code, basis=basis, rule=rule, rate_percent=rate,
        uplift_percent=uplift, share_percent=share, sale_amount=amount, sale_currency=sale_currency, fx_rate=factor,
        base_amount=base, currency=reward_currency, reward=reward_of(base=base, rate=rate, uplift=uplift, share=share),
    )  # fmt: skip


# The same rules as :func:`rate_row`, as SQL over the resolved rows (PostgreSQL's numeric is exact; ROUND
# rounds half away from zero, which for these positive amounts is half-up). Rows for which ISSUE_SQL is not
# null are left to :func:`rate_row`, which says why.
ISSUE_SQL = """CASE
  WHEN enrolment_id IS NULL OR version_id IS NULL OR role_kind IS NULL THEN 'x'
  WHEN source = 'referral' OR coop = 'referral' OR (coop = '' AND role_kind = 'referral') THEN
    CASE WHEN currency <> reward_currency AND ((currency <> 'RUB' AND fx_from_value IS NULL)
         OR (reward_currency <> 'RUB' AND fx_to_value IS NULL)) THEN 'x' END
  WHEN has_tiers AND (tier_code IS NULL OR tier_code = '' OR tier_percent IS NULL) THEN 'x'
  WHEN NOT has_tiers AND COALESCE(role_rate_1, role_rate_2, role_rate_3, role_rate_4) IS NULL THEN 'x'
  WHEN currency <> reward_currency AND ((currency <> 'RUB' AND fx_from_value IS NULL)
       OR (reward_currency <> 'RUB' AND fx_to_value IS NULL)) THEN 'x'
END"""


def rated_sql(resolution: str) -> str:
    """Every resolved row with its issue flag and, when it has none, its rating — one pass over the sales."""
    return f"""
WITH i AS (SELECT q.*, {ISSUE_SQL} AS issue FROM ({resolution}) q),
k AS (
  SELECT *,
    (source = 'referral' OR coop = 'referral' OR (coop = '' AND role_kind = 'referral')) AS is_referral,
    CASE WHEN issue IS NOT NULL THEN NULL WHEN currency = reward_currency THEN 1::numeric
         ELSE ROUND((CASE WHEN currency = 'RUB' THEN 1 ELSE fx_from_value END)
                    * (CASE WHEN reward_currency = 'RUB' THEN 1 ELSE fx_to_nominal END)
                    / ((CASE WHEN currency = 'RUB' THEN 1 ELSE fx_from_nominal END)
                       * (CASE WHEN reward_currency = 'RUB' THEN 1 ELSE fx_to_value END)), 10) END AS fx
  FROM i
), c AS (
  SELECT *,
    CASE WHEN is_referral THEN 'referral' WHEN coop <> '' THEN coop
         WHEN role_kind = 'agency' THEN 'agency' WHEN role_kind = 'consumption_agent' THEN 'consumption'
         ELSE 'resale' END AS basis,
    CASE WHEN is_referral THEN referral_percent WHEN has_tiers THEN tier_percent
         ELSE COALESCE(role_rate_1, role_rate_2, role_rate_3, role_rate_4) END AS rate,
    CASE WHEN is_referral THEN 'referral'
         WHEN has_tiers THEN 'tier:' || tier_code || ':' || family_code || ':' || sale_type
         ELSE 'role:' || role_code || ':'
              || CASE WHEN role_rate_1 IS NOT NULL OR role_rate_2 IS NOT NULL THEN family_code ELSE '*' END || ':'
              || CASE WHEN role_rate_1 IS NOT NULL THEN sale_type WHEN role_rate_2 IS NOT NULL THEN '*'
                      WHEN role_rate_3 IS NOT NULL THEN sale_type ELSE '*' END END AS rule,
    CASE WHEN NOT is_referral AND NOT has_tiers THEN '' ELSE COALESCE(tier_code, '') END AS tier,
    CASE WHEN is_referral THEN 0::numeric ELSE uplift END AS uplift_eff,
    ROUND(amount * fx, 2) AS base
  FROM k
)
SELECT *, ROUND(base * (rate + uplift_eff) * share / 10000, 2) AS reward FROM c
"""  # noqa: S608 (fixed SQL)
