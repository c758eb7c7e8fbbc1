"""Periodic jobs: the daily tier evaluation as a Celery task and through the in-process scheduler."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from partnerhub.core.models import JobRun
from partnerhub.core.scheduler import run_due_jobs
from partnerhub.partners import services
from partnerhub.partners.models import Enrolment, ObligationRecord
from partnerhub.partners.tasks import evaluate_tiers_daily

from .programme_builders import certify, security_programme, sell

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner(world):
    programme = security_programme().programme
    ObligationRecord.objects.create(organisation=world.partner_a, obligation="monthly_reports",
                                    valid_from=date(2025, 1, 1), status="accepted")  # fmt: skip
    e = services.enrol(actor=None, organisation=world.partner_a, programme=programme, role_code="reseller",
                       joined_on=date(2026, 1, 1), active=True)  # fmt: skip
    certify(world.partner_a)
    sell(world.partner_a, "750000", timezone.localdate())
    return e


def test_daily_task_evaluates_every_programme(partner):
    result = evaluate_tiers_daily.delay().get()  # eager without a broker, as in the embedded default
    assert result[0]["programme"] == "sec" and result[0]["upgraded"] == 1
    assert Enrolment.objects.get(pk=partner.pk).tier_code == "certified"
    again = evaluate_tiers_daily.delay().get()
    assert again[0]["upgraded"] == 0 and again[0]["unchanged"] == 1


def test_scheduler_runs_due_jobs_once(partner):
    # (other jobs are on the schedule too, some every minute: only the tier job is looked at)
    assert "evaluate-tiers-daily" in run_due_jobs()  # never ran: runs at once
    assert Enrolment.objects.get(pk=partner.pk).tier_code == "certified"
    assert "evaluate-tiers-daily" not in run_due_jobs()  # ran just now: not due
    JobRun.objects.filter(name="evaluate-tiers-daily").update(last_run_at=timezone.now() - timedelta(days=2))
    assert "evaluate-tiers-daily" in run_due_jobs()


def test_every_scheduled_job_is_registered_and_runs_in_process(world, settings):
    # The embedded default has no worker to autodiscover the apps' tasks: the scheduler must find them all.
    assert set(run_due_jobs()) == set(settings.CELERY_BEAT_SCHEDULE)
