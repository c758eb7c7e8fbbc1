"""What a charge costs for a quantity in one billing period: pure functions, exact Decimal arithmetic.

No database, no floats. Amounts are computed exactly and rounded once, half-up to the currency's
cent (``core.money.quantize``), at the end of :func:`charge_amount`; tiers are never rounded one by one.

Charge models (``choices.ChargeModel``):

* ``flat`` — the amount per period, whatever the quantity;
* ``per_unit`` — amount × quantity;
* ``graduated`` — each tier prices the units that fall into it (units 1–10 at one price, 11–50
  at the next…), plus each reached tier's flat fee;
* ``volume`` — the tier the *whole* quantity falls into prices every unit, plus that tier's flat fee;
* ``package`` — amount per started block of ``block_size`` units (0 units cost nothing);
* ``payg`` — amount × the usage measured on the metric in the period;
* ``setup`` — the amount once, on the first period only.

A tier list is ordered by ``up_to`` (inclusive upper bound), the last tier open (``up_to`` None).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from partnerhub.core.money import quantize

from .choices import ChargeModel

ZERO = Decimal(0)


@dataclass(frozen=True)
class Tier:
    up_to: Decimal | None  # inclusive; None: no upper bound (the last tier)
    unit: Decimal
    flat: Decimal = ZERO


def parse_tiers(raw: Sequence[dict], *, field: str = "tiers") -> tuple[Tier, ...]:
    """Tiers from their stored form, checked: ascending bounds, the last one open, no negative prices."""
    if not raw:
        raise ValidationError({field: [ValidationError(_("Give at least one tier."), code="required")]})
    tiers = []
    previous = ZERO
    for i, item in enumerate(raw):
        try:
            up_to = None if item.get("up_to") in (None, "") else Decimal(str(item["up_to"]))
            unit = Decimal(str(item.get("unit", "0") or "0"))
            flat = Decimal(str(item.get("flat", "0") or "0"))
        except (ArithmeticError, AttributeError, TypeError, ValueError):
            raise ValidationError({f"{field}.{i}": [_("Write the bound and prices as numbers.")]}) from None
        if not all(x.is_finite() for x in (unit, flat, *(() if up_to is None else (up_to,)))):
            raise ValidationError({f"{field}.{i}": [_("Write the bound and prices as numbers.")]})
        if unit < 0 or flat < 0:
            raise ValidationError({f"{field}.{i}": [_("Prices cannot be negative.")]})
        last = i == len(raw) - 1
        if last and up_to is not None:
            raise ValidationError({f"{field}.{i}": [_("The last tier has no upper bound.")]})
        if not last and (up_to is None or up_to <= previous):
            raise ValidationError({f"{field}.{i}": [_("Each tier's upper bound must exceed the one before.")]})
        tiers.append(Tier(up_to=up_to, unit=unit, flat=flat))
        previous = up_to if up_to is not None else previous
    return tuple(tiers)


def graduated(quantity: Decimal, tiers: Sequence[Tier]) -> Decimal:
    total, lower = ZERO, ZERO
    for tier in tiers:
        if quantity <= lower:
            break
        upper = quantity if tier.up_to is None else min(quantity, tier.up_to)
        total += (upper - lower) * tier.unit + tier.flat
        if tier.up_to is None:
            break
        lower = tier.up_to
    return total


def volume(quantity: Decimal, tiers: Sequence[Tier]) -> Decimal:
    if quantity <= 0:
        return ZERO
    for tier in tiers:
        if tier.up_to is None or quantity <= tier.up_to:
            return quantity * tier.unit + tier.flat
    raise ValueError("the last tier must be open")  # parse_tiers guarantees it


def package(quantity: Decimal, *, amount: Decimal, block_size: int) -> Decimal:
    if quantity <= 0:
        return ZERO
    # Decimal's // truncates towards zero (it is no floor), so -(-q // n) is not a ceiling: whole blocks
    # and a remainder, exact for a non-negative quantity, and one more block for a started one.
    blocks, rest = divmod(quantity, block_size)
    return (blocks + (1 if rest else 0)) * amount


def charge_amount(
    model: str,
    *,
    quantity: Decimal = ZERO,
    amount: Decimal | None = None,
    tiers: Sequence[Tier] = (),
    block_size: int | None = None,
    first_period: bool = True,
) -> Decimal:
    """The charge for one period, rounded half-up to the cent."""
    quantity = Decimal(quantity)
    if quantity < 0:
        raise ValueError("quantity cannot be negative")
    if model == ChargeModel.FLAT:
        exact = amount
    elif model in (ChargeModel.PER_UNIT, ChargeModel.PAYG):
        exact = amount * quantity
    elif model == ChargeModel.GRADUATED:
        exact = graduated(quantity, tiers)
    elif model == ChargeModel.VOLUME:
        exact = volume(quantity, tiers)
    elif model == ChargeModel.PACKAGE:
        exact = package(quantity, amount=amount, block_size=block_size)
    elif model == ChargeModel.SETUP:
        exact = amount if first_period else ZERO
    else:
        raise ValueError(f"unknown charge model {model!r}")
    return quantize(exact)


def starting_price(model: str, *, amount: Decimal | None, tiers: Sequence[Tier]) -> Decimal | None:
    """The figure a catalogue shows beside a charge ("from …"): the amount, or the first tier's unit price."""
    if model in (ChargeModel.GRADUATED, ChargeModel.VOLUME):
        return tiers[0].unit if tiers else None
    return amount
