"""Rating 1,000,000 sale lines and posting their ledger entries (issue 9).

Builds partners enrolled in the `002` programme with tier history (everyone starts Authorized, a third are
upgraded during the half-year), a million sales over six months in roubles, dollars and euros (some from
registered deals with an uplift or a reduced share), and the Bank of Russia's rates on working days only
(weekend sales take Friday's rate); then

* the baseline: one hand-written SQL statement computing every partner's reward total per currency, and
* the engine: `rewards.services.rate_pending()` — resolves, rates, writes a rating per line and posts one
  accrual per partner and currency to the ledger,

and checks that the ledger's totals equal the baseline's to the kopeck.
Goal: the engine under 60 s and at most 3× the baseline.

    python -m benchmarks rewards
    BENCH_SCALE=0.1 python -m benchmarks rewards   # 100,000 lines of 200 partners
"""

from __future__ import annotations

import os
import random
import time
from datetime import date, timedelta
from decimal import Decimal

from .db import scratch_database, setup_django
from .report import Figure, absolute_goal, scaled, summary

SALES = int(os.environ.get("BENCH_SALES", scaled(1_000_000)))
PARTNERS = int(os.environ.get("BENCH_REWARD_PARTNERS", scaled(2000)))
START = date(2026, 1, 1)
DAYS = 181

BASELINE_SQL = """
WITH tiers AS (
  SELECT enrolment_id, to_tier_code AS code, effective_on AS since,
         LEAD(effective_on) OVER (PARTITION BY enrolment_id ORDER BY effective_on, id) AS until
  FROM partners_tierchange
), versions AS (
  SELECT id, programme_id, currency, effective_from AS since,
         LEAD(effective_from) OVER (PARTITION BY programme_id ORDER BY effective_from, number) AS until
  FROM programmes_programmeversion WHERE status = 'published'
), rates AS (
  SELECT currency, value / nominal AS per_unit, "on" AS since,
         LEAST(LEAD("on") OVER (PARTITION BY currency ORDER BY "on"), "on" + 11) AS until
  FROM rewards_exchangerate
)
SELECT s.organisation_id, v.currency,
       SUM(ROUND(ROUND(s.amount * CASE WHEN s.currency = v.currency THEN 1 ELSE ROUND(x.per_unit, 10) END, 2)
                 * (rr.percent + s.uplift_percent) * s.share_percent / 10000, 2)) AS total
FROM rewards_sale s
JOIN partners_enrolment e ON e.organisation_id = s.organisation_id AND e.joined_on <= s.sold_on
JOIN tiers t ON t.enrolment_id = e.id AND t.since <= s.sold_on AND (t.until IS NULL OR s.sold_on < t.until)
JOIN versions v ON v.programme_id = e.programme_id AND v.since <= s.sold_on AND (v.until IS NULL OR s.sold_on < v.until)
JOIN programmes_tier pt ON pt.version_id = v.id AND pt.code = t.code
JOIN programmes_rewardrate rr
  ON rr.tier_id = pt.id AND rr.product_family_id = s.product_family_id AND rr.sale_type = s.sale_type
LEFT JOIN rates x ON x.currency = s.currency AND x.since <= s.sold_on AND s.sold_on < x.until
WHERE s.status = 'active'
GROUP BY s.organisation_id, v.currency
"""

ENGINE_TOTALS_SQL = """
SELECT l.organisation_id, l.currency, SUM(l.amount) FROM rewards_ledgerline l
WHERE l.account = 'vendor_expense' GROUP BY l.organisation_id, l.currency
"""


