"""Back-test: a draft programme version over a past period's sales, beside what was accrued — posting nothing."""

import pytest

from partnerhub.core.models import AuditEntry
from partnerhub.programmes import services as programmes
from partnerhub.rewards.models import JournalEntry, LedgerLine, Rating

from .test_rewards_rating import p002, partner, sell  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db

RATES = [  # the draft raises the Authorized software rate from 25% to 27%; everything else as published
    {"product_family": "software", "sale_type": "new", "percent": 27},
    {"product_family": "appliance", "sale_type": "new", "percent": 15},
    {"product_family": "hardware", "sale_type": "new", "percent": 15},
    {"product_family": "software", "sale_type": "renewal", "percent": 25},
    {"product_family": "appliance", "sale_type": "renewal", "percent": 25},
    {"product_family": "hardware", "sale_type": "renewal", "percent": 25},
]


@pytest.fixture
def draft(world, p002):
    version = programmes.create_draft_from_published(actor=world.vendor_admin, programme=p002.programme)
    return programmes.set_reward_rates(actor=world.vendor_admin, version=version, tier_code="authorized", rates=RATES)


def _backtest_setup(world, p002):
    a, c = partner(p002, "authorized"), partner(p002, "certified")
    sell(world, a, "100000.00", on="2026-02-10")  # software, new: 25,000 accrued; the draft: 27,000
    sell(world, a, "50000.00", family="hardware", on="2026-02-11")  # 7,500 both
    sell(world, c, "100000.00", on="2026-03-05")  # certified: 30,000 both
    sell(world, a, "100000.00", on="2026-04-02")  # outside the period
    return a, c


def test_a_draft_is_rated_over_the_period_beside_what_was_accrued(world, p002, draft, api):
    a, c = _backtest_setup(world, p002)
    finance = api(world.finance)  # its token is created (and audited) here
    counts = (Rating.objects.count(), JournalEntry.objects.count(), LedgerLine.objects.count(),
              AuditEntry.objects.count())  # fmt: skip
    r = finance.post("/backtests", {"version_id": draft.pk, "start": "2026-01-01", "end": "2026-03-31"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["lines"] == 3 and body["unrated"] == []
    assert body["totals"] == [{"currency": "RUB", "would_pay": "64500.00", "accrued": "62500.00",
                               "difference": "2000.00"}]  # fmt: skip
    rows = {(x["organisation_id"], x["tier_code"]): x for x in body["rows"]}
    assert rows[(a.pk, "authorized")]["would_pay"] == "34500.00" and rows[(a.pk, "authorized")]["accrued"] == "32500.00"
    assert rows[(a.pk, "authorized")]["tier"] == "Authorized" and rows[(a.pk, "authorized")]["lines"] == 2
    assert rows[(c.pk, "certified")]["difference"] == "0.00"
    after = (Rating.objects.count(), JournalEntry.objects.count(), LedgerLine.objects.count(),
             AuditEntry.objects.count())  # fmt: skip
    assert after == counts  # nothing posted, nothing rated, nothing audited


def test_a_tier_the_draft_lacks_is_reported_with_the_engines_reason(world, p002, draft, client):
    _backtest_setup(world, p002)
    sell(world, partner(p002, "privileged"), "10000.00", on="2026-03-01")
    version = programmes.remove_tier(actor=world.vendor_admin, version=draft, tier_code="privileged")
    client.force_login(world.vendor_admin)
    r = client.get("/rewards/backtest/", {"version": version.pk, "start": "2026-01-01", "end": "2026-03-31"})
    assert r.status_code == 200
    html = r.content.decode()
    assert 'data-testid="backtest-unrated"' in html and "privileged" in html  # the engine's reason, and one line
    assert 'data-tier="authorized"' in html and 'data-tier="certified"' in html


def test_bad_periods_and_outsiders(world, p002, draft, api, client):
    r = api(world.finance).post("/backtests", {"version_id": draft.pk, "start": "2026-03-31",
                                                        "end": "2026-01-01"})  # fmt: skip
    assert r.status_code == 422 and "end" in str(r.json())
    r = api(world.finance).post("/backtests", {"version_id": draft.pk, "start": "2025-01-01",
                                                        "end": "2026-03-31"})  # fmt: skip
    assert r.status_code == 422
    r = api(world.a_admin).post("/backtests", {"version_id": draft.pk, "start": "2026-01-01",
                                                        "end": "2026-03-31"})  # fmt: skip
    assert r.status_code == 404  # a partner: no such thing
    client.force_login(world.a_admin)
    assert client.get("/rewards/backtest/").status_code == 404
    client.force_login(world.vendor_admin)
    r = client.get("/rewards/backtest/", {"version": draft.pk, "start": "2026-03-31", "end": "2026-01-01"})
    assert r.status_code == 422 and "The period ends before it starts." in r.content.decode()
