"""The rewards context: the vendor's products and price lists, sales facts (the input to tier
evaluation and reward rating), exchange rates, ratings and the ledger."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from partnerhub.core.money import CurrencyField, MoneyField
from partnerhub.core.tenancy import TenantManager


class Product(models.Model):
    """A product of the vendor's price list (a SKU), in one product family."""

    sku = models.CharField(_("SKU"), max_length=64, unique=True)
    family = models.ForeignKey("programmes.ProductFamily", verbose_name=_("product family"),
                               on_delete=models.PROTECT, related_name="+")  # fmt: skip
    name = models.CharField(_("name"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    is_active = models.BooleanField(_("on sale"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    AUDIT_FIELDS = ("sku", "family_id", "name", "name_en", "is_active")

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["sku"]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"


class PriceList(models.Model):
    """Fixed retail (or renewal) prices in one currency, valid from a date (to a date, inclusive).

    Where lists of one kind and currency overlap, the one valid from the latest date wins.
    """

    class Kind(models.TextChoices):
        RETAIL = "retail", _("Retail prices")  # new sales
        RENEWAL = "renewal", _("Renewal prices")  # renewals

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.RETAIL)
    currency = CurrencyField(_("currency"))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True, help_text=_("inclusive; empty: open-ended"))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey("identity.User", null=True, on_delete=models.PROTECT, related_name="+")

    AUDIT_FIELDS = ("name", "kind", "currency", "valid_from", "valid_until")

    class Meta:
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")
        ordering = ["-valid_from", "-id"]
        indexes = [models.Index(fields=["kind", "currency", "valid_from"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="price_list_valid_range",
            )
        ]

    def __str__(self) -> str:
        return self.name


class PriceListItem(models.Model):
    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="prices")
    price = MoneyField(_("price"))

    class Meta:
        ordering = ["price_list_id", "product__sku"]
        constraints = [
            models.UniqueConstraint(fields=["price_list", "product"], name="price_list_item_unique"),
            models.CheckConstraint(condition=Q(price__gt=0), name="price_list_item_price_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}: {self.price}"


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
    # The catalogue product, when the line names one: its family and list price then come from the price list.
    item = models.ForeignKey(Product, verbose_name=_("SKU"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")  # fmt: skip
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    unit_price = MoneyField(_("list price"), null=True, blank=True)
    invoice_number = models.CharField(_("invoice"), max_length=50, blank=True)
    invoice_line = models.PositiveIntegerField(_("invoice line"), null=True, blank=True)
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
            models.UniqueConstraint(
                fields=["organisation", "invoice_number", "invoice_line"],
                condition=~Q(invoice_number=""),
                name="sale_unique_invoice_line",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_name}: {self.amount} {self.currency}"


class ExchangeRate(models.Model):
    """Roubles for ``nominal`` units of a currency on a date: the Bank of Russia's official rate, or typed in.

    Rates are facts: once recorded for a date they are not changed (every rated line keeps the rate it used).
    """

    class Source(models.TextChoices):
        MANUAL = "manual", _("Typed in")
        CBR_FILE = "cbr_file", _("Bank of Russia file")
        CBR_URL = "cbr_url", _("Bank of Russia, fetched")

    currency = CurrencyField(_("currency"))
    on = models.DateField(_("date"))
    value = models.DecimalField(_("roubles"), max_digits=20, decimal_places=4)
    nominal = models.PositiveIntegerField(_("per units"), default=1)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.MANUAL)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey("identity.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["-on", "currency"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "on"], name="exchange_rate_unique_day"),
            models.CheckConstraint(condition=Q(value__gt=0) & Q(nominal__gt=0), name="exchange_rate_positive"),
            models.CheckConstraint(condition=~Q(currency="RUB"), name="exchange_rate_not_rouble"),
        ]

    def __str__(self) -> str:
        return f"{self.nominal} {self.currency} = {self.value} RUB ({self.on})"
