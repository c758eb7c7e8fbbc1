"""Tier evaluation at scale (issue 8).

Builds 50,000 partners enrolled in the security-software programme (the `002` table),
with 12 months of sales (about 1.2 million rows), specialists and certifications (some
expired) and obligation records, on PostgreSQL; then re-evaluates all of them twice:
the first run applies every change (history, audit), the second finds nothing to change.

Baseline, measured in the same run: one SQL statement computing every input of every
enrolment (sales and purchases per window, certified staff, obligations, website),
fetched into Python. Goals: the first run under 10 s, a run with nothing to change under
5 s and within 5× the baseline. The peak Python memory of a run (tracemalloc, in a third,
untimed run) is compared with holding the baseline's result (every input at once); it is
bounded by the batch, so its goal does not scale.

    make bench            # all benchmarks
    python -m benchmarks tiers
    BENCH_SCALE=0.1 python -m benchmarks tiers   # 5,000 partners
"""

from __future__ import annotations

import os
import random
import time
from datetime import date, timedelta
from decimal import Decimal

from .db import scratch_database, setup_django
from .report import Figure, absolute_goal, scaled, summary

PARTNERS = int(os.environ.get("BENCH_PARTNERS", scaled(50000)))
ON = date(2026, 11, 1)


def build(n: int) -> dict:
    from django.db import connection
    from django.utils import timezone

    from partnerhub.enablement.models import CertificationType
    from partnerhub.identity.validators import inn_check_digits
    from partnerhub.partners.models import Enrolment
    from partnerhub.programmes.models import ProductFamily, Programme

    from .programme import load_security_programme

    rng = random.Random(2026)
    version = load_security_programme()
    programme = Programme.objects.get(pk=version.programme_id)
    families = list(ProductFamily.objects.values_list("pk", flat=True))
    cert_type = CertificationType.objects.get(code="security-engineer")
    now = timezone.now()
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        raw = cur.connection
        with (
            raw.cursor() as c,
            c.copy(
                "COPY identity_organisation (kind, name, legal_name, inn, kpp, ogrn, country, region, city, address, "
                "website, email, phone, is_active, created_at, updated_at) FROM STDIN"
            ) as copy,
        ):
            for i in range(n):
                prefix = f"{10 + i % 80:02d}{i:07d}"
                inn = prefix + inn_check_digits(prefix)
                website = f"https://p{i}.example" if i % 3 else ""
                copy.write_row(("partner", f"Partner {i}", "", inn, f"{prefix[:4]}01001", "", "RU", "Region", "City",
                                "", website, "", "", True, now, now))  # fmt: skip
        cur.execute("SELECT id FROM identity_organisation WHERE kind = 'partner' ORDER BY id")
        org_ids = [r[0] for r in cur.fetchall()]
        with (
            raw.cursor() as c,
            c.copy(
                "COPY partners_enrolment (organisation_id, programme_id, role_code, status, joined_on, "
                "override_reason, explanation, evaluation_digest, created_at) FROM STDIN"
            ) as copy,
        ):
            for org in org_ids:
                copy.write_row((org, programme.pk, "reseller", "active", date(2025, 1, 1), "", "{}", "", now))
        sales = 0
        with (
            raw.cursor() as c,
            c.copy(
                "COPY rewards_sale (organisation_id, customer_name, customer_inn, product_family_id, product, "
                "quantity, sale_type, amount, currency, sold_on, external_ref, source, invoice_number, "
                "uplift_percent, share_percent, cooperation_model, status, created_at) FROM STDIN"
            ) as copy,
        ):
            for org in org_ids:
                scale = rng.choice([2_000, 20_000, 45_000, 90_000, 150_000])
                for month in range(12):
                    day = ON - timedelta(days=30 * month + rng.randint(1, 28))
                    for _ in range(rng.randint(0, 3)):
                        amount = Decimal(rng.randint(scale // 4, scale)).quantize(Decimal("0.01"))
                        copy.write_row((org, "Customer", "", rng.choice(families), "", 1,
                                        rng.choice(["new", "renewal"]), amount, "RUB", day, "", "import", "",
                                        Decimal(0), Decimal(100), "", "active", now))  # fmt: skip
                        sales += 1
        with (
            raw.cursor() as c,
            c.copy(
                "COPY enablement_specialist (organisation_id, full_name, email, position, is_active, created_at) "
                "FROM STDIN"
            ) as copy,
        ):
            for org in org_ids:
                for k in range(rng.choice([0, 1, 1, 2])):
                    copy.write_row((org, f"Engineer {k}", "", "", True, now))
        cur.execute("SELECT id FROM enablement_specialist ORDER BY id")
        specialist_ids = [r[0] for r in cur.fetchall()]
        with (
            raw.cursor() as c,
            c.copy(
                "COPY enablement_certification (specialist_id, type_id, number, level, revoke_reason, issued_on, "
                "expires_on, created_at) FROM STDIN"
            ) as copy,
        ):
            for sid in specialist_ids:
                expires = ON - timedelta(days=10) if rng.random() < 0.15 else ON + timedelta(days=300)
                copy.write_row((sid, cert_type.pk, "", "", "", date(2024, 1, 1), expires, now))
        with (
            raw.cursor() as c,
            c.copy(
                "COPY partners_obligationrecord (organisation_id, obligation, valid_from, valid_until, status, note, "
                "evidence_url, evidence_file, review_reason, created_at) FROM STDIN"
            ) as copy,
        ):
            for org in org_ids:
                for obligation, share in (("monthly_reports", 0.85), ("reviews", 0.9), ("joint_promotion", 0.2),
                                          ("renewals_work", 0.3), ("vendor_info_on_site", 0.7)):  # fmt: skip
                    if rng.random() < share:
                        copy.write_row((org, obligation, date(2025, 1, 1), None, "accepted", "", "", "", "", now))
        cur.execute("ANALYZE")
    return {
        "programme": programme, "partners": len(org_ids), "sales": sales, "specialists": len(specialist_ids),
        "build_seconds": time.perf_counter() - t0, "enrolments": Enrolment.objects.count(),
    }  # fmt: skip


BASELINE_SQL = """
SELECT e.id, e.organisation_id, s.v0, s.v1, s.c0, s.c1, c.n, o.done, org.website <> ''
FROM partners_enrolment e
JOIN identity_organisation org ON org.id = e.organisation_id
LEFT JOIN (
    SELECT organisation_id,
           SUM(amount) FILTER (WHERE sold_on >= %(this_year)s AND currency = 'RUB') AS v0,
           SUM(amount) FILTER (WHERE sold_on < %(this_year)s AND currency = 'RUB') AS v1,
           COUNT(*) FILTER (WHERE sold_on >= %(this_year)s) AS c0,
           COUNT(*) FILTER (WHERE sold_on < %(this_year)s) AS c1
    FROM rewards_sale WHERE sold_on >= %(last_year)s AND sold_on <= %(on)s AND status = 'active'
    GROUP BY organisation_id
) s ON s.organisation_id = e.organisation_id
LEFT JOIN (
    SELECT sp.organisation_id, COUNT(DISTINCT sp.id) AS n
    FROM enablement_certification ce
    JOIN enablement_specialist sp ON sp.id = ce.specialist_id
    JOIN enablement_certificationtype t ON t.id = ce.type_id
    WHERE t.code = 'security-engineer' AND sp.is_active AND ce.issued_on <= %(on)s
      AND (ce.expires_on IS NULL OR ce.expires_on > %(on)s)
    GROUP BY sp.organisation_id
) c ON c.organisation_id = e.organisation_id
LEFT JOIN (
    SELECT organisation_id, array_agg(obligation) AS done FROM partners_obligationrecord
    WHERE status = 'accepted' AND valid_from <= %(on)s AND (valid_until IS NULL OR valid_until > %(on)s)
    GROUP BY organisation_id
) o ON o.organisation_id = e.organisation_id
WHERE e.programme_id = %(programme)s AND e.status = 'active'
"""


def baseline(programme_id: int) -> tuple[float, int]:
    """One statement computing every evaluation input, fetched: seconds and rows."""
    from django.db import connection

    params = {"this_year": date(ON.year, 1, 1), "last_year": date(ON.year - 1, 1, 1), "on": ON,
              "programme": programme_id}  # fmt: skip
    with connection.cursor() as cur:
        t0 = time.perf_counter()
        cur.execute(BASELINE_SQL, params)
        rows = cur.fetchall()
        return time.perf_counter() - t0, len(rows)


def baseline_memory(programme_id: int) -> float:
    """Peak Python memory (MB) of holding the baseline's result: every input of every partner."""
    import tracemalloc

    tracemalloc.start()
    baseline(programme_id)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    import tracemalloc

    with scratch_database("partnerhub_bench_tiers"):
        setup_django()
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from partnerhub.partners.models import Enrolment
        from partnerhub.partners.tiers import evaluate_programme

        data = build(PARTNERS)
        pid = data["programme"].pk
        print(f"== tier evaluation on PostgreSQL {connection.pg_version // 10000}: "
              f"{data['partners']:,} partners, {data['sales']:,} sales, {data['specialists']:,} specialists "
              f"(built in {data['build_seconds']:.1f} s)")  # fmt: skip
        from django.urls import reverse

        reverse("partner-tier")  # load the URL configuration (once per worker process), as a worker has
        baseline(pid)  # warm the caches the same way for both
        base_s, base_rows = baseline(pid)
        print(f"  baseline: one SQL statement computing every input of {base_rows:,} enrolments: {base_s:.2f} s")
        timings = {}
        for key, label in (("first_run", "first run (applies every change)"),
                           ("no_change", "second run (nothing to change)")):  # fmt: skip
            with CaptureQueriesContext(connection) as queries:
                t0, cpu0 = time.perf_counter(), time.process_time()
                s = evaluate_programme(programme=data["programme"], on=ON)
                timings[key] = time.perf_counter() - t0
                cpu = time.process_time() - cpu0
            print(f"  {label}: {timings[key]:.2f} s ({timings[key] / base_s:.1f}× baseline; this process's CPU "
                  f"{cpu:.2f} s, the rest is the database and waiting), {len(queries)} queries, "
                  f"{s.batches} batches, evaluated {s.evaluated:,}, written {s.written:,}, upgraded {s.upgraded:,}, "
                  f"downgraded {s.downgraded:,}, unchanged {s.unchanged:,}")  # fmt: skip
        tracemalloc.start()
        evaluate_programme(programme=data["programme"], on=ON)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        base_mem = baseline_memory(pid)
        print(f"  peak Python memory of a run (tracemalloc): {peak:.1f} MB; holding every input at once: "
              f"{base_mem:.1f} MB")  # fmt: skip
        counts: dict = {}
        for (code,) in Enrolment.objects.values_list("tier_code").order_by("tier_code").iterator(chunk_size=10000):
            counts[code] = counts.get(code, 0) + 1
        print("  tiers after evaluation:", ", ".join(f"{k or 'none'}: {v:,}" for k, v in sorted(
            counts.items(), key=lambda kv: str(kv[0]))))  # fmt: skip
        first_goal, first_label = absolute_goal(10, "s")
        same_goal, same_label = absolute_goal(5, "s")
        summary([
            Figure("tiers.first_run", timings["first_run"], base_s, "s", first_label,
                   timings["first_run"] < first_goal),
            Figure("tiers.no_change", timings["no_change"], base_s, "s", f"{same_label},ratio<=5",
                   timings["no_change"] < same_goal and timings["no_change"] <= 5 * base_s),
            # Bounded by the batch (5,000 partners), whatever the number of partners.
            Figure("tiers.peak_memory", peak, base_mem, "MB", "<32MB", peak < 32),
        ])  # fmt: skip


if __name__ == "__main__":
    main()
