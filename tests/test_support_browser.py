"""In a real browser: a Privileged partner requests and receives its two NFR licences and a third is refused;
a support request is answered within its tier's target and both sides see the clock as met."""

import pytest

from partnerhub.benefits.models import BenefitRequest
from partnerhub.support.models import SupportRequest

from .browser import click_through
from .support_builders import enrol_in_tier

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _request_nfr(page, note: str) -> None:
    page.goto("/benefits/")
    page.select_option("select[name=entitlement]", label=page.locator(
        "select[name=entitlement] option", has_text="NFR").first.inner_text())  # fmt: skip
    page.fill("input[name=quantity]", "1")
    page.fill("textarea[name=note]", note)
    click_through(page, "[data-testid=request-benefit]")


def test_a_privileged_partner_receives_two_nfr_licences_and_a_third_is_refused(world, open_as):
    enrol_in_tier(world.partner_a, "privileged")
    partner = open_as(world.a_admin)
    partner.goto("/benefits/")
    nfr_row = partner.locator("[data-testid=entitlements] tr[data-kind=nfr_licences]")
    assert nfr_row.locator("[data-testid=remaining]").inner_text() == "2"
    for n in (1, 2):
        _request_nfr(partner, f"Стенд {n}")
        assert "Benefit requested." in partner.content()
    vendor = open_as(world.vendor_admin)
    for n, req in enumerate(BenefitRequest.objects.order_by("pk"), start=1):
        vendor.goto(f"/benefits/requests/{req.pk}/")
        vendor.fill("textarea[name=licence_key]", f"NFR-KEY-{n}")
        click_through(vendor, "[data-testid=fulfil]")
        assert vendor.locator("[data-testid=benefit-status]").inner_text() == "Fulfilled"
    _request_nfr(partner, "Стенд 3")
    error = partner.locator("p.error[data-field=quantity]").inner_text()
    assert "0 remain" in error and "2" in error
    assert BenefitRequest.objects.filter(organisation=world.partner_a).count() == 2
    partner.goto("/benefits/")
    assert nfr_row.locator("[data-testid=used]").inner_text() == "2"
    assert nfr_row.locator("[data-testid=remaining]").inner_text() == "0"
    first = BenefitRequest.objects.order_by("pk").first()
    partner.goto(f"/benefits/requests/{first.pk}/")
    assert partner.locator("[data-testid=licence-key]").inner_text() == "NFR-KEY-1"


def test_a_support_request_is_answered_within_its_tiers_target(world, open_as):
    enrol_in_tier(world.partner_a, "privileged")
    partner = open_as(world.a_admin)
    partner.goto("/support/new/")
    partner.select_option("select[name=kind]", "presale_proposal")
    partner.fill("input[name=subject]", "Коммерческое предложение для банка")
    partner.fill("textarea[name=body]", "Нужна помощь с КП на 300 узлов.")
    click_through(partner, "button[type=submit].primary")
    assert "Support request sent." in partner.content()
    assert partner.locator("[data-testid=response-clock] [data-clock]").get_attribute("data-clock") == "running"
    assert "target 4 working hours" in partner.locator("[data-testid=response-clock]").inner_text()
    req = SupportRequest.objects.get()
    vendor = open_as(world.bdm_a)
    vendor.goto("/support/console/?status=open")
    assert "Коммерческое предложение для банка" in vendor.content()
    vendor.goto(f"/support/{req.pk}/")
    vendor.fill("textarea[name=body]", "Шаблон КП приложим сегодня.")
    click_through(vendor, "[data-testid=send-reply]")
    assert vendor.locator("[data-testid=response-clock] [data-clock]").get_attribute("data-clock") == "met"
    partner.goto(f"/support/{req.pk}/")
    assert partner.locator("[data-testid=response-clock]").inner_text().startswith("Met")
    assert "Шаблон КП приложим сегодня." in partner.content()
    partner.select_option("select[name=rating]", "5")
    click_through(partner, "[data-testid=close-request]")
    assert partner.locator("[data-testid=support-rating]").inner_text().startswith("5 / 5")
    assert partner.locator("[data-testid=resolution-clock] [data-clock]").get_attribute("data-clock") == "met"
