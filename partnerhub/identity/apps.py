from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "partnerhub.identity"
    label = "identity"
    verbose_name = "Identity and organisations"
