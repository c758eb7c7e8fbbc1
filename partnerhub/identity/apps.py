from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "partnerhub.identity"
    label = "identity"
    verbose_name = "Identity and organisations"

    def ready(self) -> None:
        from partnerhub.core import tenancy

        from .scoping import policy

        tenancy.install_policy(policy())
