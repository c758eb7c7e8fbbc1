"""Smoke test in a real browser: Debian's chromium driven by Playwright.

Needs /usr/bin/chromium (``make test`` installs it through scripts/ensure-chromium).
"""

import pytest

from partnerhub.identity.models import ApiToken

from .browser import click_through
from .factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="ru-RU")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def test_login_switch_language_and_create_api_token(world, page):
    page.goto("/login/")
    assert page.locator("h1").inner_text() == "Войти"  # Russian by default
    page.fill("input[name=username]", world.a_admin.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url("**/")
    assert "Partner A" in page.content()

    click_through(page, "[data-testid=lang-en]")
    assert page.locator("html").get_attribute("lang") == "en"
    page.click("[data-testid=navgroup-organisation] > summary")  # the menu groups the settings pages
    page.click("nav.mainnav >> text=API tokens")
    page.wait_for_url("**/tokens/")
    assert page.locator("h1").inner_text() == "API tokens"

    page.fill("input[name=name]", "browser token")
    page.click("button:has-text('Create token')")
    secret = page.locator("[data-testid=new-token]").inner_text().strip()
    assert secret.startswith("ph_")
    token = ApiToken.objects.get(name="browser token")
    assert token.user == world.a_admin and token.hint == secret[:8]

    click_through(page, "[data-testid=lang-ru]")
    assert page.locator("h1").inner_text() == "API-токены"
    assert page.locator("[data-testid=new-token]").count() == 0  # shown once only
