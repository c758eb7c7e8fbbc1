from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partnerhub.partners"
    label = "partners"

    def ready(self) -> None:
        from . import metrics  # noqa: F401  registers sales and certificate metrics (the validator asks for them)
        from .audit_names import register

        register()
