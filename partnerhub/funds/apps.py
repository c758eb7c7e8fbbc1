from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundsConfig(AppConfig):
    name = "partnerhub.funds"
    label = "funds"
    verbose_name = _("Market and business development funds")
