from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The top of the house: the navigation shell and the demo that spans every context.

    It may import any app; no app imports it."""

    name = "partnerhub.portal"
    label = "portal"
