"""The benchmarks' data builders still fit the schema, and what they build gives the answers the benchmarks check.

`make bench` is run by people, not by CI; these tests build each benchmark's data at a tiny scale on PostgreSQL
(the builders bulk-load with COPY, which SQLite lacks) so a new required column fails here, not on the day
somebody measures. The rewards case also holds the benchmark's own correctness check: the engine's ledger
totals equal the hand-written statement's, to the kopeck.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from benchmarks import deal_conflicts, list_pages, rewards, tier_evaluation

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the builders bulk-load with COPY")


def _totals(sql: str) -> dict[tuple[int, str], Decimal]:
    with connection.cursor() as cur:
        cur.execute(sql)
        return {(org, cur_code): Decimal(total) for org, cur_code, total in cur.fetchall()}


@pytest.mark.django_db
def test_rewards_benchmark_engine_totals_equal_the_hand_written_statement():
    from partnerhub.rewards.models import Rating, RatingIssue
    from partnerhub.rewards.services import rate_pending

    data = rewards.build(12, 400)
    assert data == {"partners": 12, "sales": 400, "build_seconds": data["build_seconds"]}
    baseline = _totals(rewards.BASELINE_SQL)
    assert len(baseline) == 12 and all(v > 0 for v in baseline.values())
    run = rate_pending()
    assert run.rated == 400 and run.issues == 0 and not RatingIssue.objects.exists()
    assert Rating.objects.filter(is_current=True).count() == 400
    assert _totals(rewards.ENGINE_TOTALS_SQL) == baseline


@pytest.mark.django_db
def test_tier_benchmark_data_evaluates_like_the_baseline_statement_counts():
    from partnerhub.partners.models import Enrolment
    from partnerhub.partners.tiers import evaluate_programme

    data = tier_evaluation.build(30)
    assert data["partners"] == 30 and data["enrolments"] == 30
    _seconds, rows = tier_evaluation.baseline(data["programme"].pk)
    assert rows == 30  # one row of inputs per enrolment
    first = evaluate_programme(programme=data["programme"], on=tier_evaluation.ON)
    assert first.evaluated == 30 and first.written > 0
    assert Enrolment.objects.exclude(tier_code="").exists()
    again = evaluate_programme(programme=data["programme"], on=tier_evaluation.ON)
    assert again.evaluated == 30 and again.written == 0  # nothing changed: nothing rewritten


@pytest.mark.django_db(transaction=True)
def test_list_and_conflict_benchmark_data_load(monkeypatch):
    from partnerhub.deals.models import Claim

    monkeypatch.setattr(list_pages, "PARTNERS", 20)
    monkeypatch.setattr(list_pages, "DEALS", 60)
    cookies = list_pages.build()
    assert set(cookies) == {"vendor", "partner", "anonymous"} and cookies["vendor"]
    assert Claim.objects.count() == 60

    monkeypatch.setattr(deal_conflicts, "PARTNERS", 5)
    deal_conflicts.build(200)
    assert Claim.objects.count() == 260
    assert not Claim.objects.filter(match_keys=[]).exists()
