"""In a real browser: a partner registers for an event and downloads its .ics; a Privileged partner uploads its
logo and generates a co-branded PDF that carries its name and the logo image."""

from pathlib import Path

import pytest

from partnerhub.enablement.models import EventRegistration

from .browser import click_through
from .enablement_builders import event, specialist_for
from .library_builders import enrol_in, pdf_strings, png_file, template

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_partner_registers_for_an_event_and_downloads_the_ics(world, open_as):
    e = event("Browser webinar", capacity=10)
    specialist_for(world.a_admin, world.partner_a, "Browser Attendee")
    page = open_as(world.a_admin)
    page.goto("/learn/events/")
    page.get_by_role("link", name="Browser webinar").click()
    page.wait_for_url(f"**/learn/events/{e.pk}/")
    click_through(page, "#event-register")
    assert "Registered." in page.content()
    assert EventRegistration.objects.filter(event=e, status="registered").count() == 1
    with page.expect_download() as download:
        page.click("#event-ics")
    body = Path(download.value.path()).read_bytes().decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n") and "BEGIN:VEVENT\r\n" in body and "SUMMARY:Browser webinar" in body


def test_a_privileged_partner_generates_a_co_branded_pdf_with_its_name_and_logo(world, open_as, tmp_path):
    enrol_in(world.partner_b, "privileged")
    t = template("Browser leaflet")
    logo = tmp_path / "logo.png"
    logo.write_bytes(png_file().read())
    page = open_as(world.b_admin)
    page.goto("/library/")
    page.set_input_files("input[name=logo]", str(logo))
    click_through(page, "form[action='/library/logo/'] button[type=submit]")
    assert "Logo saved." in page.content()
    with page.expect_download() as download:
        page.click(f"[data-testid=cobrand-{t.pk}]")
    pdf = Path(download.value.path()).read_bytes()
    inflated, texts = pdf_strings(pdf)
    assert pdf.startswith(b"%PDF")
    assert any("Partner B" in s for s in texts), texts
    assert b"/Subtype /Image" in inflated or b"/Subtype/Image" in inflated


def test_a_partner_without_the_benefit_sees_why(world, open_as):
    enrol_in(world.partner_a, "authorized")
    template("Browser leaflet")
    page = open_as(world.a_admin)
    page.goto("/library/")
    assert "Co-branded materials are a benefit of the Privileged tier" in page.content()
