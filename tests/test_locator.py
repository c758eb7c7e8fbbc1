"""The public partner locator: search on the catalogue, the profile page and "contact this partner"."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from partnerhub.core.models import AuditEntry, Notification
from partnerhub.leads.models import Lead, LeadOffer
from partnerhub.partners.models import PartnerProfile

from .factories import valid_inn
from .lead_builders import admin_of, leads_programme, partner

pytestmark = pytest.mark.django_db


@pytest.fixture
def prog(db):
    return leads_programme().programme


SPB = {"competences": ["DLP"], "tier": "privileged", "families": ["software"]}


@pytest.fixture
def listed(world, prog):
    return {
        "msk": partner(prog, "Moskit", competences=["SIEM"], families=["software"], tier="authorized"),
        "kzn": partner(prog, "Kazbek", region="Республика Татарстан", city="Казань", families=["hardware"]),
        "spb": partner(prog, "Nevsky", region="Санкт-Петербург", city="Санкт-Петербург", **SPB),
        "hidden": partner(prog, "Hidden", families=["software"], listed=False),
        "pending": partner(prog, "Pending", active=False),
    }


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [e["name"] for e in response.json()["items"]]


def contact_data(**over) -> dict:
    data = {"name": "Анна Иванова", "company": "ООО «Берёзка»", "email": "anna@berezka.ru", "phone": "+7 900 000-00-00",
            "inn": valid_inn(7001), "message": "Нужен межсетевой экран на 3 офиса.", "consent": True}  # fmt: skip
    data.update(over)
    return data


def test_the_locator_shows_only_listed_partners(listed, api):
    client = api(None)
    assert names(client.get("/public/locator")) == ["Kazbek", "Moskit", "Nevsky"]
    for key in ("hidden", "pending"):
        pk = listed[key].pk
        assert client.get(f"/public/locator/{pk}").status_code == 404
        assert client.post(f"/public/locator/{pk}/contact", contact_data()).status_code == 404
        assert Client().get(reverse("locator-contact", args=[pk])).status_code == 404
        form = {**contact_data(), "consent": "on"}
        assert Client().post(reverse("locator-contact", args=[pk]), form).status_code == 404
    assert not Lead.objects.exists()
    profile = client.get(f"/public/locator/{listed['spb'].pk}").json()
    assert profile["product_families"] == ["software"] and profile["programmes"][0]["tier_name"] == "Privileged"
    # The catalogue's own endpoint keeps its shape.
    assert "product_families" not in client.get(f"/public/catalogue/{listed['spb'].pk}").json()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("city=Казань", ["Kazbek"]),
        ("city=г. Санкт-Петербург", ["Nevsky"]),
        ("product_family=software", ["Moskit", "Nevsky"]),
        ("product_family=hardware&region=Республика Татарстан", ["Kazbek"]),
        ("competence=siem&city=Москва", ["Moskit"]),
        ("tier=privileged", ["Nevsky"]),
        ("product_family=nope", []),
    ],
)
def test_locator_filters(listed, api, query, expected):
    assert names(api(None).get(f"/public/locator?{query}")) == expected
    page = Client().get(f"/partners/?{query}").content.decode()
    for name in ["Kazbek", "Moskit", "Nevsky"]:
        assert (f">{name}</a>" in page) == (name in expected), (query, name)


def test_the_catalogue_page_offers_city_and_product_family_filters_and_a_contact_button(listed):
    page = Client().get("/partners/").content.decode()
    assert 'name="city"' in page and 'name="product_family"' in page and ">Казань</option>" in page
    assert 'value="hardware"' in page
    profile = Client().get(reverse("catalogue-partner", args=[listed["kzn"].pk])).content.decode()
    assert reverse("locator-contact", args=[listed["kzn"].pk]) in profile and "Hardware" in profile


def test_contact_creates_a_lead_offered_to_that_partner(world, listed, api):
    r = api(None).post(f"/public/locator/{listed['msk'].pk}/contact", contact_data())
    assert r.status_code == 201, r.content
    lead = Lead.objects.get(pk=r.json()["reference"])
    assert (lead.source, lead.status, lead.customer_name, lead.email) == (
        "locator", "offered", "ООО «Берёзка»", "anna@berezka.ru")  # fmt: skip
    offer = LeadOffer.objects.get(lead=lead)
    # Offered to the partner the customer chose, though its tier (Authorized) gets no vendor leads.
    assert offer.organisation == listed["msk"] and offer.status == "offered"
    admin = admin_of(listed["msk"])
    assert Notification.objects.filter(user=admin, kind="lead.offered").exists()
    assert AuditEntry.objects.filter(action="lead.created", object_id=str(lead.pk)).exists()
    seen = api(admin).get("/lead-offers").json()["items"]
    assert [o["lead_id"] for o in seen] == [lead.pk] and seen[0]["lead"]["email"] is None
    # Nobody else sees it.
    assert api(world.a_admin).get("/lead-offers").json()["items"] == []
    assert api(world.a_admin).get(f"/lead-offers/{offer.pk}").status_code == 404


def test_a_declined_contact_is_routed_on(listed):
    from partnerhub.leads import services

    lead = services.contact_partner(organisation_id=listed["msk"].pk, **contact_data())
    offer = lead.offers.get()
    services.decline_offer(actor=admin_of(listed["msk"]), offer=offer, reason="Not our region")
    # Kazbek (hardware only) and Nevsky: the lead names no product, so both qualify; Nevsky's tier ranks higher.
    assert LeadOffer.objects.get(lead=lead, status="offered").organisation == listed["spb"]


def test_contact_validation_gives_field_errors(listed, api):
    url = f"/public/locator/{listed['msk'].pk}/contact"
    client = api(None)

    def errors(r):
        assert r.status_code == 422, r.content
        return {e["field"]: e["code"] for e in r.json()["errors"]}

    assert errors(client.post(url, contact_data(email="", inn="7707083894", consent=False, name=""))) == {
        "name": "required", "email": "required", "inn": "inn_checksum", "consent": "required"}  # fmt: skip
    assert errors(client.post(url, contact_data(email="not-an-address"))) == {"email": "invalid"}
    assert errors(client.post(url, {"name": "X"})) == {"company": "missing", "email": "missing", "consent": "missing"}
    assert errors(client.post(url, contact_data(website="x"))) == {"website": "extra_forbidden"}
    assert not Lead.objects.exists()


def test_contact_page_honeypot_and_rate_limit(listed, settings):
    settings.LEADS_CONTACTS_PER_IP = 2
    url = reverse("locator-contact", args=[listed["kzn"].pk])
    visitor = Client()
    page = visitor.get(url).content.decode()
    assert 'data-testid="contact-form"' in page and 'name="homepage_url"' in page
    data = {**contact_data(), "consent": "on"}
    r = visitor.post(url, {**data, "homepage_url": "http://spam.example"})
    assert r.status_code == 302 and not Lead.objects.exists()  # a robot is told nothing
    r = visitor.post(url, {**data, "email": ""})
    assert r.status_code == 200 and 'data-field="email"' in r.content.decode()
    r = visitor.post(url, data, follow=True)
    assert r.status_code == 200 and "your request is sent" in r.content.decode()
    assert Lead.objects.get().offers.get().organisation == listed["kzn"]
    assert visitor.post(url, data).status_code == 302  # the second from this address: still fine
    r = visitor.post(url, data)
    assert r.status_code == 429 and "Too many requests" in r.content.decode() and Lead.objects.count() == 2
    assert Client(REMOTE_ADDR="10.0.0.9").post(url, data).status_code == 302  # another address


def test_the_profile_declares_product_families(world, prog, api):
    partner(prog, "A", org=world.partner_a)
    client = api(world.a_admin)
    r = client.patch("/onboarding/profile", {"product_families": ["software", "nope"]})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "product_families"
    r = client.patch("/onboarding/profile", {"product_families": ["software", "hardware", "software"]})
    assert r.status_code == 200 and r.json()["product_families"] == ["software", "hardware"]
    assert PartnerProfile.objects.get(organisation=world.partner_a).product_families == ["software", "hardware"]
