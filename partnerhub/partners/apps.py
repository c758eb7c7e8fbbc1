from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partnerhub.partners"
    label = "partners"

    def ready(self) -> None:
        from partnerhub.enablement.signals import certification_changed

        from . import metrics  # noqa: F401  registers sales and certificate metrics (the validator asks for them)
        from .audit_names import register
        from .receivers import on_certification_changed

        register()
        certification_changed.connect(on_certification_changed, dispatch_uid="partners.certification_changed")
