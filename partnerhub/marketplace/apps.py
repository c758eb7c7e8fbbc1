from django.apps import AppConfig


class MarketplaceConfig(AppConfig):
    """The cloud marketplace: software vendors' admission, listings, moderation and regional storefronts."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "partnerhub.marketplace"
    label = "marketplace"
    verbose_name = "Marketplace"
