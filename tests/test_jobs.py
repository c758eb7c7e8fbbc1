"""Periodic jobs: the daily tier evaluation as a Celery task and through the in-process scheduler."""

from datetime import date, timedelta

import pytest
from celery import shared_task
from celery.schedules import crontab
from django.utils import timezone

from partnerhub.core import scheduler
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


# --- Crash safety: a run is recorded when it starts and when it finishes.

_calls: list[str] = []


class _ProcessDied(BaseException):
    """Stands for the process dying mid-job: nothing after the job's code runs (not even `except Exception`)."""


@shared_task(name="tests.crashing_job")
def _crashing_job() -> None:
    _calls.append("run")
    if len(_calls) == 1:
        raise _ProcessDied


@pytest.fixture
def crashing_schedule(settings):
    _calls.clear()
    settings.CELERY_BEAT_SCHEDULE = {"crashing": {"task": "tests.crashing_job", "schedule": crontab(hour=4, minute=0)}}
    return settings


def _restart_process(monkeypatch):
    # A new process: same host, a new token (the crashed one's pid may even be reused).
    monkeypatch.setattr(scheduler, "_TOKEN", "restarted")


def test_a_job_cut_short_by_a_crash_runs_again_after_restart(crashing_schedule, monkeypatch):
    with pytest.raises(_ProcessDied):
        run_due_jobs()
    job = JobRun.objects.get(name="crashing")
    assert job.started_at is not None and job.finished_at is None and job.runs == 0
    _restart_process(monkeypatch)
    assert run_due_jobs() == ["crashing"]  # the day's run was not skipped
    job.refresh_from_db()
    assert _calls == ["run", "run"] and job.runs == 1 and job.finished_at >= job.started_at
    assert run_due_jobs() == []  # finished now: not due again until tomorrow 04:00
    assert _calls == ["run", "run"]


def test_a_job_running_in_a_live_process_is_not_started_twice(crashing_schedule, monkeypatch):
    started = timezone.now() - timedelta(minutes=5)
    # Another host's process started it 5 minutes ago and has not finished: it may still be running.
    JobRun.objects.create(name="crashing", started_at=started, runner="other-host:123:abc")
    assert run_due_jobs() == [] and _calls == []
    # ... until the run is older than the timeout: then it is taken over.
    crashing_schedule.SCHEDULER_JOB_TIMEOUT_SECONDS = 60
    _calls.append("earlier")  # (the job's first call crashes: let this one finish)
    assert run_due_jobs() == ["crashing"]
    assert JobRun.objects.get(name="crashing").runs == 1


@shared_task(name="tests.failing_job")
def _failing_job() -> None:
    _calls.append("try")
    if len(_calls) == 1:
        raise RuntimeError("database went away")


def test_a_failed_job_is_retried_after_the_retry_delay(crashing_schedule, settings):
    settings.CELERY_BEAT_SCHEDULE = {"failing": {"task": "tests.failing_job", "schedule": crontab(hour=4, minute=0)}}
    assert run_due_jobs() == []
    job = JobRun.objects.get(name="failing")
    assert "database went away" in job.last_error and job.last_run_at is None
    assert run_due_jobs() == [] and _calls == ["try"]  # not straight away
    retry_after = timedelta(seconds=settings.SCHEDULER_RETRY_SECONDS + 1)
    earlier = {"started_at": job.started_at - retry_after, "finished_at": job.finished_at - retry_after}
    JobRun.objects.filter(pk=job.pk).update(**earlier)
    assert run_due_jobs() == ["failing"] and _calls == ["try", "try"]
    job.refresh_from_db()
    assert job.last_error == "" and job.runs == 1 and job.last_run_at == job.started_at


def test_an_operator_moves_a_job_from_the_environment():
    from celery.schedules import schedule as every
    from django.core.exceptions import ImproperlyConfigured

    from config.env import with_schedules

    base = {"sweep": {"task": "deals.sweep_protection", "schedule": crontab(hour=4, minute=0)}}
    moved = with_schedules(base, ["sweep=30 2 * * 1-5", " "])
    assert moved["sweep"]["schedule"] == crontab(minute="30", hour="2", day_of_week="1-5")
    assert moved["sweep"]["task"] == "deals.sweep_protection" and base["sweep"]["schedule"].hour == {4}
    assert with_schedules(base, ["sweep=15"])["sweep"]["schedule"] == every(timedelta(seconds=15))
    for wrong in ["swept=15", "sweep=0", "sweep=* *", "sweep=99 * * * *"]:
        with pytest.raises(ImproperlyConfigured):
            with_schedules(base, [wrong])
