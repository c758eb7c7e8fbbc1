"""Browser fixtures, shared by every browser test: Debian's chromium driven by Playwright.

Needs /usr/bin/chromium (``make test`` installs it through scripts/ensure-chromium).
Loaded as a pytest plugin from tests/conftest.py.
"""

import os

import pytest

from .factories import PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]  # fmt: skip


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
    # test itself (fixtures, assertions) are still plain synchronous code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    assert os.path.exists(CHROMIUM), "Debian's chromium is missing: run `make browser`"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """Make pages, each in a fresh browser context (its own cookies), English UI."""
    contexts = []

    def make(**options):
        context = browser.new_context(base_url=live_server.url, **({"locale": "en-US"} | options))
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def open_as(new_page):
    """A page with ``user`` logged in."""

    def make(user):
        page = new_page()
        page.goto("/login/")
        page.fill("input[name=username]", user.email)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit].primary")
        page.wait_for_url("**/")
        return page

    return make


def click_through(page, selector: str) -> None:
    """Click ``selector`` and wait until the page it leads to has loaded.

    ``click()`` followed by ``wait_for_load_state()`` races: the state asked about may still be
    the old page's, so the test reads the database before the server has handled the form.
    """
    with page.expect_navigation():
        page.click(selector)
