"""The partner picker (identity/picker.py) that replaced the <select> of every partner: a search that
offers at most a page of matches, only partners the user may see, and a plain INN or name field that the
server resolves without JavaScript (unknown or ambiguous text is a field error naming it)."""

from datetime import date

import pytest

from partnerhub.funds.models import Budget
from partnerhub.identity.selectors import PICKS
from partnerhub.partners.models import Enrolment
from tests.factories import OrganisationFactory
from tests.test_rewards_network import net  # noqa: F401  (the fixture: A and B enrolled in 002)

pytestmark = pytest.mark.django_db


def test_the_picker_offers_at_most_a_page_of_visible_partners(world, ui):
    for n in range(PICKS + 5):
        OrganisationFactory(name=f"Альфа-Сеть {n:02}")
    page = ui(world.vendor_admin).get("/organisations/pick/", {"q": "Альфа-Сеть"}).content.decode()
    assert page.count("data-pick=") == PICKS and "Альфа-Сеть 00" in page and "More partners match" in page
    by_inn = ui(world.vendor_admin).get("/organisations/pick/", {"field": "distributor",
                                                                 "distributor": world.partner_b.inn[:6]})  # fmt: skip
    assert f'data-pick="{world.partner_b.pk}"' in by_inn.content.decode()
    assert "data-pick=" not in ui(world.vendor_admin).get("/organisations/pick/", {"q": " "}).content.decode()


def test_a_partner_user_finds_no_other_partner(world, ui):
    client = ui(world.a_admin)
    assert "data-pick=" not in client.get("/organisations/pick/", {"q": "Partner B"}).content.decode()
    assert "data-pick=" not in client.get("/organisations/pick/", {"q": world.partner_b.inn}).content.decode()
    assert "data-pick=" not in client.get("/organisations/pick/", {"q": "Customer"}).content.decode()
    own = client.get("/organisations/pick/", {"q": "Partner"}).content.decode()
    assert own.count("data-pick=") == 1 and f'data-pick="{world.partner_a.pk}"' in own
    assert ui(None).get("/organisations/pick/", {"q": "Partner"}).status_code == 302  # to the login page


def test_the_network_picker_offers_the_programmes_other_partners_to_its_managers_only(world, ui, net):
    e = Enrolment.objects.get(organisation=world.partner_a)
    OrganisationFactory(name="Partner Z (not enrolled)")
    found = ui(world.bdm_a).get(f"/enrolments/{e.pk}/network/pick/", {"q": "Partner"}).content.decode()
    assert f'data-pick="{world.partner_b.pk}"' in found  # another manager's partner, in the programme
    assert "not enrolled" not in found and f'data-pick="{world.partner_a.pk}"' not in found
    assert ui(world.b_admin).get(f"/enrolments/{e.pk}/network/pick/", {"q": "Partner"}).status_code == 404
    assert ui(world.a_admin).get(f"/enrolments/{e.pk}/network/pick/", {"q": "Partner"}).status_code == 403


