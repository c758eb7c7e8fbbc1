"""The fixed vocabularies of the marketplace: languages, categories, industries, charge models."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    RU = "ru", _("Russian")
    EN = "en", _("English")


class Category(models.TextChoices):
    CRM = "crm", _("CRM and sales")
    ERP = "erp", _("ERP and accounting")
    SECURITY = "security", _("Security")
    COLLABORATION = "collaboration", _("Collaboration")
    ANALYTICS = "analytics", _("Analytics and BI")
    DEVTOOLS = "devtools", _("Developer tools")
    INFRASTRUCTURE = "infrastructure", _("Infrastructure (IaaS)")


class Industry(models.TextChoices):
    RETAIL = "retail", _("Retail")
    FINANCE = "finance", _("Finance and banking")
    MANUFACTURING = "manufacturing", _("Manufacturing")
    PUBLIC = "public", _("Public sector")
    HEALTHCARE = "healthcare", _("Healthcare")
    EDUCATION = "education", _("Education")
    LOGISTICS = "logistics", _("Logistics")
    IT = "it", _("IT and telecom")


class ChargeModel(models.TextChoices):
    FLAT = "flat", _("Flat recurring fee")
    PER_UNIT = "per_unit", _("Per unit")
    GRADUATED = "graduated", _("Graduated tiers")
    VOLUME = "volume", _("Volume tiers")
    PACKAGE = "package", _("Package (per block of units)")
    PAYG = "payg", _("Pay as you go (usage)")
    SETUP = "setup", _("One-time setup fee")


# Charge models whose price is a list of tiers rather than one amount.
TIERED = {ChargeModel.GRADUATED, ChargeModel.VOLUME}
# Charge models that count a resource.
COUNTED = {ChargeModel.PER_UNIT, ChargeModel.GRADUATED, ChargeModel.VOLUME, ChargeModel.PACKAGE, ChargeModel.PAYG}


class BillingPeriod(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    ANNUAL = "annual", _("Annual")


class ProvisioningMode(models.TextChoices):
    API = "api", _("Vendor API")
    MANUAL = "manual", _("Manual (the vendor handles each request)")
