"""What a partner and the vendor see of tiers, in the UI and the API."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from partnerhub.partners import services
from partnerhub.partners.evaluation import evaluate_programme
from partnerhub.partners.models import Enrolment, ObligationRecord

from .programme_builders import certify, security_programme, sell

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrolled(world):
    programme = security_programme().programme
    today = date.today()
    ObligationRecord.objects.create(organisation=world.partner_a, obligation="monthly_reports",
                                    valid_from=today - timedelta(days=400), status="accepted")  # fmt: skip
    e = services.enrol(actor=world.vendor_admin, organisation=world.partner_a, programme=programme,
                       role_code="reseller", joined_on=today - timedelta(days=100), active=True)  # fmt: skip
    certify(world.partner_a, issued=today - timedelta(days=30))
    sell(world.partner_a, "450000", today)
    evaluate_programme(programme=programme, on=today)
    e.refresh_from_db()
    return e


def test_partner_sees_tier_benefits_and_what_it_lacks(world, ui, enrolled):
    html = ui(world.a_sales).get(reverse("partner-tier")).content.decode()
    assert 'data-testid="tier-name">Authorized<' in html
    assert "Toward Certified" in html and "Still missing:" in html
    assert "450000 / 500000 RUB" in html
    assert "25%" in html  # the Authorized reward rate on software


def test_vendor_overview_shows_distribution_and_movers(world, ui, enrolled):
    html = ui(world.vendor_admin).get(reverse("tier-overview")).content.decode()
    assert 'data-testid="dist-authorized">1<' in html
    assert "Partner A" in html.split("Close to moving up")[1].split("At risk")[0]  # 450k of 500k = 90%
    assert ui(world.a_admin).get(reverse("tier-overview")).status_code == 403


def test_bdm_overrides_in_the_ui_with_field_errors_first(world, ui, enrolled):
    client = ui(world.bdm_a)
    url = reverse("enrolment-override", args=[enrolled.pk])
    r = client.post(url, {"tier_code": "privileged", "until": "2001-01-01", "reason": "x"})
    assert r.status_code == 422 and "The override must end after today." in r.content.decode()
    until = (date.today() + timedelta(days=30)).isoformat()
    r = client.post(url, {"tier_code": "privileged", "until": until, "reason": "Key account"})
    assert r.status_code == 302
    enrolled.refresh_from_db()
    assert enrolled.tier_code == "privileged" and enrolled.override_reason == "Key account"
    assert "Key account" in ui(world.a_admin).get(reverse("partner-tier")).content.decode()


def test_api_evaluation_explains_each_requirement(world, api, enrolled):
    body = api(world.a_admin).get(f"/enrolments/{enrolled.pk}/evaluation").json()
    assert body["tier_code"] == "authorized" and body["next_tier_code"] == "certified"
    assert [(m["code"], m["have"], m["need"], m["met"]) for m in body["missing_for_next"]] == [
        ("sales", "450000.00", "500000.00", False)
    ]
    assert body["version_number"] == 1
    history = api(world.a_admin).get(f"/enrolments/{enrolled.pk}/history").json()["items"]
    assert history[0]["to_tier_code"] == "authorized" and history[0]["cause"] == "evaluation"


def test_api_override_and_permissions(world, api, enrolled):
    until = (date.today() + timedelta(days=5)).isoformat()
    r = api(world.a_admin).post(f"/enrolments/{enrolled.pk}/override",
                                {"tier_code": "privileged", "until": until, "reason": "x"})  # fmt: skip
    assert r.status_code == 403
    r = api(world.bdm_a).post(f"/enrolments/{enrolled.pk}/override",
                              {"tier_code": "gold", "until": until, "reason": "x"})  # fmt: skip
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "tier_code"
    r = api(world.bdm_a).post(f"/enrolments/{enrolled.pk}/override",
                              {"tier_code": "privileged", "until": until, "reason": "Pilot"})  # fmt: skip
    assert r.status_code == 200 and r.json()["tier_code"] == "privileged"
    r = api(world.bdm_a).post(f"/enrolments/{enrolled.pk}/override/end")
    assert r.json()["tier_code"] == "authorized"
    assert Enrolment.objects.get(pk=enrolled.pk).override_tier_code is None


def test_distribution_api(world, api, enrolled):
    rows = api(world.vendor_admin).get("/tiers/distribution").json()
    assert rows == [{"programme_id": enrolled.programme_id, "programme__name": "Security partners",
                     "tier_code": "authorized", "n": 1}]  # fmt: skip
    assert api(world.a_admin).get("/tiers/distribution").status_code == 403
