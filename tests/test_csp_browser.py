"""Under the Content-Security-Policy the pages still work in a real browser, and nothing is refused:
HTMX swaps, the confirmation before removing a member, the organisation switcher, the API docs."""

from __future__ import annotations

import pytest

from partnerhub.identity.models import Invitation, Membership
from partnerhub.identity.roles import Role

from .factories import MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _watch(page) -> list[str]:
    """Every message the browser gives about a refused resource or script."""
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: refused.append(str(e)))
    return refused


def test_members_page_works_without_inline_script(world, open_as):
    page = open_as(world.a_admin)
    refused = _watch(page)
    page.goto("/members/")
    # HTMX: the invitation form swaps its panel in place
    page.fill("#invitations-panel input[name=email]", "newcomer@a.test")
    page.click("#invitations-panel button.primary")
    page.wait_for_selector("#invitations-panel td:has-text('newcomer@a.test')")
    assert Invitation.objects.filter(email="newcomer@a.test").exists()
    # the confirmation comes from static/js: dismissed, nothing happens; accepted, the member goes
    row = f"tr:has-text('{world.a_sales.email}')"
    page.once("dialog", lambda d: d.dismiss())
    page.click(f"{row} button.danger")
    page.wait_for_timeout(300)
    assert Membership.objects.filter(user=world.a_sales, organisation=world.partner_a).exists()
    page.once("dialog", lambda d: d.accept())
    page.click(f"{row} button.danger")
    page.wait_for_load_state()
    page.wait_for_selector(row, state="detached")
    assert not Membership.objects.filter(user=world.a_sales, organisation=world.partner_a).exists()
    assert refused == []


def test_organisation_switcher_submits_on_change(world, open_as):
    MembershipFactory(user=world.a_admin, organisation=world.partner_b, role=Role.PARTNER_ADMIN)
    page = open_as(world.a_admin)
    refused = _watch(page)
    page.goto("/organisation/")
    with page.expect_navigation():
        page.select_option("form.orgswitch select", str(world.partner_b.pk))
    assert page.locator("form.orgswitch select").input_value() == str(world.partner_b.pk)
    assert refused == []


def test_api_docs_render_from_this_site(world, open_as):
    page = open_as(world.vendor_admin)
    refused = _watch(page)
    page.goto("/api/v1/docs")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "Partnerhub API" in page.locator(".swagger-ui .info .title").inner_text()
    assert page.locator(".opblock").count() > 20
    assert refused == []