def build(n_partners: int, n_sales: int) -> dict:
    from django.db import connection
    from django.utils import timezone

    from partnerhub.identity.validators import inn_check_digits
    from partnerhub.programmes.models import ProductFamily, Programme

    from .programme import load_security_programme

    rng = random.Random(2026)
    version = load_security_programme()
    programme = Programme.objects.get(pk=version.programme_id)
    families = list(ProductFamily.objects.values_list("pk", flat=True))
    now = timezone.now()
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        raw = cur.connection
        with raw.cursor() as c, c.copy(
            "COPY identity_organisation (kind, name, legal_name, inn, kpp, ogrn, country, region, city, address, "
            "website, email, phone, is_active, created_at, updated_at) FROM STDIN"
        ) as copy:  # fmt: skip
            for i in range(n_partners):
                prefix = f"{10 + i % 80:02d}{i:07d}"
                copy.write_row(("partner", f"Partner {i}", "", prefix + inn_check_digits(prefix), f"{prefix[:4]}01001",
                                "", "RU", "Region", "City", "", "", "", "", True, now, now))  # fmt: skip
        cur.execute("SELECT id FROM identity_organisation WHERE kind = 'partner' ORDER BY id")
        org_ids = [r[0] for r in cur.fetchall()]
        with raw.cursor() as c, c.copy(
            "COPY partners_enrolment (organisation_id, programme_id, role_code, status, joined_on, tier_code, "
            "override_reason, explanation, created_at) FROM STDIN"
        ) as copy:  # fmt: skip
            for org in org_ids:
                copy.write_row((org, programme.pk, "reseller", "active", START, "authorized", "", "{}", now))
        cur.execute("SELECT id FROM partners_enrolment ORDER BY id")
        enrolments = [r[0] for r in cur.fetchall()]
        with raw.cursor() as c, c.copy(
            "COPY partners_tierchange (enrolment_id, at, effective_on, from_tier_code, to_tier_code, version_id, "
            "cause, reason, explanation) FROM STDIN"
        ) as copy:  # fmt: skip
            for k, e in enumerate(enrolments):
                copy.write_row((e, now, START, None, "authorized", version.pk, "onboarding", "", "{}"))
                if k % 3 == 0:
                    up = START + timedelta(days=rng.randint(20, 160))
                    copy.write_row((e, now, up, "authorized", rng.choice(["certified", "privileged"]), version.pk,
                                    "evaluation", "", "{}"))  # fmt: skip
        with raw.cursor() as c, c.copy(
            'COPY rewards_exchangerate (currency, "on", value, nominal, source, created_at) FROM STDIN'
        ) as copy:  # fmt: skip
            for d in range(-7, DAYS):
                day = START + timedelta(days=d)
                if day.weekday() < 5:
                    copy.write_row(("USD", day, Decimal(rng.randint(880000, 960000)) / 10000, 1, "cbr_file", now))
                    copy.write_row(("EUR", day, Decimal(rng.randint(950000, 1050000)) / 10000, 1, "cbr_file", now))
        with raw.cursor() as c, c.copy(
            "COPY rewards_sale (organisation_id, customer_name, customer_inn, product_family_id, product, quantity, "
            "sale_type, amount, currency, sold_on, external_ref, source, invoice_number, uplift_percent, "
            "share_percent, cooperation_model, status, created_at) FROM STDIN"
        ) as copy:  # fmt: skip
            for _ in range(n_sales):
                cur_code = rng.choices(["RUB", "USD", "EUR"], weights=[90, 7, 3])[0]
                amount = Decimal(rng.randint(100, 50_000_000)) / 100 if cur_code == "RUB" else \
                    Decimal(rng.randint(100, 500_000)) / 100  # fmt: skip
                deal = rng.random() < 0.1
                copy.write_row((rng.choice(org_ids), "Customer", "", rng.choice(families), "", 1,
                                rng.choice(["new", "renewal"]), amount, cur_code,
                                START + timedelta(days=rng.randrange(DAYS)), "", "deal" if deal else "import", "",
                                Decimal(5) if deal else Decimal(0), Decimal(50) if deal and rng.random() < 0.3
                                else Decimal(100), "", "active", now))  # fmt: skip
        cur.execute("ANALYZE")
    return {"partners": len(org_ids), "sales": n_sales, "build_seconds": time.perf_counter() - t0}


def _totals(sql: str) -> dict[tuple[int, str], Decimal]:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL work_mem = '256MB'")  # the memory the engine's statement gets, for a fair baseline
        cur.execute(sql)
        return {(org, cur_code): Decimal(total) for org, cur_code, total in cur.fetchall()}


