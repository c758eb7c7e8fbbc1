"""The public partner catalogue: who is listed, filters, tier badges, the public profile page."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from partnerhub.identity.roles import OrgKind
from partnerhub.partners.models import PartnerProfile
from partnerhub.partners.services import enrol
from partnerhub.programmes.models import ProgrammeRole, ProgrammeVersion, Tier

from .factories import OrganisationFactory
from .programme_builders import security_programme

pytestmark = pytest.mark.django_db


@pytest.fixture
def sec(db):
    return security_programme(code="sec").programme


@pytest.fixture
def cloud(db):
    return security_programme(code="cloud").programme


def listed(programme, name, *, region="Москва", city="Москва", competences=(), regions=(), tier="authorized",
           active=True, opted_in=True, **org):  # fmt: skip
    partner = OrganisationFactory(name=name, region=region, city=city, website=f"https://{name.lower()}.example", **org)
    PartnerProfile.objects.create(
        organisation=partner, description=f"{name} integrates.", competences=list(competences), regions=list(regions),
        listed_in_catalogue=opted_in,
    )  # fmt: skip
    enrol(actor=None, organisation=partner, programme=programme, role_code="reseller", starting_tier_code=tier,
          joined_on=date(2026, 1, 1), active=active)  # fmt: skip
    return partner


@pytest.fixture
def partners(sec, cloud):
    return {
        "alpha": listed(sec, "Alpha", competences=["SIEM", "DLP"], regions=["Тверская область"]),
        "beta": listed(
            sec, "Beta", region="Санкт-Петербург", city="Санкт-Петербург", competences=["dlp"], tier="certified"
        ),
        "gamma": listed(cloud, "Gamma", region="Казань", competences=["Cloud migration"], tier="privileged"),
        "hidden": listed(sec, "Hidden", opted_in=False),
        "pending": listed(sec, "Pending", active=False),
        "inactive": listed(sec, "Inactive", is_active=False),
    }


def names(response) -> list[str]:
    return [e["name"] for e in response.json()["items"]]


def test_only_active_partners_that_opted_in_are_listed(partners, api):
    client = api(None)
    assert names(client.get("/public/catalogue")) == ["Alpha", "Beta", "Gamma"]
    for key in ("hidden", "pending", "inactive"):
        assert client.get(f"/public/catalogue/{partners[key].pk}").status_code == 404
        assert Client().get(f"/partners/{partners[key].pk}/").status_code == 404
    assert client.get("/public/catalogue/999999").status_code == 404


def test_customers_and_the_vendor_are_never_listed(partners, api):
    customer = OrganisationFactory(kind=OrgKind.CUSTOMER, name="Customer")
    PartnerProfile.objects.create(organisation=customer, listed_in_catalogue=True)
    assert "Customer" not in names(api(None).get("/public/catalogue"))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("region=Москва", ["Alpha"]),
        ("region=тверская ОБЛАСТЬ", ["Alpha"]),  # a region served, any case
        ("region=Казань", ["Gamma"]),
        ("competence=DLP", ["Alpha", "Beta"]),  # case-insensitive
        ("programme=cloud", ["Gamma"]),
        ("tier=certified", ["Beta"]),
        ("programme=sec&tier=privileged", []),  # programme and tier match on the same enrolment
        ("programme=sec&competence=dlp&region=Санкт-Петербург", ["Beta"]),
    ],
)
def test_filters(partners, api, query, expected):
    assert names(api(None).get(f"/public/catalogue?{query}")) == expected
    page = Client().get(f"/partners/?{query}").content.decode()
    for name in ["Alpha", "Beta", "Gamma"]:
        assert (f">{name}</a>" in page) == (name in expected), (query, name)


def test_entry_shows_tier_region_city_competences_website(partners, api):
    entry = api(None).get(f"/public/catalogue/{partners['beta'].pk}").json()
    assert entry == {
        "id": partners["beta"].pk, "name": "Beta", "region": "Санкт-Петербург", "city": "Санкт-Петербург",
        "website": "https://beta.example", "description": "Beta integrates.", "competences": ["dlp"], "regions": [],
        "programmes": [{"programme_code": "sec", "programme_name": "Security partners", "tier_code": "certified",
                        "tier_name": "Certified"}],
    }  # fmt: skip
    page = Client().get(f"/partners/{partners['beta'].pk}/").content.decode()
    assert "Certified" in page and "https://beta.example" in page and "Beta integrates." in page


def test_tier_badge_uses_the_version_in_force(partners, sec, api):
    v1 = ProgrammeVersion.objects.get(programme=sec)
    v2 = ProgrammeVersion.objects.create(
        programme=sec, number=2, status="published", effective_from=date(2026, 6, 1), name=v1.name, currency="RUB"
    )
    ProgrammeRole.objects.create(version=v2, code="reseller", name="Reseller", kind="resale")
    Tier.objects.create(version=v2, code="authorized", name="Authorised reseller", rank=1)
    entry = api(None).get(f"/public/catalogue/{partners['alpha'].pk}").json()
    assert entry["programmes"][0]["tier_name"] == "Authorised reseller"


def test_catalogue_page_offers_filter_values_from_listed_partners(partners):
    page = Client().get("/partners/").content.decode()
    assert page.count('data-testid="tier-badge"') == 3
    for option in ["Тверская область", "Казань", "SIEM", "Cloud migration", 'value="cloud"', 'value="privileged"']:
        assert option in page, option
    assert "Hidden" not in page and "Pending" not in page


def test_catalogue_queries_do_not_grow_with_partners(sec, api):
    for i in range(3):
        listed(sec, f"P{i}", competences=["SIEM"])
    with CaptureQueriesContext(connection) as few:
        api(None).client.get("/api/v1/public/catalogue")
    for i in range(3, 12):
        listed(sec, f"P{i}", competences=["SIEM"])
    with CaptureQueriesContext(connection) as many:
        r = api(None).client.get("/api/v1/public/catalogue")
    assert r.json()["count"] == 12
    assert len(many.captured_queries) == len(few.captured_queries)


def test_catalogue_is_paginated(sec, api):
    for i in range(5):
        listed(sec, f"P{i}")
    r = api(None).get("/public/catalogue?page_size=2&page=3").json()
    assert (r["count"], r["pages"], [e["name"] for e in r["items"]]) == (5, 3, ["P4"])


def test_the_index_follows_profile_and_organisation_edits(sec, api):
    partner = listed(sec, "Omega", region="Орёл", city="г. Орёл", competences=["SIEM"])
    assert names(api(None).get("/public/catalogue?region=орел&city=Орел&competence=siem")) == ["Omega"]

    profile = partner.profile
    profile.competences = ["DLP"]
    profile.save()
    partner.region = "Тула"
    partner.save()
    assert names(api(None).get("/public/catalogue?competence=siem")) == []
    assert names(api(None).get("/public/catalogue?region=Орёл")) == []
    assert names(api(None).get("/public/catalogue?competence=dlp&region=тула")) == ["Omega"]
    assert "SIEM" not in Client().get("/partners/").content.decode()  # no longer offered as a filter value


def test_catalogue_page_queries_do_not_grow_with_partners(sec):
    for i in range(3):
        listed(sec, f"P{i}", competences=[f"C{i}"], regions=[f"R{i}"])
    with CaptureQueriesContext(connection) as few:
        assert Client().get("/partners/?region=Москва").status_code == 200
    for i in range(3, 40):
        listed(sec, f"P{i}", competences=[f"C{i}"], regions=[f"R{i}"])
    with CaptureQueriesContext(connection) as many:
        page = Client().get("/partners/?region=Москва").content.decode()
    assert "C39" in page  # the filter lists every listed partner's values, from the index
    assert len(many.captured_queries) == len(few.captured_queries)
    partner_rows = [q["sql"] for q in many.captured_queries if 'FROM "identity_organisation"' in q["sql"]]
    assert partner_rows and all("LIMIT" in sql or "COUNT(" in sql for sql in partner_rows), partner_rows
