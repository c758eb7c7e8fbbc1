"""The rating engine: the 002 table to the kopeck, tier history, roles without tiers, deal uplift and
reduced share, exchange rates, idempotent runs, corrections and the ledger they post."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Sum

from partnerhub.partners.models import TierChange
from partnerhub.partners.services import enrol
from partnerhub.programmes import services as programmes
from partnerhub.programmes.models import ProductFamily, ProgrammeVersion
from partnerhub.rewards import services
from partnerhub.rewards.models import (
    ExchangeRate,
    JournalEntry,
    LedgerLine,
    Rating,
    RatingIssue,
    RoleRate,
)
from partnerhub.rewards.services.ledger import balances
from partnerhub.rewards.tasks import rate_pending_sales

from .factories import OrganisationFactory

pytestmark = pytest.mark.django_db

DEFINITIONS = Path(programmes.__file__).parent / "definitions"


@pytest.fixture
def p002(db) -> ProgrammeVersion:
    return programmes.import_programme(actor=None, path=DEFINITIONS / "security_002.yaml")


def partner(version, tier="authorized", role="reseller", joined=date(2026, 1, 1)):
    org = OrganisationFactory()
    enrol(actor=None, organisation=org, programme=version.programme, role_code=role, starting_tier_code=tier,
          joined_on=joined, active=True)  # fmt: skip
    return org


def sell(world, org, amount, *, family="software", sale_type="new", on="2026-03-10", currency="RUB", **kw):
    return services.record_sale(actor=world.finance, organisation=org, customer_name="ООО Клиент",
                                product_family=family, sale_type=sale_type, amount=str(amount), currency=currency,
                                sold_on=date.fromisoformat(on), **kw)  # fmt: skip


def reward(sale) -> Decimal:
    return Rating.objects.get(sale=sale, is_current=True).reward


TABLE_002 = {  # tier -> (software, appliance, hardware, renewals)
    "authorized": (25, 15, 15, 25),
    "certified": (30, 20, 20, 30),
    "privileged": (35, 25, 25, 35),
}


@pytest.mark.parametrize("tier", list(TABLE_002))
def test_the_002_table_is_rated_exactly(world, p002, tier):
    org = partner(p002, tier)
    software, appliance, hardware, renewal = TABLE_002[tier]
    cases = [
        ("software", "new", software), ("appliance", "new", appliance), ("hardware", "new", hardware),
        ("software", "renewal", renewal), ("appliance", "renewal", renewal), ("hardware", "renewal", renewal),
    ]  # fmt: skip
    for family, sale_type, percent in cases:
        sale = sell(world, org, "100000.00", family=family, sale_type=sale_type)
        rating = Rating.objects.get(sale=sale)
        assert rating.reward == Decimal(percent * 1000), (family, sale_type)
        assert (rating.rate_percent, rating.tier_code, rating.version_id) == (percent, tier, p002.pk)
        assert rating.rule == f"tier:{tier}:{family}:{sale_type}" and rating.basis == "resale"


@pytest.mark.parametrize(
    ("amount", "tier", "family", "expected"),
    [
        ("0.10", "authorized", "software", "0.03"),  # 0.025: half-up, not half-even
        ("0.02", "authorized", "software", "0.01"),  # 0.005
        ("0.01", "authorized", "software", "0.00"),  # 0.0025
        ("0.10", "authorized", "hardware", "0.02"),  # 0.015
        ("1.98", "privileged", "software", "0.69"),  # 0.693
        ("99999.99", "certified", "appliance", "20000.00"),  # 19999.998
        ("12345678.91", "privileged", "software", "4320987.62"),  # 4320987.6185
    ],
)  # fmt: skip
def test_boundary_amounts_round_half_up_to_the_kopeck_per_line(world, p002, amount, tier, family, expected):
    org = partner(p002, tier)
    assert reward(sell(world, org, amount, family=family)) == Decimal(expected)


def test_the_tier_on_the_sale_date_rates_it(world, p002):
    org = partner(p002, "authorized")
    enrolment = org.enrolments.get()
    TierChange.objects.create(enrolment=enrolment, effective_on=date(2026, 4, 1), from_tier_code="authorized",
                              to_tier_code="privileged", version=p002, cause="evaluation")  # fmt: skip
    march = sell(world, org, 1000, on="2026-03-31")
    april = sell(world, org, 1000, on="2026-04-01")
    assert (reward(march), reward(april)) == (Decimal("250.00"), Decimal("350.00"))
    assert Rating.objects.get(sale=april).tier_code == "privileged"


def test_a_role_without_tiers_rates_by_its_own_rates(world, p002):
    from partnerhub.programmes.models import ProgrammeRole

    ProgrammeRole.objects.create(version=p002, code="agent", name="Агент", kind="agency", has_tiers=False)
    RoleRate.objects.create(version=p002, role_code="agent", product_family=None, sale_type="", percent=10)
    RoleRate.objects.create(version=p002, role_code="agent", product_family=ProductFamily.objects.get(code="software"),
                            sale_type="new", percent=12)  # fmt: skip
    org = partner(p002, tier=None, role="agent")
    sw, hw = sell(world, org, 1000), sell(world, org, 1000, family="hardware")
    assert (reward(sw), reward(hw)) == (Decimal("120.00"), Decimal("100.00"))
    rating = Rating.objects.get(sale=hw)
    assert (rating.rule, rating.basis, rating.tier_code) == ("role:agent:*:*", "agency", "")


def test_a_won_deal_rates_with_the_claims_uplift_and_reduced_share(world, p002):
    org = partner(p002, "certified")
    line = services.WonLine(line_id=1, product_family=ProductFamily.objects.get(code="software"), product="TI",
                            sale_type="new", amount=Decimal("10000.00"))  # fmt: skip
    kw = {"actor": None, "organisation": org, "customer_name": "ООО", "customer_inn": "", "currency": "RUB",
          "closed_on": date(2026, 3, 1), "lines": [line]}  # fmt: skip
    (full,) = services.record_won_deal(deal_id=1, uplift_percent=Decimal(5), **kw)
    (second,) = services.record_won_deal(deal_id=2, uplift_percent=Decimal(5), share_percent=Decimal(50), **kw)
    assert reward(full) == Decimal("3500.00")  # (30 + 5)% of 10,000
    assert reward(second) == Decimal("1750.00")  # the second partner's 50% share of it
    r = Rating.objects.get(sale=second)
    assert (r.rate_percent, r.uplift_percent, r.share_percent) == (30, 5, 50)
    assert services.record_won_deal(deal_id=2, uplift_percent=Decimal(5), share_percent=Decimal(50), **kw) == [second]
    assert Rating.objects.filter(sale=second).count() == 1


def test_a_foreign_currency_sale_is_converted_at_its_dates_rate_and_a_missing_rate_waits(world, p002):
    org = partner(p002, "authorized")
    ExchangeRate.objects.create(currency="USD", on=date(2026, 3, 6), value=Decimal("92.5000"), nominal=1)
    sale = sell(world, org, "100.00", on="2026-03-09", currency="USD")  # Monday: Friday's rate
    rating = Rating.objects.get(sale=sale)
    assert (rating.fx_rate, rating.base_amount, rating.currency, rating.reward) == (
        Decimal("92.5"), Decimal("9250.00"), "RUB", Decimal("2312.50"))  # fmt: skip
    late = sell(world, org, "100.00", on="2026-03-20", currency="USD")
    assert not Rating.objects.filter(sale=late).exists()
    issue = RatingIssue.objects.get(sale=late)
    assert issue.code == "missing_rate" and "USD" in issue.message and "2026-03-20" in issue.message
    ExchangeRate.objects.create(currency="USD", on=date(2026, 3, 20), value=Decimal("90"), nominal=1)
    assert rate_pending_sales()["rated"] == 1
    assert reward(late) == Decimal("2250.00") and not RatingIssue.objects.exists()


def test_the_job_is_idempotent(world, p002):
    org = partner(p002, "authorized")
    sell(world, org, 1000)
    entries = JournalEntry.objects.count()
    assert rate_pending_sales()["rated"] == 0
    assert services.rate_pending().rated == 0
    assert JournalEntry.objects.count() == entries and Rating.objects.count() == 1


def test_unrated_sales_say_why(world, p002):
    outsider = OrganisationFactory()
    sale = sell(world, outsider, 1000)
    assert RatingIssue.objects.get(sale=sale).code == "not_enrolled"
    early = sell(world, partner(p002, "authorized"), 1000, on="2025-12-31")
    assert RatingIssue.objects.get(sale=early).code == "not_enrolled"


def _accrued(org, currency="RUB") -> Decimal:
    return balances([org.pk]).get((org.pk, currency), {}).get("accrued", Decimal(0))


def test_a_correction_reverses_at_the_original_rating_and_accrues_afresh(world, p002):
    org = partner(p002, "certified")
    sale = sell(world, org, 1000)
    TierChange.objects.create(
        enrolment=org.enrolments.get(),
        effective_on=date(2026, 1, 1),
        from_tier_code="certified",
        to_tier_code="privileged",
        version=p002,
        cause="override",
    )
    new = services.correct_sale(actor=world.finance, sale=sale, amount="2000.00", reason="Счёт исправлен")
    old_rating = Rating.objects.get(sale=sale)
    assert not old_rating.is_current and old_rating.reversal.kind == "reversal"
    assert reward(new) == Decimal("700.00")  # the corrected sale is rated as of today's knowledge
    assert _accrued(org) == Decimal("700.00")  # 300 accrued, 300 reversed, 700 accrued
    reversal_lines = LedgerLine.objects.filter(entry=old_rating.reversal).values_list("account", "amount")
    assert sorted(reversal_lines) == [("accrued", Decimal("300.00")), ("vendor_expense", Decimal("-300.00"))]
    services.end_sale(actor=world.finance, sale=new, status="refunded", reason="Возврат")
    assert _accrued(org) == Decimal("0.00")
    with pytest.raises(Exception, match="no longer counts"):
        services.end_sale(actor=world.finance, sale=new, status="cancelled", reason="again")
    assert _accrued(org) == Decimal("0.00")
    assert LedgerLine.objects.aggregate(s=Sum("amount"))["s"] == 0


def test_posted_ledger_rows_cannot_be_changed_or_deleted(world, p002):
    sell(world, partner(p002, "authorized"), 1000)
    line = LedgerLine.objects.first()
    with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic():
        LedgerLine.objects.filter(pk=line.pk).update(amount=Decimal("1"))
    with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic():
        LedgerLine.objects.filter(pk=line.pk).delete()
    with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic():
        JournalEntry.objects.filter(pk=line.entry_id).update(memo="changed")
    assert LedgerLine.objects.get(pk=line.pk).amount == line.amount
