"""A vendor's own marketplace sales count toward its marketplace vendor programme (001: Emerging → …)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from partnerhub.marketplace.models import Storefront
from partnerhub.marketplace.provisioning.sample_service import SampleService
from partnerhub.marketplace.services import admission, orders, provisioning
from partnerhub.partners.services import enrol
from partnerhub.partners.tiers import evaluate_programme
from partnerhub.programmes.models import Programme
from partnerhub.rewards.models import ExchangeRate, Rating, RatingIssue, Sale

from .order_builders import live_listing


@pytest.fixture
def sample(settings):
    settings.PROVISIONING_ALLOW_PRIVATE_NETWORKS = True
    with SampleService() as service:
        yield service


def _buy(world, listing, seats: int):
    sf = Storefront.objects.get(code="ru")
    sub = orders.order_place(actor=world.customer_admin, storefront=sf, listing_id=listing.pk, plan_code="standard",
                             customer=world.customer, quantities={"seats": seats})  # fmt: skip
    assert provisioning.process_due(now=timezone.now()) == {"approved": 1}
    return sub


def test_a_vendor_crosses_into_advanced_through_its_marketplace_sales(world, sample):
    listing = live_listing(world, api_url=sample.base_url)  # partner B's listing; loads programme 001
    vendor = world.partner_b
    programme = Programme.objects.get(code=admission.VENDOR_PROGRAMME)
    today = timezone.localdate()
    enrolment = enrol(actor=None, organisation=vendor, programme=programme, role_code=admission.VENDOR_ROLE,
                      starting_tier_code=admission.STARTING_TIER, joined_on=today, active=True)  # fmt: skip
    ExchangeRate.objects.create(currency="USD", on=today, value=Decimal("80"), nominal=1)
    # Advanced: over 50 000 USD and at least 21 purchases a year. 20 orders of 1000 + 700 × 300 RUB:
    # 4 220 000 RUB = 52 750 USD, one purchase short.
    for _ in range(20):
        _buy(world, listing, seats=700)
    sales = Sale.objects.filter(organisation=vendor, source=Sale.Source.MARKETPLACE, status=Sale.Status.ACTIVE)
    assert sales.count() == 20 and all(s.amount == Decimal("211000.00") and s.currency == "RUB" for s in sales)
    # Rated without a reward (programme 001 pays vendors none) rather than left waiting as a rating issue.
    assert not RatingIssue.objects.exists()
    assert set(Rating.objects.filter(sale__in=sales).values_list("reward", flat=True)) == {Decimal("0.00")}
    evaluate_programme(programme=programme, on=today)
    enrolment.refresh_from_db()
    assert enrolment.tier_code == "emerging"
    _buy(world, listing, seats=700)  # the 21st purchase crosses the threshold
    evaluate_programme(programme=programme, on=today)
    enrolment.refresh_from_db()
    assert enrolment.tier_code == "advanced"
