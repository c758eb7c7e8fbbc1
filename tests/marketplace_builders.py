"""Shared marketplace data for the marketplace tests and the tenancy matrix."""

from __future__ import annotations

import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from partnerhub.marketplace import services
from partnerhub.marketplace.models import VendorApplication
from partnerhub.programmes.models import Programme
from partnerhub.programmes.services import DEFINITIONS, import_programme


def vendor_programme():
    if not Programme.objects.filter(code="marketplace-vendors").exists():
        text = (DEFINITIONS / "distributor_001.yaml").read_text(encoding="utf-8")
        import_programme(actor=None, text=text, source="distributor_001.yaml")
    return Programme.objects.get(code="marketplace-vendors")


def storefronts():
    ru = services.storefront_save(actor=None, code="ru", name="Russia", language="ru", currency="RUB", country="RU",
                                  vat_rate=Decimal("20"), legal_entity="ООО «Облако Плюс»")  # fmt: skip
    kz = services.storefront_save(actor=None, code="kz", name="Kazakhstan", language="en", currency="KZT",
                                  country="KZ", vat_rate=Decimal("12"), legal_entity="TOO Oblako Plus KZ")  # fmt: skip
    return ru, kz


def admitted(org) -> VendorApplication:
    """An admitted application of ``org`` written directly (the admission flow is tested on its own)."""
    return VendorApplication.objects.create(
        organisation=org, status="admitted", software_description="SaaS", focus_industries=["retail"],
        implementation_stories="x", company_profile="y",
    )  # fmt: skip


def png(width=640, height=400, name="shot.png", fmt="PNG") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (30, 120, 200)).save(out, format=fmt)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


TEXTS = {
    "ru": {"name": "Облачная CRM", "short_description": "CRM в облаке", "long_description": "Подробно о CRM"},
    "en": {"name": "Cloud CRM", "short_description": "CRM in the cloud", "long_description": "All about the CRM"},
}

PRICING = {
    "resources": [{"code": "seats", "name_ru": "Места", "name_en": "Seats", "unit": "seat"},
                  {"code": "calls", "name_ru": "Вызовы API", "name_en": "API calls", "unit": "1000 calls"}],
    "plans": [
        {"code": "trial", "name_ru": "Пробный", "name_en": "Trial", "trial_days": 14},
        {"code": "payg", "name_ru": "По потреблению", "name_en": "Pay as you go", "billing_period": "monthly",
         "charges": [
             {"model": "setup",
              "prices": [{"currency": "RUB", "amount": "5000"}, {"currency": "KZT", "amount": "30000"}]},
             {"model": "payg", "resource": "calls",
              "prices": [{"currency": "RUB", "amount": "1.50"}, {"currency": "KZT", "amount": "9"}]},
             {"model": "graduated", "resource": "seats", "prices": [
                 {"currency": "RUB", "tiers": [{"up_to": 10, "unit": "500"}, {"up_to": None, "unit": "400"}]},
                 {"currency": "KZT", "tiers": [{"up_to": 10, "unit": "3000"}, {"up_to": None, "unit": "2500"}]}]},
         ]},
    ],
}  # fmt: skip


def draft_listing(actor, org, *, complete=True):
    """A listing of ``org`` (admitted here) with its draft filled in (all four steps when ``complete``)."""
    if not VendorApplication.objects.filter(organisation=org, status="admitted").exists():
        admitted(org)
    listing = services.listing_create(actor=actor, organisation=org)
    services.set_service(actor=actor, listing=listing, texts=TEXTS, category="crm", industries=["retail"],
                         documentation_links=["https://docs.example/crm"])  # fmt: skip
    if complete:
        storefronts()
        services.set_pricing(actor=actor, listing=listing, document=PRICING)
        services.set_provisioning(actor=actor, listing=listing, mode="manual", email="ops@vendor.example")
        services.set_storefronts(actor=actor, listing=listing, codes=["ru", "kz"])
    listing.refresh_from_db()
    return listing
