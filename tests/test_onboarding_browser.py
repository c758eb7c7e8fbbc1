"""The onboarding path in a real browser: public application → approval → invitation → terms → catalogue.

Needs /usr/bin/chromium (``make test`` installs it through scripts/ensure-chromium).
"""

import pytest
from django.core import mail

from partnerhub.partners.models import Application, Enrolment
from partnerhub.programmes.models import ProgrammeVersion

from .factories import PASSWORD, valid_inn, valid_ogrn
from .programme_builders import security_programme

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def programme(db):
    version = security_programme(code="sec")
    ProgrammeVersion.objects.filter(pk=version.pk).update(terms="The partner resells; the vendor pays rewards.")
    return version.programme


def sign_in(page, email):
    page.goto("/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url("**/")


def test_from_the_public_page_to_an_active_listed_partner(world, programme, new_page):
    # A visitor finds the programme from the header and applies.
    visitor = new_page()
    visitor.goto("/login/")
    visitor.click("[data-testid=nav-become-partner]")
    visitor.wait_for_url("**/become-a-partner/")
    visitor.click("a.button[href='/become-a-partner/sec/']")
    visitor.wait_for_url("**/become-a-partner/sec/")
    visitor.check("input[name=role_code][value=reseller]")
    fields = {
        "company_name": "Browserco", "inn": valid_inn(7001), "kpp": "770201001", "ogrn": valid_ogrn(7001),
        "region": "Москва", "city": "Москва", "website": "https://browserco.example",
        "regions": "Москва\nТверская область", "competences": "SIEM, DLP", "contact_name": "Olga Browser",
        "contact_email": "olga@browserco.test", "message": "We would like to resell.",
    }  # fmt: skip
    visitor.fill("input[name=inn]", "7700000001")  # a typo first: the field says so
    for name, value in fields.items():
        if name != "inn":
            visitor.fill(f"[name={name}]", value)
    visitor.check("input[name=consent]")
    visitor.click("button[type=submit].primary")
    assert "check digits do not match" in visitor.locator(".error[data-field=inn]").inner_text()
    visitor.fill("input[name=inn]", fields["inn"])
    visitor.check("input[name=consent]")
    visitor.click("button[type=submit].primary")
    visitor.wait_for_url("**/become-a-partner/sec/sent/")
    assert visitor.locator("[data-testid=application-sent]").is_visible()
    app = Application.objects.get(inn=fields["inn"])

    # The vendor administrator approves it from the queue.
    vendor = new_page()
    sign_in(vendor, world.vendor_admin.email)
    vendor.click("[data-testid=navgroup-partners] > summary")
    vendor.click("nav.mainnav >> text=Applications")
    vendor.wait_for_url("**/onboarding/applications/")
    vendor.click("text=Browserco")
    vendor.wait_for_url(f"**/onboarding/applications/{app.pk}/")
    vendor.select_option("select[name=partner_manager_id]", str(world.bdm_a.pk))
    vendor.select_option("select[name=starting_tier_code]", "authorized")
    vendor.click("[data-testid=approve-form] button[type=submit]")
    vendor.wait_for_selector("text=Application approved")
    assert vendor.locator("[data-testid=application-status]").inner_text() == "Approved"

    # The contact opens the invitation, creates the account and goes through the checklist.
    message = next(m for m in reversed(mail.outbox) if m.to == ["olga@browserco.test"])
    key = message.body.split("/invitations/")[1].split("/")[0]
    partner = new_page()
    partner.goto(f"/invitations/{key}/")
    partner.fill("input[name=full_name]", "Olga Browser")
    partner.fill("input[name=password]", PASSWORD)
    partner.fill("input[name=password_again]", PASSWORD)
    partner.click("button[type=submit].primary")
    partner.wait_for_url("**/")
    partner.click("[data-testid=onboarding-banner] a")
    partner.wait_for_url("**/onboarding/")
    assert partner.locator("[data-item=contract]").get_attribute("data-done") == "false"

    partner.click("[data-item=contract] a")
    partner.wait_for_url("**/onboarding/contract/")
    assert "the vendor pays rewards" in partner.locator("[data-testid=terms]").inner_text()
    partner.fill("input[name=signer_name]", "Olga Browser")
    partner.check("input[name=accept]")
    partner.click("[data-testid=accept-form] button[type=submit]")
    partner.wait_for_url("**/onboarding/")
    assert partner.locator("[data-item=contract]").get_attribute("data-done") == "true"
    assert Enrolment.objects.get(organisation__inn=fields["inn"]).status == "active"

    partner.click("[data-item=profile] a")
    partner.wait_for_url("**/onboarding/profile/")
    partner.fill("textarea[name=description]", "Security integrator from Moscow.")
    partner.check("input[name=listed_in_catalogue]")
    partner.click("[data-testid=profile-form] button[type=submit]")
    partner.wait_for_url("**/onboarding/")
    assert partner.locator("[data-item=profile]").get_attribute("data-done") == "true"
    assert partner.locator("[data-item=catalogue]").get_attribute("data-done") == "true"

    # Anyone now finds the partner in the public catalogue, with its tier.
    public = new_page()
    public.goto("/partners/?competence=DLP")
    row = public.locator("[data-testid=catalogue] tbody tr", has_text="Browserco")
    assert row.locator("[data-testid=tier-badge]").inner_text() == "Authorized"
    app.refresh_from_db()
    row.locator(f"a[href='/partners/{app.organisation_id}/']").click()
    public.wait_for_url(f"**/partners/{app.organisation_id}/")
    assert "Security integrator from Moscow." in public.content()
    assert app.status == "active"
