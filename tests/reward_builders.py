"""Shared data of the period, statement and payout tests: partner A with rated March sales of the 002 programme."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from partnerhub.partners.services import enrol
from partnerhub.programmes import services as programmes
from partnerhub.programmes.models import ProductFamily
from partnerhub.rewards import services
from partnerhub.rewards.models import Sale

DEFINITIONS = Path(programmes.__file__).parent / "definitions"


def rated_march(world, *, paid_on: date | None = None):
    """A, Certified in 002, two sales of 10 March 2026 (software 1000 → 300, hardware 500 → 100) rated on
    20 March; the software sale's customer paid on ``paid_on`` (the hardware sale carries no payment)."""
    version = programmes.import_programme(actor=None, path=DEFINITIONS / "security_002.yaml")
    enrol(actor=None, organisation=world.partner_a, programme=version.programme, role_code="reseller",
          starting_tier_code="certified", joined_on=date(2026, 1, 1), active=True)  # fmt: skip
    sw, hw = ProductFamily.objects.get(code="software"), ProductFamily.objects.get(code="hardware")
    sales = [
        Sale.objects.create(organisation=world.partner_a, customer_name=name, product_family=fam, amount=amount,
                            currency="RUB", sold_on=date(2026, 3, 10), invoice_number="INV-1", invoice_line=n,
                            paid_on=paid)
        for n, (name, fam, amount, paid) in enumerate(
            [("ООО Альфа-Клиент", sw, "1000.00", paid_on), ("ООО Б", hw, "500.00", None)], start=1)
    ]  # fmt: skip
    services.rate_pending(on=date(2026, 3, 20))
    return version, sales


def approved_payout_run(world, organisation) -> int:
    """An approved payout run holding only ``organisation``'s payout of 100 RUB (adjusted, released by hand)."""
    from partnerhub.rewards.services import payouts
    from partnerhub.rewards.services.ledger import post_by_hand

    for kind in ("adjustment", "release"):
        post_by_hand(actor=world.finance, organisation=organisation, kind=kind, currency="RUB", amount="100",
                     reason="matrix")  # fmt: skip
    run = payouts.prepare_run(actor=world.finance, currency="RUB")
    return payouts.approve_run(actor=world.vendor_admin, run=run).pk
