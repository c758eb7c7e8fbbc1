"""In a real browser, on the demo data: each role's dashboard shows its figures and charts at 1280 and
390 px (screenshots saved to ``screenshots/``, see the README), the menu works on a phone signed in
or not, and no page of a tour shows a raw code from a choices list."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

from partnerhub.identity.demo import DEMO_PASSWORD

from .test_plain_language import choice_codes, pattern, programme_codes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parent.parent / "screenshots"
ROLES = {
    "vendor": ("admin@vendor.demo", ["kpi-partners", "kpi-decisions", "kpi-leads", "kpi-applications", "kpi-sales"]),
    "manager": ("bdm@vendor.demo", ["kpi-decisions", "kpi-pipeline", "tasks-decisions", "tasks-applications"]),
    "partner": ("admin@alpha.demo", ["kpi-tier", "kpi-leads", "kpi-sales", "kpi-clicks", "lead-offers"]),
    "customer": ("admin@customer.demo", ["kpi-partners", "kpi-purchases", "customer-purchases"]),
}
# Each role's pages; tests/test_plain_language.py checks more pages' HTML (details too) without a browser.
TOUR = {
    "vendor": ["/", "/deals/overview/", "/deals/review/", "/leads/", "/onboarding/applications/", "/tiers/",
               "/obligations/", "/enrolments/", "/audit/", "/programmes/", "/sales/", "/organisations/"],
    "manager": ["/", "/enrolments/", "/deals/review/"],
    "partner": ["/", "/tier/", "/obligations/", "/deals/", "/lead-inbox/", "/referrals/", "/enrolments/", "/audit/"],
    "customer": ["/"],
}  # fmt: skip


@pytest.fixture
def demo(db):
    with translation.override("ru"):  # the site's default language: what is stored (the audit log) reads in Russian
        call_command("load_demo", stdout=io.StringIO())
    yield  # conftest empties the append-only ledger before the flush


def sign_in(new_page, email: str, width: int, locale: str = "en-US"):
    page = new_page(viewport={"width": width, "height": 900}, locale=locale)
    page.goto("/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url("**/")
    return page


@pytest.mark.parametrize("width", [1280, 390])
def test_each_role_home_page_is_a_dashboard_with_its_figures_and_charts(demo, new_page, width):
    SHOTS.mkdir(exist_ok=True)
    for role, (email, testids) in ROLES.items():
        page = sign_in(new_page, email, width)
        dashboard = page.locator(f"[data-testid=dashboard][data-role={role}]")
        assert dashboard.is_visible(), role
        for testid in testids:
            assert page.locator(f"[data-testid={testid}]").is_visible(), (role, testid)
        charts = page.locator("[data-testid=chart]")
        assert charts.count() >= 1, role
        drawn = page.locator("[data-testid=chart] svg rect")
        assert drawn.count() >= 1 and drawn.first.bounding_box()["width"] > 0, role
        assert (
            page.locator("[data-testid=chart] details table").count() == page.locator("[data-testid=chart] svg").count()
        )
        # nothing overflows the phone's width
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1, role
        page.screenshot(path=str(SHOTS / f"{role}-{width}.png"), full_page=True)


def test_the_menu_opens_on_a_phone_for_visitors_and_for_signed_in_people(demo, new_page):
    visitor = new_page(viewport={"width": 390, "height": 800})
    visitor.goto("/")
    assert visitor.locator("[data-testid=front-page]").is_visible()
    assert not visitor.locator("[data-testid=nav-catalogue]").is_visible()
    visitor.click("[data-testid=nav-toggle]")
    visitor.click("[data-testid=nav-catalogue]")
    visitor.wait_for_url("**/partners/")
    assert "Альфа Интеграция" in visitor.content()  # the demo partners are listed in the locator

    page = sign_in(new_page, "admin@vendor.demo", 390)
    page.click("[data-testid=nav-toggle]")
    page.click("[data-testid=navgroup-sales] > summary")
    page.click("nav.mainnav >> text=Deal review")
    page.wait_for_url("**/deals/review/")


@pytest.mark.parametrize("role", list(TOUR))
def test_no_page_of_the_tour_shows_a_raw_code_from_a_choices_list(demo, new_page, role):
    codes = pattern(choice_codes("ru") | programme_codes())  # and no tier or role code of a programme
    page = sign_in(new_page, ROLES[role][0], 1280, locale="ru-RU")
    found = {}
    for path in TOUR[role]:
        response = page.goto(path)
        assert response.status == 200, path
        page.locator("main").evaluate("m => m.querySelectorAll('code').forEach(e => e.remove())")  # identifiers
        text = page.locator("main").inner_text()
        hits = sorted(set(codes.findall(text)))
        if hits:
            found[path] = hits
    assert found == {}
