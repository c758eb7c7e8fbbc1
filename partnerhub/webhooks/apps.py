from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "partnerhub.webhooks"
    label = "webhooks"

    def ready(self) -> None:
        # Register the Celery tasks in every process, not only in workers (which autodiscover them):
        # the in-process scheduler of the embedded default and on-commit sends look them up by name.
        from . import tasks  # noqa: F401
