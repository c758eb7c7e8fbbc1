"""The conflict check at deal registration against 1,000,000 existing deals (issue: deals).

Builds 1,000,000 claims of 2,000 partners on PostgreSQL (about 40% of them active:
awaiting approval, under review or protected; the rest won, lost or expired), then times
the claim matcher (:func:`partnerhub.deals.matching.find_matches`, the check every
registration runs) for 1,000 new registrations: a third name an existing customer in
another script or spelling, a third give an existing INN, a third are freshly drawn names
(Faker's ru_RU and en_US company providers: realistic names, so many share a surname with an
existing customer and match it, as they would in life).
Baseline, measured in the same run: the raw name candidate query alone (the name arms of the
statement the matcher sends, without its INN/domain lookups or the scoring).
Goal (issue 8): p95 under 10 ms and within 1.2× the baseline's p95.

    make bench
    python -m benchmarks deals
    BENCH_SCALE=0.1 python -m benchmarks deals   # 100,000 deals, 100 registrations
"""

from __future__ import annotations

import os
import random
import statistics
import time
from datetime import timedelta

from .db import scratch_database, setup_django
from .report import Figure, scaled, summary

DEALS = int(os.environ.get("BENCH_DEALS", scaled(1000000)))
PARTNERS = scaled(2000)
CHECKS = int(os.environ.get("BENCH_CHECKS", scaled(1000, minimum=100)))

_FAKERS: list = []


def company(rng: random.Random) -> str:
    """A realistic customer name: Faker's ru_RU (70%) and en_US company providers, seeded."""
    if not _FAKERS:
        from faker import Faker

        Faker.seed(2026)
        _FAKERS.extend([Faker("ru_RU"), Faker("en_US")])
    return (_FAKERS[0] if rng.random() < 0.7 else _FAKERS[1]).company()


def build(n: int) -> list[tuple[str, str, str]]:
    from django.db import connection
    from django.utils import timezone

    from partnerhub.deals.keys import domain_key, match_keys, name_key, transliterate
    from partnerhub.identity.validators import inn_check_digits

    rng = random.Random(2026)
    now = timezone.now()
    t0 = time.perf_counter()
    samples: list[tuple[str, str, str]] = []
    with connection.cursor() as cur:
        # Bulk load as a DBA would: the name index collects the million rows' keys in its pending list and
        # merges them once (VACUUM below), then goes back to taking each registration's keys at once.
        cur.execute("ALTER INDEX claim_active_match_keys SET (fastupdate = on)")
        raw = cur.connection
        with raw.cursor() as c, c.copy(
            "COPY identity_organisation (kind, name, legal_name, inn, kpp, ogrn, country, region, city, address, "
            "website, email, phone, is_active, created_at, updated_at) FROM STDIN"
        ) as copy:  # fmt: skip
            for i in range(PARTNERS):
                prefix = f"50{i:07d}"
                copy.write_row(("partner", f"Partner {i}", "", prefix + inn_check_digits(prefix), "", "", "RU",
                                "Москва", "Москва", "", "", "", "", True, now, now))  # fmt: skip
        cur.execute("SELECT min(id), max(id) FROM identity_organisation WHERE kind = 'partner'")
        lo, hi = cur.fetchone()
        statuses = ["pending", "held", "protected", "protected", "won", "won", "lost", "lost", "expired", "withdrawn"]
        with raw.cursor() as c, c.copy(
            "COPY deals_claim (organisation_id, tier_code, kind, origin, status, stage, cooperation_model, title, "
            "customer_name, customer_inn, customer_domain, customer_region, customer_city, name_key, match_keys, "
            "domain_key, currency, amount, contact_name, contact_email, contact_phone, description, decision_reason, "
            "hold_reasons, registered_at, last_activity_at, uplift_percent, benefit_share_percent, lock_version, "
            "created_at, updated_at) FROM STDIN"
        ) as copy:  # fmt: skip
            for i in range(n):
                name = company(rng)
                key = name_key(name)
                prefix = f"{10 + i % 80:02d}{i:07d}"
                inn = prefix + inn_check_digits(prefix)
                domain = f"client-{i}.ru" if i % 2 else ""
                status = statuses[i % len(statuses)]
                at = now - timedelta(days=rng.randint(0, 700))
                copy.write_row((rng.randint(lo, hi), "", "deal", "registered", status,
                                "won" if status == "won" else "registered", "resale", name[:200], name, inn, domain,
                                "Москва", "Москва", key, match_keys(key), domain_key(domain), "RUB", "100000.00",
                                "", "", "", "", "", "[]", at, at, 0, 100, 1, now, now))  # fmt: skip
                if status in ("pending", "held", "protected") and len(samples) < CHECKS and rng.random() < 0.01:
                    samples.append((name, inn, domain))
    with connection.cursor() as cur:  # what autovacuum does on a live system: merge the GIN pending list
        cur.execute("VACUUM ANALYZE deals_claim")
        cur.execute("ALTER INDEX claim_active_match_keys SET (fastupdate = off)")
    print(f"  built {n:,} deals of {PARTNERS:,} partners in {time.perf_counter() - t0:.1f} s")

    def latin(name: str) -> str:
        bare = name.split("«", 1)[-1].rstrip("»")
        return transliterate(bare.lower()).title() + " LLC"

    checks = []
    for i in range(CHECKS):
        kind = i % 3
        if kind == 0 and samples:
            name, _inn, _dom = samples[i % len(samples)]
            checks.append(("variant", latin(name), "", ""))
        elif kind == 1 and samples:
            _name, inn, dom = samples[i % len(samples)]
            checks.append(("inn", company(rng), inn, dom))
        else:
            checks.append(("new", company(rng), "", ""))
    return checks


