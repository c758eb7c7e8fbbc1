from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupportConfig(AppConfig):
    name = "partnerhub.support"
    label = "support"
    verbose_name = _("Partner support")

    def ready(self) -> None:
        from partnerhub.core import audit_labels
        from partnerhub.programmes.selectors import tiers_by_code

        audit_labels.register_values("support.supportrequest", ("tier_code",), tiers_by_code)
        audit_labels.register_values("support.supporttarget", ("tier_code",), tiers_by_code)
