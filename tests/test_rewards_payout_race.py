"""A payout run started twice at the same moment pays once; a preparation sent twice makes one run.

Real concurrent transactions need a server database (SQLite serialises every writer anyway): each thread has
its own connection. CI runs the suite on PostgreSQL too, where these tests run.
"""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from partnerhub.rewards.models import JournalEntry, PayoutItem, PayoutRun
from partnerhub.rewards.services import payouts, settlement
from partnerhub.rewards.services.ledger import balances
from tests.reward_builders import rated_march

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent PostgreSQL transactions")


def _payable(world):
    rated_march(world, paid_on=date(2026, 3, 15))
    settlement.close_period(actor=world.finance, month=date(2026, 3, 1))
    settlement.close_period(actor=world.finance, month=date(2026, 4, 1))


def _race(calls):
    """Run the calls in threads released together by a barrier; returns each one's result or exception."""
    barrier = threading.Barrier(len(calls))
    results: dict[int, object] = {}

    def go(n, call):
        try:
            barrier.wait(timeout=10)
            results[n] = call()
        except Exception as exc:
            results[n] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=go, args=(n, call)) for n, call in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return [results.get(n) for n in range(len(calls))]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(3))
def test_a_run_paid_twice_at_once_pays_once(world, round_):
    _payable(world)
    run = payouts.prepare_run(actor=world.finance, currency="RUB")
    payouts.approve_run(actor=world.vendor_admin, run=run)
    results = _race([lambda: payouts.mark_paid(actor=world.finance, run=run),
                     lambda: payouts.mark_paid(actor=world.vendor_admin, run=run)])  # fmt: skip
    assert all(isinstance(r, PayoutRun) and r.status == "paid" for r in results), results
    assert JournalEntry.objects.filter(kind="payout").count() == 1
    assert balances([world.partner_a.pk])[(world.partner_a.pk, "RUB")]["paid"] == Decimal("400.00")


@pytest.mark.django_db(transaction=True)
def test_a_preparation_sent_twice_at_once_makes_one_run(world):
    _payable(world)
    results = _race([lambda: payouts.prepare_run(actor=world.finance, currency="RUB", key="twice")] * 2)
    assert all(isinstance(r, PayoutRun) for r in results), results
    assert {r.pk for r in results} == {PayoutRun.objects.get().pk}
    assert PayoutItem.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_preparations_at_once_select_a_balance_once(world):
    _payable(world)
    results = _race([lambda: payouts.prepare_run(actor=world.finance, currency="RUB"),
                     lambda: payouts.prepare_run(actor=world.vendor_admin, currency="RUB")])  # fmt: skip
    assert sorted(type(r).__name__ for r in results) == ["PayoutRun", "ValidationError"], results
    assert isinstance(next(r for r in results if not isinstance(r, PayoutRun)), ValidationError)
    assert PayoutItem.objects.count() == 1
