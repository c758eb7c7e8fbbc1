"""End to end in a real browser: a customer finds a partner in the locator and the lead becomes
a protected deal; a referral click turns into an attributed sale."""

from datetime import date

import pytest
from django.utils import timezone

from partnerhub.deals.models import Claim
from partnerhub.leads.models import LeadOffer
from partnerhub.partners import services as partner_services
from partnerhub.referrals import services as referral_services
from partnerhub.referrals.models import Conversion
from partnerhub.rewards.models import Sale
from tests.factories import valid_inn
from tests.lead_builders import admin_of, leads_programme, partner
from tests.test_referrals import referral_version

from .browser import click_through

PERSON = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_customer_finds_a_partner_contacts_it_and_the_lead_becomes_a_protected_deal(world, new_page, open_as):
    programme = leads_programme().programme
    nevsky = partner(programme, "Nevsky", region="Санкт-Петербург", city="Санкт-Петербург", competences=["DLP"],
                     families=["software"], tier="privileged")  # fmt: skip
    partner(programme, "Hidden", region="Санкт-Петербург", city="Санкт-Петербург", listed=False)

    visitor = new_page()
    visitor.goto("/partners/?region=Санкт-Петербург")
    assert "Nevsky" in visitor.content() and "Hidden" not in visitor.content()
    visitor.click("text=Nevsky")
    visitor.click("[data-testid=contact-partner]")
    visitor.fill("input[name=name]", "Анна Иванова")
    visitor.fill("input[name=company]", "ООО «Берёзка»")
    visitor.fill("input[name=email]", "anna@berezka.ru")
    visitor.fill("input[name=inn]", valid_inn(7001))
    visitor.fill("textarea[name=message]", "Нужна защита трёх офисов")
    visitor.check("input[name=consent]")
    click_through(visitor, "button:has-text('Send')")
    offer = LeadOffer.objects.get()
    assert offer.organisation == nevsky and offer.status == "offered"

    page = open_as(admin_of(nevsky))
    page.goto("/lead-inbox/")
    page.click(f"a[href='/lead-inbox/{offer.pk}/']")
    if page.locator("select[name=product_family]").count():
        page.select_option("select[name=product_family]", "software")
        page.fill("input[name=amount]", "900000")
    click_through(page, "button:has-text('Accept the lead')")
    deal = Claim.objects.get(organisation=nevsky)
    assert (deal.origin, deal.status, deal.customer_name) == ("lead", "protected", "ООО «Берёзка»")
    page.goto(f"/deals/{deal.pk}/")
    assert page.locator("[data-status]").get_attribute("data-status") == "protected"


def test_referral_click_turns_into_an_attributed_sale(world, new_page, open_as):
    version = referral_version()
    partner_services.enrol(actor=None, organisation=world.partner_a, programme=version.programme,
                           role_code="referrer", joined_on=date(2020, 1, 2), active=True)  # fmt: skip
    from tests.programme_builders import family

    family()
    link = referral_services.link_create(actor=world.a_admin, organisation=world.partner_a, target="/signup/")

    # A person's browser: headless Chromium announces itself as such and is filtered as a bot.
    visitor = new_page(user_agent=PERSON)
    visitor.goto(f"/r/{link.code}")  # recorded on the server, cookie set, then redirected to the sign-up page
    visitor.wait_for_url("**/signup/")
    inn = valid_inn(7301)
    visitor.fill("input[name=company_name]", "ООО «Ромашка»")
    visitor.fill("input[name=inn]", inn)
    visitor.fill("input[name=email]", "anna@romashka.ru")
    visitor.fill("input[name=password]", "Very-long-passphrase-2026")
    click_through(visitor, "button:has-text('Create the account')")
    assert Conversion.objects.get().kind == "signup"

    finance = open_as(world.finance)
    finance.goto("/referrals/purchases/new/")
    finance.fill("input[name=customer_inn]", inn)
    finance.select_option("select[name=product_family]", "software")
    finance.fill("input[name=amount]", "100000.00")
    finance.fill("input[name=sold_on]", timezone.localdate().isoformat())
    finance.fill("input[name=reference]", "INV-1")
    click_through(finance, "button:has-text('Record')")
    sale = Sale.objects.get()
    assert (sale.organisation, sale.source, str(sale.amount)) == (world.partner_a, "referral", "100000.00")
    purchase = Conversion.objects.get(kind="purchase")
    assert str(purchase.reward_amount) == "12500.00"

    a = open_as(world.a_admin)
    a.goto(f"/referral-links/{link.pk}/")
    assert "12,500.00 RUB" in a.content()  # the partner sees its earned reward
