"""Regional storefronts: where listings are shown, in one language and one currency."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from partnerhub.core.money import CurrencyField

from ..choices import Language


class Storefront(models.Model):
    """A regional shop window: its language shows the listings' texts, its currency their prices."""

    AUDIT_FIELDS = ("code", "name", "language", "currency", "country", "vat_rate", "legal_entity", "is_active")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    currency = CurrencyField(_("currency"))
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166 code, e.g. RU."))
    vat_rate = models.DecimalField(
        _("VAT rate, %"), max_digits=5, decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )  # fmt: skip
    legal_entity = models.CharField(_("legal entity"), max_length=300)
    is_active = models.BooleanField(_("open"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("storefront")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name
