"""A listing built through the wizard in a real browser, moderated and shown on two storefronts.

Needs /usr/bin/chromium (``make test`` installs it through scripts/ensure-chromium).
"""

import pytest

from partnerhub.marketplace.models import Listing

from .browser import click_through
from .marketplace_builders import TEXTS, admitted, png, storefronts

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _submit(page, action):
    click_through(page, f"form:has(input[name=action][value={action}]) button[type=submit]")


def test_a_vendor_builds_a_listing_in_two_languages_and_currencies_and_it_is_published(
    world, open_as, new_page, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    storefronts()
    admitted(world.partner_b)
    vendor = open_as(world.b_admin)
    vendor.goto("/marketplace/")
    vendor.click("text=New listing")
    vendor.wait_for_url("**/service/")
    # Step 1: both languages, a category, an industry, a screenshot
    for language in ("ru", "en"):
        for key, value in TEXTS[language].items():
            vendor.fill(f"[name='texts.{language}.{key}']", value)
    vendor.select_option("select[name=category]", "crm")
    vendor.check("input[name=industries][value=retail]")
    vendor.fill("textarea[name=documentation_links]", "https://docs.example/crm")
    vendor.click("form:has([name=category]) button.primary")
    vendor.wait_for_selector("text=Draft saved.")
    shot = tmp_path / "dashboard.png"
    shot.write_bytes(png(800, 500).read())
    vendor.set_input_files("input[name=image]", str(shot))
    vendor.fill("input[name=caption]", "Dashboard")
    vendor.click("form[enctype='multipart/form-data'] button[type=submit]")
    vendor.wait_for_selector("img[alt=Dashboard]")
    # Step 2: a resource, a trial plan and a paid pay-as-you-go plan priced in RUB and KZT
    vendor.click("text=2. Pricing")
    vendor.fill("[name=r-code]", "calls")
    vendor.fill("[name=r-name_ru]", "Вызовы API")
    vendor.fill("[name=r-name_en]", "API calls")
    vendor.fill("[name=r-unit]", "1000 calls")
    _submit(vendor, "resource")
    for code, extra in (("trial", {"[name=p-trial_days]": "14"}), ("payg", {})):
        vendor.fill("[name=p-code]", code)
        vendor.fill("[name=p-name_ru]", f"Тариф {code}")
        vendor.fill("[name=p-name_en]", f"Plan {code}")
        for selector, value in extra.items():
            vendor.fill(selector, value)
        if code == "payg":
            vendor.select_option("[name=p-model]", "payg")
            vendor.select_option("[name=p-resource]", "calls")
            vendor.fill("[name=p-prices]", "RUB 1.50\nKZT 9")
        _submit(vendor, "plan")
        vendor.wait_for_selector(f"[data-testid=plan-{code}]")
    # Step 3 and 4
    vendor.click("text=3. Provisioning")
    vendor.check("input[name=mode][value=manual]")
    vendor.fill("input[name=email]", "ops@b.example")
    vendor.click("button.primary")
    vendor.wait_for_selector("text=Draft saved.")
    vendor.click("text=4. Storefronts")
    vendor.check("input[name=codes][value=ru]")
    vendor.check("input[name=codes][value=kz]")
    vendor.click("button.primary")
    vendor.wait_for_selector("text=Draft saved.")
    vendor.click("text=Check and submit for moderation")
    vendor.click("text=Submit for moderation")
    vendor.wait_for_selector("text=Sent to moderation.")
    # The moderator reads the diff and approves
    moderator = open_as(world.member(world.vendor, "moderator"))
    moderator.goto("/marketplace/moderation/")
    moderator.click("text=Cloud CRM")
    moderator.wait_for_selector("[data-testid=diff] >> text=texts.ru.name")
    moderator.click("text=Approve and publish")
    moderator.wait_for_selector("text=Nothing awaits moderation.")
    # Live at once on both storefronts, each in its language and currency
    listing = Listing.objects.get(organisation=world.partner_b)
    visitor = new_page()
    visitor.goto("/store/ru/")
    visitor.wait_for_selector("text=Облачная CRM")
    visitor.goto("/store/kz/")
    visitor.click("text=Cloud CRM")
    visitor.wait_for_url(f"**/store/kz/listings/{listing.pk}/")
    plan = visitor.locator("[data-testid=plan-payg]").inner_text()
    assert "Pay as you go" in plan and ("KZT" in plan or "₸" in plan) and "9" in plan
    assert "Free for 14 days" in visitor.locator("[data-testid=plan-trial]").inner_text()
    assert visitor.locator("img[alt=Dashboard]").count() == 1