def test_the_network_form_saves_typed_or_picked_partners_and_names_bad_text(world, ui, net):
    e = Enrolment.objects.get(organisation=world.partner_a)
    client = ui(world.bdm_a)
    page = client.get(f"/enrolments/{e.pk}/").content.decode()
    assert 'name="distributor"' in page and 'name="distributor_id"' in page and "<select" not in page.split(
        'id="network"')[1]  # fmt: skip
    url = f"/enrolments/{e.pk}/network/"
    typed = client.post(url, {"distributor": world.partner_b.inn, "distributor_since": "2026-03-01",
                              "recruited_by": "partner b", "recruited_on": "2026-02-01"})  # fmt: skip
    assert typed.status_code == 302
    e.refresh_from_db()
    assert (e.distributor_id, e.recruited_by_id) == (world.partner_b.pk, world.partner_b.pk)
    assert e.distributor_since == date(2026, 3, 1)
    again = client.get(f"/enrolments/{e.pk}/").content.decode()
    assert f'value="{world.partner_b.name} · {world.partner_b.inn}"' in again  # the current links, shown
    unknown = client.post(url, {"distributor": "Nobody Ltd", "distributor_since": "2026-03-01"})
    assert unknown.status_code == 422 and "No partner here matches “Nobody Ltd”" in unknown.content.decode()
    outside = OrganisationFactory(name="Partner Q")
    not_in = client.post(url, {"distributor": outside.inn, "distributor_since": "2026-03-01"})
    assert f"No partner here has the INN {outside.inn}" in not_in.content.decode()
    OrganisationFactory(name="Partner Bis")
    from partnerhub.partners.services import enrol

    enrol(actor=None, organisation=outside, programme=e.programme, role_code="reseller",
          starting_tier_code="authorized", joined_on=date(2026, 1, 1), active=True)  # fmt: skip
    ambiguous = client.post(url, {"distributor": "partner", "distributor_since": "2026-03-01"})
    assert "More than one partner matches “partner”" in ambiguous.content.decode()
    picked = client.post(url, {"distributor": "whatever the text", "distributor_id": outside.pk,
                               "distributor_since": "2026-03-01"})  # fmt: skip
    assert picked.status_code == 422  # a picked id with other text is resolved from the text
    picked = client.post(url, {"distributor": f"{outside.name} · {outside.inn}", "distributor_id": outside.pk,
                               "distributor_since": "2026-03-01"})  # fmt: skip
    assert picked.status_code == 302
    e.refresh_from_db()
    assert (e.distributor_id, e.recruited_by_id) == (outside.pk, None)


NEXT_YEAR = f"{date.today().year + 1}-04-01"  # a period not yet ended


def test_the_funds_grant_form_takes_a_typed_partner(world, ui):
    r = ui(world.vendor_admin).post("/funds/console/grant/", {
        "organisation_id": world.partner_b.inn, "kind": "mdf", "currency": "RUB", "period_kind": "quarter",
        "period_start": NEXT_YEAR, "amount": "1000.00"})  # fmt: skip
    assert r.status_code == 302, r.context["grant_form"].errors
    assert Budget.objects.get().organisation_id == world.partner_b.pk
    bad = ui(world.vendor_admin).post("/funds/console/grant/", {
        "organisation_id": "Customer C", "kind": "mdf", "currency": "RUB", "period_kind": "quarter",
        "period_start": NEXT_YEAR, "amount": "1000.00"})  # fmt: skip
    assert bad.status_code == 422 and "No partner here matches" in bad.content.decode()


def test_a_contests_named_partners_are_typed_one_a_line(world, ui, net):
    from django.urls import reverse

    from partnerhub.incentives.models import Incentive

    client = ui(world.vendor_admin)
    form = {"kind": "contest", "name": "Конкурс", "programme": net.programme.code, "metric": "won_deals",
            "currency": "RUB", "starts_on": "2026-01-01", "ends_on": "2026-03-31", "prize_1_amount": "1000",
            "partners": f"{world.partner_b.inn}\r\nPartner A\r\n\r\n"}  # fmt: skip
    r = client.post(reverse("incentive-create"), form)
    assert r.status_code == 302, r.context["form"].errors
    inc = Incentive.objects.get()
    assert set(inc.partners.values_list("pk", flat=True)) == {world.partner_a.pk, world.partner_b.pk}
    page = client.get(reverse("incentive-edit", args=[inc.pk])).content.decode()
    assert f"{world.partner_b.name} · {world.partner_b.inn}" in page and '<select name="partners"' not in page
    bad = client.post(reverse("incentive-edit", args=[inc.pk]), form | {"partners": "Partner A\nNobody\nCustomer C"})
    body = bad.content.decode()
    assert bad.status_code == 422 and "“Nobody”" in body and "“Customer C”" in body
    assert inc.partners.count() == 2
