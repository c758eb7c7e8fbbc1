"""A tier run on PostgreSQL spreads its batches over threads, each on its own connection."""

import pytest
from django.db import connection

from partnerhub.core.models import AuditEntry
from partnerhub.partners.models import Enrolment, TierChange
from partnerhub.partners.tiers import evaluate_programme

from .programme_builders import security_programme
from .test_tier_evaluation import ON, _thirty

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="threads need their own PostgreSQL connections"),
    pytest.mark.django_db(transaction=True),
]


def test_threads_apply_every_batch_once_and_agree_with_one_connection(world):
    programme = security_programme().programme
    orgs = _thirty(programme)
    s = evaluate_programme(programme=programme, on=ON, batch_size=4, workers=2)
    assert (s.batches, s.evaluated, s.written) == (8, 30, 30)
    threaded = dict(Enrolment.objects.values_list("organisation_id", "tier_code"))
    assert set(threaded) == {o.pk for o in orgs} and len(set(threaded.values())) > 1
    changes = TierChange.objects.count()
    assert changes == s.upgraded + s.downgraded > 0
    assert AuditEntry.objects.filter(action="tier.changed").count() == changes

    again = evaluate_programme(programme=programme, on=ON, batch_size=4, workers=2)
    assert (again.evaluated, again.unchanged, again.written) == (30, 30, 0)  # nothing applied twice
    assert TierChange.objects.count() == changes

    Enrolment.objects.update(tier_code=None, evaluation_digest="", explanation={})
    TierChange.objects.all().delete()
    evaluate_programme(programme=programme, on=ON, workers=1)
    assert dict(Enrolment.objects.values_list("organisation_id", "tier_code")) == threaded
    assert TierChange.objects.count() == changes
