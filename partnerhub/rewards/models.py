"""Sales facts: what a partner sold, the input to tier evaluation and (later) reward rating."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from partnerhub.core.money import CurrencyField, MoneyField
from partnerhub.core.tenancy import TenantManager


class Sale(models.Model):
    class SaleType(models.TextChoices):
        NEW = "new", _("New sale")
        RENEWAL = "renewal", _("Renewal")

    class Source(models.TextChoices):
        IMPORT = "import", _("File import")
        API = "api", _("API")
        DEAL = "deal", _("Won deal")
        MANUAL = "manual", _("Entered by the vendor")
        REFERRAL = "referral", _("Referred customer's purchase")

    tenant_path = "organisation"

    organisation = models.ForeignKey("identity.Organisation", on_delete=models.PROTECT, related_name="sales")
    customer_name = models.CharField(_("customer"), max_length=300)
    customer_inn = models.CharField(_("customer INN"), max_length=12, blank=True)
    product_family = models.ForeignKey("programmes.ProductFamily", on_delete=models.PROTECT, related_name="+")
    product = models.CharField(_("product"), max_length=200, blank=True)
    sale_type = models.CharField(_("sale type"), max_length=16, choices=SaleType.choices, default=SaleType.NEW)
    amount = MoneyField(_("amount at fixed retail price"))
    currency = CurrencyField(_("currency"))
    sold_on = models.DateField(_("sold on"))
    external_ref = models.CharField(_("reference"), max_length=100, blank=True)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.MANUAL)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("sale")
        ordering = ["-sold_on", "-id"]
        indexes = [models.Index(fields=["organisation", "sold_on"]), models.Index(fields=["sold_on", "currency"])]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "external_ref"], condition=~Q(external_ref=""), name="sale_unique_ref"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="sale_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_name}: {self.amount} {self.currency}"
