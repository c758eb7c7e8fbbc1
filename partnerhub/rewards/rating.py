"""The rating engine: which rule, rate, tier and programme version give each sale line its reward.

Resolution is set-based: one SQL statement (the same on SQLite and PostgreSQL) finds, for every pending
sale, the partner's enrolment (the earliest joined on or before the sale date), the programme version in
force on that date, the partner's tier on that date (the last tier change effective on or before it; a
partner whose enrolment has no history at all uses its current tier), the role, the tier's reward rate
for the family and sale type or the role's own rate (roles without tiers), and the exchange rates. The
work that depends on the partner and the day is done once per (partner, day) and per (currency, day),
not once per line.

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


def _minus_days(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"({column} - %(max_age)s::int)"
    return f"date({column}, '-' || %(max_age)s || ' days')"


def resolution_sql(*, sale_filter: str = "") -> str:
    """The statement resolving every pending sale (active, no current rating) to its rule inputs."""
    rr = "rewards_rolerate"
    role_join = "{a}.version_id = c.version_id AND {a}.role_code = c.role_code"
    return f"""
WITH pending AS (
  SELECT s.id, s.organisation_id, s.sold_on, s.currency, s.amount, s.product_family_id, s.sale_type, s.source,
         s.uplift_percent, s.share_percent, s.cooperation_model
  FROM rewards_sale s
  WHERE s.status = 'active'
    AND NOT EXISTS (SELECT 1 FROM rewards_rating r WHERE r.sale_id = s.id AND r.is_current)
    {sale_filter}
),
days AS (SELECT DISTINCT organisation_id, sold_on FROM pending),
enr AS (
  SELECT d.organisation_id, d.sold_on,
         (SELECT MIN(e.id) FROM partners_enrolment e
          WHERE e.organisation_id = d.organisation_id AND e.joined_on <= d.sold_on) AS enrolment_id
  FROM days d
),
ctx AS (
  SELECT en.organisation_id, en.sold_on, en.enrolment_id, e.role_code,
    (SELECT v.id FROM programmes_programmeversion v
     WHERE v.programme_id = e.programme_id AND v.status = 'published' AND v.effective_from <= en.sold_on
     ORDER BY v.effective_from DESC, v.number DESC LIMIT 1) AS version_id,
    COALESCE(
      (SELECT tc.to_tier_code FROM partners_tierchange tc
       WHERE tc.enrolment_id = e.id AND tc.effective_on <= en.sold_on
       ORDER BY tc.effective_on DESC, tc.id DESC LIMIT 1),
      CASE WHEN NOT EXISTS (SELECT 1 FROM partners_tierchange tc2 WHERE tc2.enrolment_id = e.id)
           THEN COALESCE(e.override_tier_code, e.tier_code) END
    ) AS tier_code
  FROM enr en LEFT JOIN partners_enrolment e ON e.id = en.enrolment_id
),
ctxv AS (
  SELECT c.*, v.currency AS reward_currency, v.referral_reward_percent
  FROM ctx c LEFT JOIN programmes_programmeversion v ON v.id = c.version_id
),
curdays AS (
  SELECT DISTINCT currency, sold_on FROM pending
  UNION SELECT DISTINCT reward_currency, sold_on FROM ctxv WHERE reward_currency IS NOT NULL
),
fx AS (
  SELECT cd.currency, cd.sold_on,
    (SELECT x.value FROM rewards_exchangerate x WHERE x.currency = cd.currency AND x."on" <= cd.sold_on
       AND x."on" >= {_minus_days("cd.sold_on")} ORDER BY x."on" DESC LIMIT 1) AS value,
    (SELECT x.nominal FROM rewards_exchangerate x WHERE x.currency = cd.currency AND x."on" <= cd.sold_on
       AND x."on" >= {_minus_days("cd.sold_on")} ORDER BY x."on" DESC LIMIT 1) AS nominal
  FROM curdays cd
)
SELECT p.id, p.organisation_id, p.sold_on, p.currency, p.amount, pf.code, p.sale_type, p.source,
       p.uplift_percent, p.share_percent, p.cooperation_model,
       c.enrolment_id, c.role_code, c.version_id, c.tier_code, c.reward_currency, c.referral_reward_percent,
       r.kind, r.has_tiers, rr.percent,
       rl1.percent, rl2.percent, rl3.percent, rl4.percent,
       f1.value, f1.nominal, f2.value, f2.nominal
FROM pending p
JOIN programmes_productfamily pf ON pf.id = p.product_family_id
JOIN ctxv c ON c.organisation_id = p.organisation_id AND c.sold_on = p.sold_on
LEFT JOIN programmes_programmerole r ON r.version_id = c.version_id AND r.code = c.role_code
LEFT JOIN programmes_tier t ON t.version_id = c.version_id AND t.code = c.tier_code
LEFT JOIN programmes_rewardrate rr
  ON rr.tier_id = t.id AND rr.product_family_id = p.product_family_id AND rr.sale_type = p.sale_type
LEFT JOIN {rr} rl1 ON {role_join.format(a="rl1")} AND rl1.product_family_id = p.product_family_id
  AND rl1.sale_type = p.sale_type
LEFT JOIN {rr} rl2 ON {role_join.format(a="rl2")} AND rl2.product_family_id = p.product_family_id
  AND rl2.sale_type = ''
LEFT JOIN {rr} rl3 ON {role_join.format(a="rl3")} AND rl3.product_family_id IS NULL AND rl3.sale_type = p.sale_type
LEFT JOIN {rr} rl4 ON {role_join.format(a="rl4")} AND rl4.product_family_id IS NULL AND rl4.sale_type = ''
LEFT JOIN fx f1 ON f1.currency = p.currency AND f1.sold_on = p.sold_on
LEFT JOIN fx f2 ON f2.currency = c.reward_currency AND f2.sold_on = p.sold_on
ORDER BY p.id
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
