from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DealsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "partnerhub.deals"
    verbose_name = _("Deals and leads")

    def ready(self) -> None:
        from .tier_metrics import register_metrics

        register_metrics()  # registered_deals and won_deals, measured by the tier engine (partners.metrics)

        from partnerhub.core import audit_labels

        from .models import Claim

        def hold_reasons(_codes: set[str]) -> dict[str, object]:
            return dict(Claim.HoldReason.choices)

        audit_labels.register_values("deals.claim", ("hold_reasons",), hold_reasons)
