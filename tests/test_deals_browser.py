"""Deal registration in a real browser: two partners claim one customer, the BDM decides."""

from datetime import timedelta

import pytest
from django.utils import timezone

from partnerhub.deals.models import Claim
from tests.deal_builders import CUSTOMER_INN
from tests.factories import valid_inn
from tests.programme_builders import family

from .browser import click_through

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _register(page, *, name, inn):
    page.goto("/deals/")
    page.click("text=Register a deal")
    page.fill("input[name=customer_name]", name)
    page.fill("input[name=customer_inn]", inn)
    page.fill("input[name=expected_close_on]", (timezone.localdate() + timedelta(days=45)).isoformat())
    page.select_option("select[name=line1_product_family]", "software")
    page.fill("input[name=line1_amount]", "750000")
    page.click("button:has-text('Register')")
    page.wait_for_url("**/deals/*/")


def test_two_partners_one_customer_and_the_bdm_decides(world, open_as):
    family()
    a = open_as(world.a_sales)
    a.goto("/deals/new/")
    a.fill("input[name=customer_name]", "ООО «Ромашка»")
    a.fill("input[name=customer_inn]", "12345")
    a.click("button:has-text('Register')")
    a.wait_for_selector("[data-field=customer_inn]")  # a clear error, nothing written
    assert not Claim.objects.exists()
    _register(a, name="ООО «Ромашка»", inn=CUSTOMER_INN)
    assert a.locator("[data-status]").get_attribute("data-status") == "pending"

    b = open_as(world.b_admin)
    _register(b, name="Romashka LLC", inn=valid_inn(4242))
    assert b.locator("[data-status]").get_attribute("data-status") == "held"
    assert "possible conflict" in b.content() and "Partner A" not in b.content()

    bdm = open_as(world.bdm_b)
    bdm.goto("/deals/review/")
    held = Claim.objects.get(organisation=world.partner_b)
    bdm.click(f"a[href='/deals/{held.pk}/']")
    assert "Partner A" in bdm.locator("[data-conflict]").inner_text()
    bdm.select_option("select[name=resolve-resolution]", "keep_existing")
    bdm.fill("textarea[name=resolve-reason]", "Partner A registered first")
    click_through(bdm, "button:has-text('Decide')")
    assert bdm.locator("[data-status]").get_attribute("data-status") == "rejected"

    first = Claim.objects.get(organisation=world.partner_a)
    approver = open_as(world.bdm_a)
    approver.goto(f"/deals/{first.pk}/")
    click_through(approver, "button:has-text('Approve')")
    assert approver.locator("[data-status]").get_attribute("data-status") == "protected"

    a.goto(f"/deals/{first.pk}/")
    a.select_option("select[name=stage-stage]", "qualified")
    click_through(a, "button:has-text('Move')")
    first.refresh_from_db()
    assert first.stage == "qualified"


def test_three_months_without_movement_and_the_bdm_withdraws_protection(world, open_as):
    from partnerhub.deals import services
    from tests.deal_builders import register

    family()
    claim = services.approve(actor=world.bdm_a, claim=register(world.a_admin, world.partner_a))
    Claim.objects.filter(pk=claim.pk).update(last_activity_at=timezone.now() - timedelta(days=95))
    assert services.sweep_protection().flagged == 1  # the daily job flags it and tells the BDM

    bdm = open_as(world.bdm_a)
    bdm.goto("/deals/review/")
    assert "no movement" in bdm.locator(f"tr:has(a[href='/deals/{claim.pk}/'])").inner_text()
    bdm.click(f"a[href='/deals/{claim.pk}/']")
    bdm.fill("textarea[name=withdraw_protection-reason]", "No news from the partner for three months")
    click_through(bdm, "button:has-text('Withdraw protection')")
    assert bdm.locator("[data-status]").get_attribute("data-status") == "expired"

    partner = open_as(world.a_admin)
    partner.goto(f"/deals/{claim.pk}/")
    assert partner.locator("[data-status]").get_attribute("data-status") == "expired"
    assert partner.locator("select[name=stage-stage]").count() == 0  # an ended deal cannot be moved
