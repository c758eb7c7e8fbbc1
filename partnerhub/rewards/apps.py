from django.apps import AppConfig


class RewardsConfig(AppConfig):
    name = "partnerhub.rewards"
    label = "rewards"
