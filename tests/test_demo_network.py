"""The demo shows a multi-level network: Гамма Сервис buys through Альфа Интеграция (its distributor) and was
recruited by Бета Софт; the demo's 002 version pays both overrides, so Гамма's rated sales give Альфа and Бета
override lines on their earnings and statements. Loading the demo twice changes nothing."""

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from partnerhub.identity.demo import DEMO_PASSWORD
from partnerhub.partners.models import Enrolment
from partnerhub.programmes.models import ProgrammeVersion
from partnerhub.rewards.models import Rating

pytestmark = pytest.mark.django_db


def network_state():
    links = list(
        Enrolment.objects.filter(distributor__isnull=False).values_list(
            "organisation__name", "distributor__name", "distributor_since", "recruited_by__name", "recruited_on"
        )
    )
    lines = list(
        Rating.objects.filter(line__in=("distributor", "recruiter"))
        .order_by("pk")
        .values_list(
            "line", "organisation__name", "source_organisation__name", "rule", "rate_percent", "reward", "is_current"
        )
    )
    return links, lines


def login(email: str) -> Client:
    client = Client()
    assert client.login(username=email, password=DEMO_PASSWORD), email  # the logins the README prints
    return client


def test_the_demo_has_a_distributor_and_a_recruiter_with_their_override_lines():
    call_command("load_demo", stdout=io.StringIO())
    version = ProgrammeVersion.objects.get(programme__code="security-partners", number=1)
    assert (version.distributor_override_percent, version.recruiter_override_percent) == (3, 2)
    links, lines = network_state()
    assert [(o, d, r) for o, d, _since, r, _on in links] == [("Гамма Сервис", "Альфа Интеграция", "Бета Софт")]
    kinds = {(line, who, source) for line, who, source, *_rest in lines}
    assert kinds == {("distributor", "Альфа Интеграция", "Гамма Сервис"), ("recruiter", "Бета Софт", "Гамма Сервис")}
    period = timezone.localdate().strftime("%Y-%m")
    for email, line, rule in (("admin@alpha.demo", "distributor", "network:distributor"),
                              ("admin@beta.demo", "recruiter", "network:recruiter:12m")):  # fmt: skip
        rating = Rating.objects.filter(line=line, is_current=True).first()  # one per sale of Гамма's
        client = login(email)
        page = client.get(f"/earnings/{rating.organisation_id}/statements/{period}/").content.decode()
        assert "data-source-partner" in page and "Гамма Сервис" in page and rule in page
        assert client.get(f"/earnings/{rating.organisation_id}/").status_code == 200
    call_command("load_demo", stdout=io.StringIO())
    assert network_state() == (links, lines)


def test_every_demo_sale_is_rated_and_nothing_waits_for_a_rate_or_a_tier():
    from partnerhub.rewards.models import ExchangeRate, RatingIssue, Sale
    from partnerhub.rewards.services import rate_pending

    call_command("load_demo", stdout=io.StringIO())
    assert rate_pending().rated == 0  # the demo's own loading rated everything it recorded
    assert not RatingIssue.objects.exists()
    unrated = Sale.objects.exclude(ratings__line="own", ratings__is_current=True)
    assert not unrated.exists(), list(unrated.values_list("organisation__name", "sold_on", "currency"))
    assert Sale.objects.exclude(currency="RUB").exists()  # dollar sales among them, converted at their day's rate
    today = timezone.localdate()
    assert ExchangeRate.objects.filter(currency="USD", on=today).exists()
    gamma = Enrolment.objects.get(organisation__name="Гамма Сервис", programme__code="security-partners")
    assert gamma.tier_changes.order_by("effective_on").first().effective_on == today.replace(month=1, day=1)


def test_a_demo_partner_downloads_its_price_list_with_its_tiers_prices():
    import openpyxl

    call_command("load_demo", stdout=io.StringIO())
    call_command("load_demo", stdout=io.StringIO())  # idempotent: the catalogue is not loaded twice
    from partnerhub.rewards.models import PriceList, Product

    assert Product.objects.filter(sku__startswith="SEC-").count() == 4 and PriceList.objects.count() == 2
    alpha = Enrolment.objects.get(organisation__name="Альфа Интеграция").organisation_id
    response = login("admin@alpha.demo").get(f"/products/price-list/{alpha}.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)
                                              if response.streaming else response.content)).active  # fmt: skip
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "SEC-NGFW-1000" in cells and "SEC-SIEM-100" in cells
