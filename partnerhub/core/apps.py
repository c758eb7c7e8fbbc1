from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "partnerhub.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        import os

        from . import checks  # noqa: F401  (registers the deployment checks)

        if os.environ.get("PARTNERHUB_INPROCESS_SCHEDULER") == "1":
            from .scheduler import start_in_process

            start_in_process()
