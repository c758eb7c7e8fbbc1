"""A software vendor's live listings appear as its products on its page in the public partner catalogue."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from partnerhub.partners.models import PartnerProfile
from partnerhub.partners.services import enrol

from .marketplace_builders import draft_listing
from .order_builders import live_listing
from .programme_builders import security_programme


def _listed(org):
    from datetime import date

    PartnerProfile.objects.create(organisation=org, description="Vendor.", listed_in_catalogue=True)
    enrol(actor=None, organisation=org, programme=security_programme(code="sec").programme, role_code="reseller",
          starting_tier_code="authorized", joined_on=date(2026, 1, 1), active=True)  # fmt: skip


def test_the_catalogue_page_lists_the_vendors_live_products_only(world):
    live = live_listing(world, programme=False)
    draft_listing(world.b_admin, world.partner_b)  # a draft is no product
    _listed(world.partner_b)
    page = Client().get(f"/partners/{world.partner_b.pk}/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "vendor-products" in page and f"/store/ru/listings/{live.pk}/" in page
    assert page.count("Облачная CRM") == 1
    api = Client().get(f"/api/v1/public/marketplace/vendors/{world.partner_b.pk}/products?language=en").json()
    assert api == [{"listing_id": live.pk, "name": "Cloud CRM", "short_description": "CRM in the cloud",
                    "storefronts": ["kz", "ru"]}]  # fmt: skip
    assert Client().get(f"/api/v1/public/marketplace/vendors/{world.partner_a.pk}/products").json() == []


def test_the_products_are_read_in_a_fixed_number_of_queries(world):
    from partnerhub.marketplace import selectors

    live_listing(world, programme=False)
    with CaptureQueriesContext(connection) as one:
        selectors.vendor_products(org_id=world.partner_b.pk, language="ru")
    live_listing(world, programme=False)
    with CaptureQueriesContext(connection) as two:
        assert len(selectors.vendor_products(org_id=world.partner_b.pk, language="ru")) == 2
    assert len(one.captured_queries) == len(two.captured_queries) == 3


pytestmark = pytest.mark.django_db
