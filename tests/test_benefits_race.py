"""Two requests for the last NFR licence at the same moment: one is accepted, the other refused with what
remains (the enrolment row is locked while the entitlement is counted).

Real concurrent transactions need a server database (SQLite serialises every writer anyway): each thread has
its own connection. CI runs the suite on PostgreSQL too, where these tests run.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from partnerhub.benefits import services
from partnerhub.benefits.models import BenefitRequest
from tests.support_builders import enrol_in_tier
from tests.test_rewards_payout_race import _race

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent PostgreSQL transactions")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(3))
def test_the_last_licence_requested_twice_at_once_is_given_once(world, round_):
    enrol_in_tier(world.partner_a, "privileged")
    services.submit_request(actor=world.a_admin, organisation=world.partner_a, kind="nfr_licences")

    def ask(user):
        return lambda: services.submit_request(actor=user, organisation=world.partner_a, kind="nfr_licences")

    results = _race([ask(world.a_admin), ask(world.a_sales), ask(world.a_admin)])
    accepted = [r for r in results if isinstance(r, BenefitRequest)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert (len(accepted), len(refused)) == (1, 2), results
    assert all(r.error_dict["quantity"][0].code == "over_entitlement" for r in refused)
    assert BenefitRequest.objects.filter(organisation=world.partner_a, kind="nfr_licences").count() == 2