def write_floor() -> float:
    """Seconds to resolve and rate every line with the engine's own SQL and write each as the narrowest row that
    could trace it (sale, partner, entry, terms, rate, amounts) under the two indexes it cannot do without (its
    key, one current rating per sale) — rolled back. What any one-row-per-line design pays before the ledger."""
    from django.db import connection, transaction

    from partnerhub.rewards import rating as engine
    from partnerhub.rewards.fx import max_age

    rated = engine.rated_sql(engine.resolution_sql(sale_filter="", order=False))

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("SET LOCAL work_mem = '256MB'")
            cur.execute(
                "CREATE TABLE bench_floor (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, sale_id bigint "
                "NOT NULL, organisation_id bigint NOT NULL, entry_id bigint NOT NULL, terms_id integer NOT NULL, "
                "is_current boolean NOT NULL, fx numeric(24,10) NOT NULL, base numeric(18,2) NOT NULL, "
                "reward numeric(18,2) NOT NULL)"
            )
            cur.execute("CREATE UNIQUE INDEX bench_floor_current ON bench_floor (sale_id) WHERE is_current")
            t0 = time.perf_counter()
            cur.execute(
                "INSERT INTO bench_floor (sale_id, organisation_id, entry_id, terms_id, is_current, fx, base, reward) "
                f"SELECT sale_id, organisation_id, 0, 0, true, fx, base, reward FROM ({rated}) x WHERE issue IS NULL",
                {"max_age": max_age()},
            )
            seconds = time.perf_counter() - t0
            raise Rollback
    except Rollback:
        return seconds


def main() -> None:
    with scratch_database("partnerhub_bench_rewards"):
        setup_django()
        from django.db import connection

        from partnerhub.rewards.models import LedgerLine, Rating, RatingIssue
        from partnerhub.rewards.services import rate_pending

        data = build(PARTNERS, SALES)
        print(f"rewards benchmark on PostgreSQL {connection.pg_version // 10000}: {data['partners']:,} partners, "
              f"{data['sales']:,} sale lines (built in {data['build_seconds']:.1f} s)")  # fmt: skip
        t0 = time.perf_counter()
        baseline = _totals(BASELINE_SQL)
        baseline_s = time.perf_counter() - t0
        print(f"  baseline, one hand-written SQL statement: {baseline_s:.2f} s, {len(baseline):,} partner totals")
        floor_s = write_floor()
        print(f"  floor, the engine's resolution written as one narrow row per line (rolled back): {floor_s:.2f} s "
              f"= {floor_s / baseline_s:.1f}x the baseline")  # fmt: skip
        t0 = time.perf_counter()
        run = rate_pending()
        engine_s = time.perf_counter() - t0
        print(f"  engine, rate_pending(): {engine_s:.2f} s — {run.rated:,} lines rated, {run.issues:,} waiting, "
              f"{run.entries:,} accruals posted, {Rating.objects.count():,} ratings, "
              f"{LedgerLine.objects.count():,} ledger lines")  # fmt: skip
        engine = _totals(ENGINE_TOTALS_SQL)
        same = engine == baseline and not RatingIssue.objects.exists()
        grand = {c: sum(v for (_o, cc), v in baseline.items() if cc == c) for c in {c for _o, c in baseline}}
        print(f"  totals identical to the kopeck: {'yes' if same else 'NO'} "
              f"({', '.join(f'{v:,} {c}' for c, v in sorted(grand.items()))})")  # fmt: skip
        t0 = time.perf_counter()
        again = rate_pending()
        print(f"  second run (nothing pending): {time.perf_counter() - t0:.2f} s, {again.rated} rated")
        goal, label = absolute_goal(60, "s")
        summary([Figure("rewards", engine_s, baseline_s, "s", f"{label},<=3x,same_totals",
                        same and engine_s < goal and engine_s <= 3 * baseline_s)])  # fmt: skip


if __name__ == "__main__":
    main()
