"""Property tests of the rating engine and the ledger, against an independent reference calculation.

Generated sales (tiers, families, sale types, currencies, deal uplifts and reduced shares) are rated by
the set-based job, then corrected or cancelled at random. Whatever happens: every entry balances, every
current rating equals the reference (written here with fractions, not the engine's code), and each
partner's accrued balance equals the reference total of the sales that still count — a clawback is never
subtracted twice.
"""

from datetime import date
from decimal import Decimal
from fractions import Fraction
from math import floor
from pathlib import Path

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from partnerhub.partners.services import enrol
from partnerhub.programmes import services as programmes
from partnerhub.programmes.models import ProductFamily
from partnerhub.rewards import services
from partnerhub.rewards.models import ExchangeRate, JournalEntry, LedgerLine, Rating, Sale
from partnerhub.rewards.services.ledger import balances

from .factories import OrganisationFactory

pytestmark = pytest.mark.django_db

DEFINITIONS = Path(programmes.__file__).parent / "definitions"
DAY = date(2026, 3, 10)
RATES = {"RUB": Fraction(1), "USD": Fraction("92.5"), "EUR": Fraction("100.1234"), "KZT": Fraction("18.3456") / 100}
# The 002 table: tier -> family -> percent for new sales; renewals by tier.
NEW = {"authorized": {"software": 25, "appliance": 15, "hardware": 15},
       "certified": {"software": 30, "appliance": 20, "hardware": 20},
       "privileged": {"software": 35, "appliance": 25, "hardware": 25}}  # fmt: skip
RENEWAL = {"authorized": 25, "certified": 30, "privileged": 35}


def half_up(x: Fraction, places: int) -> Fraction:
    scale = 10**places
    return Fraction(floor(x * scale + Fraction(1, 2)), scale)


def reference_reward(*, tier, family, sale_type, amount, currency, uplift, share) -> Decimal:
    percent = NEW[tier][family] if sale_type == "new" else RENEWAL[tier]
    fx = half_up(RATES[currency] / RATES["RUB"], 10)
    base = half_up(Fraction(amount) * fx, 2)
    reward = half_up(base * (percent + Fraction(uplift)) * Fraction(share) / 10000, 2)
    return Decimal(reward.numerator) / Decimal(reward.denominator)


@pytest.fixture
def setup(db, world):
    version = programmes.import_programme(actor=None, path=DEFINITIONS / "security_002.yaml")
    partners = {}
    for tier in NEW:
        org = OrganisationFactory()
        enrol(actor=None, organisation=org, programme=version.programme, role_code="reseller",
              starting_tier_code=tier, joined_on=date(2026, 1, 1), active=True)  # fmt: skip
        partners[tier] = org
    for code, value in (("USD", "92.5"), ("EUR", "100.1234"), ("KZT", "18.3456")):
        ExchangeRate.objects.create(currency=code, on=DAY, value=Decimal(value), nominal=100 if code == "KZT" else 1)
    families = {f.code: f for f in ProductFamily.objects.all()}
    return world, partners, families


amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999999.99"), places=2)
sale_specs = st.fixed_dictionaries({
    "tier": st.sampled_from(list(NEW)),
    "family": st.sampled_from(["software", "appliance", "hardware"]),
    "sale_type": st.sampled_from(["new", "renewal"]),
    "amount": amounts,
    "currency": st.sampled_from(list(RATES)),
    "uplift": st.sampled_from([Decimal(0), Decimal("2.5"), Decimal(5)]),
    "share": st.sampled_from([Decimal(100), Decimal(50), Decimal("33.33")]),
    "then": st.one_of(st.none(), st.just("cancel"), amounts),
})  # fmt: skip


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=st.lists(sale_specs, min_size=1, max_size=8))
@example(specs=[  # ties at half a kopeck: 0.02 × 25% = 0.005 and 0.10 × 25% = 0.025, then a correction onto one
    {"tier": "authorized", "family": "software", "sale_type": "new", "amount": Decimal("0.02"), "currency": "RUB",
     "uplift": Decimal(0), "share": Decimal(100), "then": None},
    {"tier": "authorized", "family": "software", "sale_type": "new", "amount": Decimal("0.10"), "currency": "RUB",
     "uplift": Decimal(0), "share": Decimal(100), "then": Decimal("0.30")},
])  # fmt: skip
def test_rating_matches_the_reference_the_ledger_balances_and_reversals_never_double_count(setup, specs):
    world, partners, families = setup
    with transaction.atomic():
        sales = [
            Sale.objects.create(
                organisation=partners[s["tier"]], customer_name="К", product_family=families[s["family"]],
                sale_type=s["sale_type"], amount=s["amount"], currency=s["currency"], sold_on=DAY,
                uplift_percent=s["uplift"], share_percent=s["share"],
            )
            for s in specs
        ]  # fmt: skip
        services.rate_pending()
        services.rate_pending()  # a second run changes nothing
        final = {}
        for sale, s in zip(sales, specs, strict=True):
            if s["then"] == "cancel":
                services.end_sale(actor=world.finance, sale=sale, status="cancelled", reason="test")
            elif s["then"] is not None:
                new = services.correct_sale(actor=world.finance, sale=sale, amount=str(s["then"]), reason="test")
                final[new.pk] = {**s, "amount": s["then"]}
            else:
                final[sale.pk] = s

        for entry_id, total in LedgerLine.objects.values_list("entry_id").annotate(t=Sum("amount")):
            assert total == 0, entry_id
        current = {r.sale_id: r for r in Rating.objects.filter(is_current=True)}
        assert set(current) == set(final)
        expected_by_org: dict[int, Decimal] = {}
        for sale_id, s in final.items():
            ref = reference_reward(tier=s["tier"], family=s["family"], sale_type=s["sale_type"], amount=s["amount"],
                                   currency=s["currency"], uplift=s["uplift"], share=s["share"])  # fmt: skip
            assert current[sale_id].reward == ref, s
            org = partners[s["tier"]].pk
            expected_by_org[org] = expected_by_org.get(org, Decimal(0)) + ref
        for tier, org in partners.items():
            accrued = balances([org.pk]).get((org.pk, "RUB"), {}).get("accrued", Decimal(0))
            assert accrued == expected_by_org.get(org.pk, Decimal(0)), tier
        ended = sum(1 for s in specs if s["then"] is not None)
        assert JournalEntry.objects.filter(kind="reversal").count() == ended
        transaction.set_rollback(True)
