"""Queueing jobs by name, so a service never imports the task module that wraps it.

Tasks (``<app>/tasks.py``) import their services; a service that hands work to a worker calls
``enqueue("app.task_name", …)`` instead of importing the task, which would point the arrow back
up. Without a broker the task runs eagerly in this process, as ``.delay`` does."""

from __future__ import annotations

from celery import current_app


def enqueue(task_name: str, *args, **kwargs):
    """Send the registered task ``task_name`` (its ``@shared_task(name=…)``) to the workers."""
    task = current_app.tasks[task_name]
    return task.delay(*args, **kwargs)
