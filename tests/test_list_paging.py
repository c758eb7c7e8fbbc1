"""Lists count only as far as their pager needs, and the catalogue's cached filter values follow the partners."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from partnerhub.core.pagination import Paginator
from partnerhub.identity.models import Organisation
from partnerhub.identity.roles import OrgKind
from partnerhub.partners.models import Enrolment, PartnerProfile

from .factories import MembershipFactory, UserFactory
from .lead_builders import leads_programme, partner

pytestmark = pytest.mark.django_db


def _orgs(n: int) -> None:
    Organisation.objects.bulk_create(
        [Organisation(kind=OrgKind.PARTNER, name=f"Bulk {i:04d}") for i in range(n)], batch_size=500
    )


def test_the_pager_counts_a_window_beyond_the_page_and_next_keeps_working(db):
    _orgs(30)
    qs = Organisation.objects.filter(name__startswith="Bulk").order_by("name", "id")

    first = Paginator(qs, 2, lookahead=3).get_page("1")
    assert (first.paginator.count, first.paginator.num_pages, first.paginator.capped) == (8, 4, True)
    assert first.has_next() and [o.name for o in first] == ["Bulk 0000", "Bulk 0001"]

    deep = Paginator(qs, 2, lookahead=3).get_page("10")  # asked beyond the first window: counted further
    assert deep.number == 10 and [o.name for o in deep] == ["Bulk 0018", "Bulk 0019"]
    assert deep.paginator.capped and deep.has_next()

    near_end = Paginator(qs, 2, lookahead=3).get_page("13")  # the window reaches the end: exact
    assert (near_end.paginator.count, near_end.paginator.num_pages, near_end.paginator.capped) == (30, 15, False)

    past = Paginator(qs, 2, lookahead=3).get_page("99")  # past the end: the last page, as Django's does
    assert past.number == 15 and [o.name for o in past] == ["Bulk 0028", "Bulk 0029"]
    assert Paginator(qs, 2, lookahead=3).get_page("junk").number == 1
    assert Paginator(qs, 2, lookahead=None).get_page("1").paginator.count == 30  # a page that prints the total

    with CaptureQueriesContext(connection) as queries:
        list(Paginator(qs, 2).get_page("2"))
    assert len(queries) == 2  # one bounded count, one page


def test_a_long_list_says_more_pages_exist_in_either_language(world):
    _orgs(600)  # 50 a page: more than the eleven pages counted from the first
    MembershipFactory(user=UserFactory(), organisation=world.partner_a)
    client = Client()
    client.force_login(world.vendor_admin)
    page = client.get("/organisations/").content.decode()
    assert "Page 1 of more than 11" in page and "page=2" in page
    row = page.split(">Bulk 0000</a>")[1].split("</tr>")[0]
    assert row.endswith("<td>0</td>")  # members counted per row, none here
    partner_a = client.get("/organisations/?q=Partner+A").content.decode().split(">Partner A</a>")[1]
    assert partner_a.split("</tr>")[0].endswith(f"<td>{world.partner_a.memberships.count()}</td>")
    last = client.get("/organisations/?page=13").content.decode()
    assert "Page 13 of 13" in last and "Next" not in last  # 604 organisations: 13 pages, counted exactly
    ru = client.get("/organisations/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Страница 1 из более чем 11" in ru


def test_the_catalogue_filters_follow_a_partners_change_at_once(world):
    prog = leads_programme().programme
    org = partner(prog, "Moskit", competences=["SIEM"], tier="authorized")
    page = Client().get("/partners/").content.decode()  # the filter values are now cached
    assert ">SIEM</option>" in page and ">DLP</option>" not in page

    profile = PartnerProfile.objects.get(organisation=org)
    profile.competences = ["DLP"]
    profile.save()
    page = Client().get("/partners/").content.decode()
    assert ">DLP</option>" in page and ">SIEM</option>" not in page

    enrolment = Enrolment.objects.get(organisation=org)
    enrolment.status = Enrolment.Status.SUSPENDED
    enrolment.save()
    page = Client().get("/partners/").content.decode()
    assert ">DLP</option>" not in page and "Moskit" not in page  # no longer listed: neither it nor its values
