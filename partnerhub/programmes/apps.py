from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "partnerhub.programmes"
    label = "programmes"
    verbose_name = "Programmes and tiers"
