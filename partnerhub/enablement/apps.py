from django.apps import AppConfig


class EnablementConfig(AppConfig):
    name = "partnerhub.enablement"
    label = "enablement"
