from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    """Applications to join a programme, contracts and the public partner catalogue.

    The application and profile tables stay in the ``partners`` app (see docs/architecture.md,
    "Layers"); the catalogue's search index is this app's own table."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "partnerhub.onboarding"
    label = "onboarding"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from partnerhub.identity.models import Organisation
        from partnerhub.partners.models import Enrolment, PartnerProfile

        from . import index

        post_save.connect(index.on_organisation_saved, sender=Organisation, dispatch_uid="catalogue.org")
        post_save.connect(index.on_profile_saved, sender=PartnerProfile, dispatch_uid="catalogue.profile")
        post_save.connect(index.on_enrolment_saved, sender=Enrolment, dispatch_uid="catalogue.enrolment")
