from django.apps import AppConfig


class RewardsConfig(AppConfig):
    name = "partnerhub.rewards"
    label = "rewards"

    def ready(self) -> None:
        from .tier_metrics import register_metrics

        register_metrics()  # sales_volume and purchase_count, measured by the tier engine (partners.metrics)

        from partnerhub.core import audit_labels
        from partnerhub.programmes.selectors import families_by_code

        from .models import Account

        def accounts(_codes: set[str]) -> dict[str, object]:
            return dict(Account.choices)

        audit_labels.register_values("rewards.sale", ("product_family",), families_by_code)
        audit_labels.register_values("rewards.journalentry", ("debit", "credit"), accounts)