def measure(checks) -> tuple[dict[str, list[float]], list[float]]:
    """(the conflict check's times by kind, the raw name candidate query's times), in ms. Each registration
    runs both back to back, in alternating order, so that the two see the same machine and caches."""
    from django.db import connection, transaction

    from partnerhub.deals.keys import domain_key, name_key
    from partnerhub.deals.matching import MAX_CANDIDATES, NAME_CANDIDATES_SQL, find_matches, name_lookup_params

    def check(name, inn, dom):
        t = time.perf_counter()
        with transaction.atomic():
            matches = find_matches(name_key=name_key(name), inn=inn, domain_key=domain_key(dom),
                                   exclude_organisation_id=None)  # fmt: skip
        return (time.perf_counter() - t) * 1000, matches

    def raw(name):
        """The name arms of the matcher's statement on their own: no INN/domain arms, no scoring."""
        params = {"org": 0, "cap": MAX_CANDIDATES, **name_lookup_params(name_key(name))}
        t = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(NAME_CANDIDATES_SQL, params)
            cur.fetchall()
        return (time.perf_counter() - t) * 1000

    times: dict[str, list[float]] = {"all": []}
    base: list[float] = []
    found = {"variant": 0, "inn": 0, "new": 0}
    identical = 0  # "new" registrations whose best match scores 100: the same name is already in the data
    for i, (kind, name, inn, dom) in enumerate(checks):
        if i % 2:
            base.append(raw(name))
            ms, matches = check(name, inn, dom)
        else:
            ms, matches = check(name, inn, dom)
            base.append(raw(name))
        times["all"].append(ms)
        times.setdefault(kind, []).append(ms)
        found[kind] += bool(matches)
        identical += kind == "new" and bool(matches) and matches[0].score == 100
    for kind, hits in found.items():
        total = sum(1 for c in checks if c[0] == kind)
        print(f"  {kind:8s} registrations matching an existing claim: {hits}/{total}")
    print(
        f"  of the 'new' matches, {identical} name a customer already in the data under the same name "
        "(score 100: Faker draws from a finite stock of names, so at this size most are real repeats)"
    )
    return times, base


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    print(f"== deal conflict check: {DEALS:,} existing deals, {CHECKS:,} registrations checked (PostgreSQL)")
    with scratch_database("partnerhub_bench_deals"):
        setup_django()
        checks = build(DEALS)
        measure(checks[:50])  # warm the caches
        times, base = measure(checks)
        for kind in ("all", "variant", "inn", "new"):
            v = times.get(kind, [])
            if v:
                print(f"  {kind:8s} p50 {statistics.median(v):6.2f} ms   p95 {pct(v, 95):6.2f} ms   "
                      f"max {max(v):6.2f} ms   (n={len(v)})")  # fmt: skip
        b95 = pct(base, 95)
        p95 = pct(times["all"], 95)
        print(f"  baseline (raw name candidate query) p50 {statistics.median(base):6.2f} ms   p95 {b95:6.2f} ms")
        print(f"  conflict check p95 {p95:.2f} ms = {p95 / b95:.2f}× the baseline")
        # A latency goal: it does not scale with the data (a smaller run only makes it easier).
        summary([Figure("deals.conflict_check_p95", p95, b95, "ms", "<10ms,ratio<=1.2", p95 < 10 and p95 <= 1.2 * b95)])


if __name__ == "__main__":
    main()
