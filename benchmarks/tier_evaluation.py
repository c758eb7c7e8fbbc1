"""Tier evaluation at scale (issue: programmes and tiers).

Builds 50,000 partners enrolled in the security-software programme (the `002` table),
with 12 months of sales (about 1.2 million rows), specialists and certifications (some
expired) and obligation records, on PostgreSQL; then re-evaluates all of them twice:
the first run applies every change (history, audit), the second finds nothing to change.
Goal: the full re-evaluation under 30 seconds on a 2-core machine, set-based.

    make bench            # all benchmarks
    python -m benchmarks tiers
    BENCH_PARTNERS=5000 python -m benchmarks tiers   # a smaller run
"""

from __future__ import annotations

import os
import random
import time
from datetime import date, timedelta
from decimal import Decimal

from .db import scratch_database, setup_django

PARTNERS = int(os.environ.get("BENCH_PARTNERS", "50000"))
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
                "override_reason, explanation, created_at) FROM STDIN"
            ) as copy,
        ):
            for org in org_ids:
                copy.write_row((org, programme.pk, "reseller", "active", date(2025, 1, 1), "", "{}", now))
        sales = 0
        with (
            raw.cursor() as c,
            c.copy(
                "COPY rewards_sale (organisation_id, customer_name, customer_inn, product_family_id, product, "
                "sale_type, amount, currency, sold_on, external_ref, source, created_at) FROM STDIN"
            ) as copy,
        ):
            for org in org_ids:
                scale = rng.choice([2_000, 20_000, 45_000, 90_000, 150_000])
                for month in range(12):
                    day = ON - timedelta(days=30 * month + rng.randint(1, 28))
                    for _ in range(rng.randint(0, 3)):
                        amount = Decimal(rng.randint(scale // 4, scale)).quantize(Decimal("0.01"))
                        copy.write_row((org, "Customer", "", rng.choice(families), "", rng.choice(["new", "renewal"]),
                                        amount, "RUB", day, "", "import", now))  # fmt: skip
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
                "COPY enablement_certification (specialist_id, type_id, number, issued_on, expires_on, created_at) "
                "FROM STDIN"
            ) as copy,
        ):
            for sid in specialist_ids:
                expires = ON - timedelta(days=10) if rng.random() < 0.15 else ON + timedelta(days=300)
                copy.write_row((sid, cert_type.pk, "", date(2024, 1, 1), expires, now))
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


def main() -> None:
    with scratch_database("partnerhub_bench_tiers"):
        setup_django()
        from django.db import connection, reset_queries
        from django.test.utils import CaptureQueriesContext

        from partnerhub.partners.evaluation import evaluate_programme
        from partnerhub.partners.models import Enrolment

        data = build(PARTNERS)
        print(f"tier evaluation benchmark on PostgreSQL {connection.pg_version // 10000}: "
              f"{data['partners']:,} partners, {data['sales']:,} sales, {data['specialists']:,} specialists "
              f"(built in {data['build_seconds']:.1f} s)")  # fmt: skip
        for label in ("first run (applies every change)", "second run (nothing to change)"):
            reset_queries()
            with CaptureQueriesContext(connection) as queries:
                t0 = time.perf_counter()
                summary = evaluate_programme(programme=data["programme"], on=ON)
                seconds = time.perf_counter() - t0
            print(f"  {label}: {seconds:.2f} s, {len(queries)} queries, evaluated {summary.evaluated:,}, "
                  f"upgraded {summary.upgraded:,}, downgraded {summary.downgraded:,}, "
                  f"unchanged {summary.unchanged:,}")  # fmt: skip
        dist = Enrolment.objects.values_list("tier_code").order_by("tier_code")
        counts: dict = {}
        for (code,) in dist.iterator(chunk_size=10000):
            counts[code] = counts.get(code, 0) + 1
        print("  tiers after evaluation:", ", ".join(f"{k or 'none'}: {v:,}" for k, v in sorted(
            counts.items(), key=lambda kv: str(kv[0]))))  # fmt: skip
        print("  goal: under 30 s for the full re-evaluation")
