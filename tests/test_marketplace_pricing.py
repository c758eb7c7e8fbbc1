"""The charge computation (marketplace/pricing.py): exact Decimal arithmetic, checked against plain definitions."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from partnerhub.marketplace.pricing import Tier, charge_amount, graduated, package, parse_tiers, volume

money = st.decimals(min_value=0, max_value=100000, places=2, allow_nan=False, allow_infinity=False)
quantities = st.integers(min_value=0, max_value=5000).map(Decimal)


@st.composite
def tier_lists(draw):
    bounds = sorted(set(draw(st.lists(st.integers(min_value=1, max_value=3000), min_size=0, max_size=4))))
    ups = [Decimal(b) for b in bounds] + [None]
    return tuple(Tier(up_to=u, unit=draw(money), flat=draw(money)) for u in ups)


def _unit_by_unit(quantity: int, tiers) -> Decimal:
    """Graduated pricing by definition: each unit priced by the tier it falls into, plus each reached tier's fee."""
    total, reached = Decimal(0), set()
    for n in range(1, quantity + 1):
        i = next(i for i, t in enumerate(tiers) if t.up_to is None or n <= t.up_to)
        total += tiers[i].unit
        reached.add(i)
    return total + sum((tiers[i].flat for i in reached), Decimal(0))


@given(quantity=st.integers(min_value=0, max_value=400), tiers=tier_lists())
def test_graduated_prices_every_unit_in_its_own_tier(quantity, tiers):
    assert graduated(Decimal(quantity), tiers) == _unit_by_unit(quantity, tiers)


@given(quantity=quantities, tiers=tier_lists())
def test_volume_prices_every_unit_at_the_tier_of_the_whole_quantity(quantity, tiers):
    result = volume(quantity, tiers)
    if quantity == 0:
        assert result == 0
        return
    tier = next(t for t in tiers if t.up_to is None or quantity <= t.up_to)
    assert result == quantity * tier.unit + tier.flat


@given(quantity=quantities, tiers=tier_lists())
def test_graduated_never_decreases_as_quantity_grows(quantity, tiers):
    assert graduated(quantity + 1, tiers) >= graduated(quantity, tiers)


@given(quantity=quantities, amount=money, block=st.integers(min_value=1, max_value=500))
def test_package_charges_whole_started_blocks(quantity, amount, block):
    blocks = package(quantity, amount=amount, block_size=block) / amount if amount else None
    if amount:
        assert blocks == int(blocks)
        assert (blocks - 1) * block < quantity <= blocks * block or quantity == blocks == 0


@given(quantity=quantities, amount=money)
def test_per_unit_and_usage_are_linear_and_rounded_once(quantity, amount):
    assert charge_amount("per_unit", quantity=quantity, amount=amount) == (quantity * amount).quantize(Decimal("0.01"))
    assert charge_amount("payg", quantity=quantity, amount=amount) == charge_amount(
        "per_unit", quantity=quantity, amount=amount
    )


def test_fractional_usage_is_rounded_half_up_only_at_the_end():
    # 3 × 0.005 = 0.015 → 0.02 (rounding each unit first would give 0.03; floats give 0.01 or 0.02 by luck)
    assert charge_amount("payg", quantity=Decimal(3), amount=Decimal("0.005")) == Decimal("0.02")
    assert charge_amount("payg", quantity=Decimal("1234.5"), amount=Decimal("0.10")) == Decimal("123.45")


def test_each_charge_model_on_a_worked_example():
    tiers = (Tier(Decimal(10), Decimal(500)), Tier(None, Decimal(400), Decimal(1000)))
    assert charge_amount("flat", amount=Decimal("990")) == Decimal("990.00")
    assert charge_amount("per_unit", quantity=Decimal(12), amount=Decimal("500")) == Decimal("6000.00")
    assert charge_amount("graduated", quantity=Decimal(12), tiers=tiers) == Decimal("6800.00")  # 10×500 + 2×400 + 1000
    assert charge_amount("volume", quantity=Decimal(12), tiers=tiers) == Decimal("5800.00")  # 12×400 + 1000
    assert charge_amount("package", quantity=Decimal(101), amount=Decimal("300"), block_size=50) == Decimal("900.00")
    assert charge_amount("setup", amount=Decimal("5000")) == Decimal("5000.00")
    assert charge_amount("setup", amount=Decimal("5000"), first_period=False) == Decimal("0.00")


@pytest.mark.parametrize(
    ("raw", "path"),
    [
        ([], "tiers"),
        ([{"up_to": 10, "unit": "1"}], "tiers.0"),  # the last tier must be open
        ([{"up_to": 10, "unit": "1"}, {"up_to": 10, "unit": "1"}, {"unit": "1"}], "tiers.1"),
        ([{"up_to": None, "unit": "-1"}], "tiers.0"),
        ([{"up_to": None, "unit": "NaN"}], "tiers.0"),
        ([{"up_to": "ten", "unit": "1"}, {"unit": "1"}], "tiers.0"),
    ],
)
def test_bad_tiers_are_refused_with_their_position(raw, path):
    with pytest.raises(ValidationError) as exc:
        parse_tiers(raw)
    assert path in exc.value.message_dict
