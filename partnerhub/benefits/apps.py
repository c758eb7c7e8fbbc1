from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BenefitsConfig(AppConfig):
    name = "partnerhub.benefits"
    label = "benefits"
    verbose_name = _("Tier benefits")

    def ready(self) -> None:
        from partnerhub.core import audit_labels
        from partnerhub.programmes.selectors import tiers_by_code

        audit_labels.register_values("benefits.benefitrequest", ("tier_code",), tiers_by_code)
