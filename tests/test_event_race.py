"""Two partners take the last place of an event at the same moment: exactly one gets it.

Real concurrent transactions need a server database; SQLite serialises every writer anyway, so the
test runs on PostgreSQL only (CI runs the suite there too).
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from partnerhub.core.problems import Conflict
from partnerhub.enablement import services
from partnerhub.enablement.models import EventRegistration
from tests.enablement_builders import event, specialist_for

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent PostgreSQL transactions")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(3))
def test_the_last_place_goes_to_exactly_one(world, round_):
    e = event(f"Race {round_}", capacity=1)
    a = specialist_for(world.a_admin, world.partner_a, "A")
    b = specialist_for(world.b_admin, world.partner_b, "B")
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def go(name, user, specialist):
        try:
            barrier.wait(timeout=10)
            results[name] = services.register(actor=user, event=e, specialist=specialist)
        except Exception as exc:
            results[name] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=go, args=("a", world.a_admin, a)),
               threading.Thread(target=go, args=("b", world.b_admin, b))]  # fmt: skip
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    outcomes = sorted(type(r).__name__ for r in results.values())
    assert outcomes == ["Conflict", "EventRegistration"], results
    assert all(isinstance(r, (Conflict, EventRegistration)) for r in results.values())
    assert EventRegistration.objects.filter(event=e, status="registered").count() == 1
