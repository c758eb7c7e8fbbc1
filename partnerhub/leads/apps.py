from django.apps import AppConfig


class LeadsConfig(AppConfig):
    name = "partnerhub.leads"
    label = "leads"

    def ready(self) -> None:
        from partnerhub.core import audit_labels
        from partnerhub.programmes.selectors import tiers_by_code

        audit_labels.register_values("leads.leadoffer", ("tier_code",), tiers_by_code)
