from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketplaceConfig(AppConfig):
    """The cloud marketplace: software vendors' admission, listings, moderation and regional storefronts."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "partnerhub.marketplace"
    label = "marketplace"
    verbose_name = _("Marketplace")

    def ready(self) -> None:
        # Register the Celery tasks in every process, not only in workers (which autodiscover them):
        # a service enqueues them by name (core.jobs), eagerly in the embedded default.
        from partnerhub.core import audit_labels
        from partnerhub.core.i18n import pick

        from . import tasks  # noqa: F401
        from .choices import Industry, Language, ProvisioningMode
        from .models import Plan, ProvisioningRequest, Storefront

        def industries(_codes: set[str]) -> dict[str, object]:
            return dict(Industry.choices)

        def modes(_codes: set[str]) -> dict[str, object]:
            return dict(ProvisioningMode.choices)

        def languages(_codes: set[str]) -> dict[str, object]:
            return dict(Language.choices)

        def storefronts(codes: set[str]) -> dict[str, object]:
            return dict(Storefront.objects.filter(code__in=codes).values_list("code", "name"))

        def plans(codes: set[str]) -> dict[str, object]:
            """A plan code as the vendor named it (the latest plan of that code: codes are the vendor's own)."""
            rows = Plan.objects.filter(code__in=codes).order_by("id").values_list("code", "name_ru", "name_en")
            return {code: pick(ru, en) for code, ru, en in rows}

        audit_labels.register_values("marketplace.listingversion", ("industries",), industries)
        audit_labels.register_values("marketplace.listingversion", ("mode",), modes)
        audit_labels.register_values("marketplace.listingversion", ("plans",), plans)
        audit_labels.register_values("marketplace.listingversion", ("languages",), languages)
        audit_labels.register_values("marketplace.listingversion", ("storefronts",), storefronts)
        audit_labels.register_values("marketplace.subscription", ("plan_code", "plan"), plans)
        audit_labels.register_values("marketplace.provisioningrequest", ("mode",), modes)
        audit_labels.register_values(
            "marketplace.provisioningrequest", ("kind",), lambda _codes: dict(ProvisioningRequest.Kind.choices)
        )
