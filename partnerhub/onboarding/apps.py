from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    """Applications to join a programme, contracts and the public partner catalogue.

    The tables stay in the ``partners`` app (see docs/architecture.md, "Onboarding")."""

    name = "partnerhub.onboarding"
    label = "onboarding"
