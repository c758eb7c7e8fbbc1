"""The what-if calculator on the partner's tier page, in a real browser (HTMX swaps the result in)."""

from datetime import date, timedelta

import pytest

from partnerhub.partners import services
from partnerhub.partners.models import Enrolment, ObligationRecord
from partnerhub.partners.tiers import evaluate_programme

from .programme_builders import certify, security_programme, sell

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_partner_tries_more_sales_and_sees_the_tier_it_would_reach(world, open_as):
    programme = security_programme().programme
    today = date.today()
    ObligationRecord.objects.create(organisation=world.partner_a, obligation="monthly_reports",
                                    valid_from=today - timedelta(days=400), status="accepted")  # fmt: skip
    e = services.enrol(actor=world.vendor_admin, organisation=world.partner_a, programme=programme,
                       role_code="reseller", joined_on=today - timedelta(days=100), active=True)  # fmt: skip
    certify(world.partner_a, issued=today - timedelta(days=30))
    sell(world.partner_a, "450000", today)
    evaluate_programme(programme=programme, on=today)

    page = open_as(world.a_admin)
    page.goto("/tier/")
    assert "50000 RUB more" in page.locator("[data-testid=needs]").inner_text()
    form = page.locator(f"#what-if-{e.pk} form")
    form.locator("input[name=sales]").fill("50000")
    form.locator("button[type=submit]").click()
    result = page.locator("[data-testid=what-if-result]")
    result.wait_for()
    assert "qualify for Certified" in result.inner_text()
    assert page.url.endswith("/tier/")  # swapped in place, no navigation
    assert Enrolment.objects.get(pk=e.pk).tier_code == "authorized"  # nothing saved
