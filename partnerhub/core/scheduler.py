"""Periodic jobs without Celery beat, for the embedded default (`make run`).

When no broker is configured, a daemon thread in the web process runs the entries of
``CELERY_BEAT_SCHEDULE`` when they are due. Each run is recorded in the database
(:class:`JobRun`) when it starts and when it finishes:

- the schedule counts from the start of the last run that *finished* without error, so a run
  cut short by a crash, a restart or a deploy leaves the job due and it runs again;
- a run in progress in a live process is not started a second time (several web processes
  may each run this thread); one whose process has died — same host, process gone — or that
  started more than ``SCHEDULER_JOB_TIMEOUT_SECONDS`` ago is taken over;
- a run that raised is retried after ``SCHEDULER_RETRY_SECONDS``.

Jobs are idempotent, so running one again after a crash is safe. In production Celery beat
reads the same schedule and this thread is not started.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from datetime import datetime, timedelta

from celery import current_app
from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)
_started = False

# Who runs a job: host, process id and a token unique to this process (a reused pid is not us).
_HOST = socket.gethostname()[:100]
_TOKEN = uuid.uuid4().hex[:12]


def _runner() -> str:
    return f"{_HOST}:{os.getpid()}:{_TOKEN}"


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def _runner_is_dead(runner: str) -> bool:
    """True when the process that started a run is known to be gone (only knowable on this host)."""
    host, _, rest = runner.partition(":")
    pid_text, _, token = rest.partition(":")
    if host != _HOST or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return token != _TOKEN  # this pid belonged to an earlier process
    return not _process_alive(pid)


def _claim(name: str, schedule, now: datetime):
    """Record the start of a run of ``name`` if it is due; return the row, or None if not due."""
    from .models import JobRun

    with transaction.atomic():
        job, _ = JobRun.objects.select_for_update().get_or_create(name=name)
        if job.in_progress:
            timeout = timedelta(seconds=settings.SCHEDULER_JOB_TIMEOUT_SECONDS)
            if not (_runner_is_dead(job.runner) or job.started_at < now - timeout):
                return None  # running in a live process
            logger.warning("scheduled job %s started at %s by %s did not finish: running it again",
                           name, job.started_at, job.runner)  # fmt: skip
        elif job.last_error and job.finished_at > now - timedelta(seconds=settings.SCHEDULER_RETRY_SECONDS):
            return None  # failed a moment ago: retry later
        elif job.last_run_at is not None and not job.last_error and not schedule.is_due(job.last_run_at).is_due:
            return None
        job.started_at = now
        job.finished_at = None
        job.runner = _runner()
        job.save(update_fields=["started_at", "finished_at", "runner"])
        return job


def _finish(job, *, error: str = "") -> None:
    from django.db.models import F

    from .models import JobRun

    changes = {"finished_at": timezone.now(), "last_error": error}
    if not error:
        changes.update(last_run_at=job.started_at, runs=F("runs") + 1)
    # Guarded: a run taken over by another process meanwhile is that process's to finish.
    JobRun.objects.filter(pk=job.pk, started_at=job.started_at, runner=job.runner).update(**changes)


def run_due_jobs() -> list[str]:
    """Run every scheduled job that is due now; return the names run."""
    # Outside a worker Celery has not imported the apps' tasks modules yet: do it (once; cheap after).
    current_app.loader.import_default_modules()
    ran = []
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        job = _claim(name, entry["schedule"], timezone.now())
        if job is None:
            continue
        try:
            current_app.tasks[entry["task"]].apply(args=entry.get("args", ()), kwargs=entry.get("kwargs", {}))
        except Exception as exc:  # a failing job must not stop the others or the thread
            logger.exception("scheduled job %s failed", name)
            _finish(job, error=f"{type(exc).__name__}: {exc}"[:2000])
            continue
        _finish(job)
        ran.append(name)
    return ran


def _loop(interval: int) -> None:
    while True:
        try:
            run_due_jobs()
        except Exception:
            logger.exception("scheduler pass failed")
        finally:
            close_old_connections()
        time.sleep(interval)


def start_in_process(interval: int = 60) -> None:
    global _started
    if _started or settings.CELERY_BROKER_URL:
        return
    _started = True
    threading.Thread(target=_loop, args=(interval,), name="partnerhub-scheduler", daemon=True).start()
    logger.info("in-process scheduler started for %s", ", ".join(settings.CELERY_BEAT_SCHEDULE))
