"""The what-if calculator on the partner's tier page, in a real browser (HTMX swaps the result in)."""

import pytest

from partnerhub.partners.models import Enrolment

from .test_tier_pages import authorized_partner_a

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_partner_tries_more_sales_and_sees_the_tier_it_would_reach(world, open_as):
    e = authorized_partner_a(world)

    page = open_as(world.a_admin)
    page.goto("/tier/")
    assert "50,000 RUB more" in page.locator("[data-testid=needs]").inner_text()
    form = page.locator(f"#what-if-{e.pk} form")
    form.locator("input[name=sales]").fill("50000")
    form.locator("button[type=submit]").click()
    result = page.locator("[data-testid=what-if-result]")
    result.wait_for()
    assert "qualify for Certified" in result.inner_text()
    assert page.url.endswith("/tier/")  # swapped in place, no navigation
    assert Enrolment.objects.get(pk=e.pk).tier_code == "authorized"  # nothing saved
