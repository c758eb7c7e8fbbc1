"""Shared data for the orders and provisioning tests: live listings (API or manual), customers, orders."""

from __future__ import annotations

from partnerhub.marketplace import services
from partnerhub.marketplace.models import Listing, ListingVersion

from .marketplace_builders import draft_listing, storefronts, vendor_programme

PRICING = {
    "resources": [{"code": "seats", "name_ru": "Места", "name_en": "Seats", "unit": "seat"},
                  {"code": "calls", "name_ru": "Вызовы API", "name_en": "API calls", "unit": "1000 calls"}],
    "plans": [
        {"code": "trial", "name_ru": "Пробный", "name_en": "Trial", "trial_days": 14},
        {"code": "standard", "name_ru": "Стандарт", "name_en": "Standard", "charges": [
            {"model": "flat", "prices": [{"currency": "RUB", "amount": "1000"}, {"currency": "KZT", "amount": "6000"}]},
            {"model": "per_unit", "resource": "seats",
             "prices": [{"currency": "RUB", "amount": "300"}, {"currency": "KZT", "amount": "1800"}]}]},
        {"code": "payg", "name_ru": "По потреблению", "name_en": "Pay as you go", "charges": [
            {"model": "setup", "prices": [{"currency": "RUB", "amount": "500"}, {"currency": "KZT", "amount": "3000"}]},
            {"model": "per_unit", "resource": "seats",
             "prices": [{"currency": "RUB", "amount": "200"}, {"currency": "KZT", "amount": "1200"}]},
            {"model": "payg", "resource": "calls",
             "prices": [{"currency": "RUB", "amount": "1.50"}, {"currency": "KZT", "amount": "9"}]}]},
    ],
}  # fmt: skip


def live_listing(
    world,
    org=None,
    *,
    api_url: str = "",
    token: str = "sample-token",  # noqa: S107 - the sample service's demo token
    programme=True,
    admin=None,
) -> Listing:
    """A listing of ``org`` (partner B by default) live on both storefronts; in API mode when ``api_url``."""
    if programme:
        vendor_programme()
    storefronts()
    org = org or world.partner_b
    admin = admin or (world.b_admin if org == world.partner_b else world.a_admin)
    listing = draft_listing(admin, org)
    services.set_pricing(actor=admin, listing=listing, document=PRICING)
    version = services.submit(actor=admin, listing=listing)
    services.version_approve(actor=world.vendor_admin, version=version)
    if api_url:  # the conformance check is tested on its own: the live version points at the sample service
        ListingVersion.objects.filter(pk=version.pk).update(provisioning_mode="api", provisioning_url=api_url)
        version.refresh_from_db()
        version.provisioning_token = token
        version.save(update_fields=["provisioning_token"])
    listing.refresh_from_db()
    return listing
