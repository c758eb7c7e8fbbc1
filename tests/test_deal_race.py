"""Two partners register the same customer at the same moment: exactly one is first.

Real concurrent transactions need a server database; SQLite serialises every writer anyway.
CI runs the suite on PostgreSQL too, where this test runs.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from partnerhub.deals.models import Claim, ClaimConflict
from tests.deal_builders import register
from tests.factories import valid_inn

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent PostgreSQL transactions")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(5))
def test_simultaneous_registrations_protect_exactly_one(world, round_):
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def go(name, user, org, inn):
        try:
            barrier.wait(timeout=10)
            results[name] = register(user, org, customer_name=f"ООО «Гонка {round_}»", customer_inn=inn)
        except Exception as exc:
            results[name] = exc
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=go, args=("a", world.a_admin, world.partner_a, valid_inn(4000 + round_))),
        threading.Thread(target=go, args=("b", world.b_admin, world.partner_b, valid_inn(5000 + round_))),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert all(isinstance(r, Claim) for r in results.values()), results
    claims = list(Claim.objects.order_by("registered_at", "id"))
    assert sorted(c.status for c in claims) == ["held", "pending"]
    first, second = claims
    assert first.status == "pending" and not first.conflicts.exists()
    assert ClaimConflict.objects.get(claim=second).other_id == first.pk
