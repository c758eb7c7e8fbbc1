"""Periodic jobs without Celery beat, for the embedded default (`make run`).

When no broker is configured, a daemon thread in the web process runs the entries of
``CELERY_BEAT_SCHEDULE`` when they are due. The last run of each job is kept in the
database (:class:`JobRun`), so a restart neither skips nor repeats a run. In production,
Celery beat reads the same schedule and this thread is not started.
"""

from __future__ import annotations

import logging
import threading
import time

from celery import current_app
from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)
_started = False


def run_due_jobs() -> list[str]:
    """Run every scheduled job that is due now; return the names run."""
    from .models import JobRun

    # Outside a worker Celery has not imported the apps' tasks modules yet: do it (once; cheap after).
    current_app.loader.import_default_modules()
    ran = []
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        schedule = entry["schedule"]
        with transaction.atomic():
            job, created = JobRun.objects.select_for_update().get_or_create(name=name)
            due = created or job.last_run_at is None or schedule.is_due(job.last_run_at).is_due
            if not due:
                continue
            job.last_run_at = timezone.now()
            job.save(update_fields=["last_run_at"])
        try:
            current_app.tasks[entry["task"]].apply(args=entry.get("args", ()), kwargs=entry.get("kwargs", {}))
            ran.append(name)
        except Exception:  # a failing job must not stop the others or the thread
            logger.exception("scheduled job %s failed", name)
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
