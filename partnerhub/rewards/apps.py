from django.apps import AppConfig


class RewardsConfig(AppConfig):
    name = "partnerhub.rewards"
    label = "rewards"

    def ready(self) -> None:
        from .tier_metrics import register_metrics

        register_metrics()  # sales_volume and purchase_count, measured by the tier engine (partners.metrics)
