"""What a partner and the vendor see of tiers, in the UI and the API."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from partnerhub.partners import services
from partnerhub.partners.models import Enrolment, ObligationRecord
from partnerhub.partners.tiers import evaluate_programme

from .programme_builders import certify, security_programme, sell

pytestmark = pytest.mark.django_db


def authorized_partner_a(world) -> Enrolment:
    """Partner A, Authorized today with 450,000 of the 500,000 RUB that Certified asks."""
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


@pytest.fixture
def enrolled(world):
    return authorized_partner_a(world)


def test_partner_sees_tier_benefits_and_what_it_lacks(world, ui, enrolled):
    html = ui(world.a_sales).get(reverse("partner-tier")).content.decode()
    assert 'data-testid="tier-name">Authorized<' in html
    assert "Toward Certified" in html and "Still missing:" in html
    assert "450,000 / 500,000 RUB" in html
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


# ---------------------------------------------------------------------------- what would I need, what if


def test_partner_sees_what_it_would_need_for_the_next_tier(world, ui, enrolled):
    html = ui(world.a_sales).get(reverse("partner-tier")).content.decode()
    needs = html.split('data-testid="needs"')[1].split("</ul>")[0]
    assert "50,000 RUB more" in needs  # 450,000 of 500,000 RUB
    assert 'data-requirement="staff"' not in needs  # the certificate it has is enough


def test_api_needs_lists_the_smallest_additions(world, api, enrolled):
    body = api(world.a_admin).get(f"/enrolments/{enrolled.pk}/needs").json()
    assert (body["tier_code"], body["next_tier_code"], body["reached"]) == ("authorized", "certified", True)
    assert [(g["code"], g["have"], g["need"], g["add"]) for g in body["gaps"]] == [
        ("sales", "450000.00", "500000.00", "50000.00")
    ]
    assert body["obligations"] == []


def test_api_what_if_uses_the_engine_and_saves_nothing(world, api, enrolled):
    from partnerhub.core.models import AuditEntry
    from partnerhub.partners.models import TierChange

    client = api(world.a_admin)  # (creating its token is audited)
    before = (TierChange.objects.count(), AuditEntry.objects.count(), Enrolment.objects.get(pk=enrolled.pk).tier_code)
    short = client.post(f"/enrolments/{enrolled.pk}/what-if", {"sales": "49999.99"}).json()
    assert short["qualified_tier_code"] == "authorized"
    enough = client.post(f"/enrolments/{enrolled.pk}/what-if", {"sales": "50000"}).json()
    assert enough["qualified_tier_code"] == "certified"
    certified = next(t for t in enough["tiers"] if t["code"] == "certified")
    assert next(r for r in certified["requirements"] if r["code"] == "sales")["have"] == "500000.00"
    after = (TierChange.objects.count(), AuditEntry.objects.count(), Enrolment.objects.get(pk=enrolled.pk).tier_code)
    assert before == after


def test_api_what_if_refuses_bad_figures_with_field_errors(world, api, enrolled):
    client = api(world.a_admin)
    r = client.post(f"/enrolments/{enrolled.pk}/what-if", {"sales": "-1", "certified": 1})
    assert r.status_code == 422 and r.headers["Content-Type"].startswith("application/problem+json")
    assert [e["field"] for e in r.json()["errors"]] == ["sales"]
    r = client.post(f"/enrolments/{enrolled.pk}/what-if", {"product_family": "no-such-family", "sales": "1"})
    assert r.status_code == 422 and [e["field"] for e in r.json()["errors"]] == ["product_family"]


def test_what_if_form_over_htmx(world, ui, enrolled):
    client = ui(world.a_sales)
    url = reverse("tier-what-if", args=[enrolled.pk])
    r = client.get(url, {"sales": "50000", "certified": ""}, headers={"HX-Request": "true"})
    html = r.content.decode()
    assert r.status_code == 200 and "<html" not in html
    assert "qualify for <strong>Certified</strong>" in html
    r = client.get(url, {"sales": "-5"}, headers={"HX-Request": "true"})
    assert r.status_code == 422 and 'class="error"' in r.content.decode()
    full = client.get(url, {"registered_deals": "2"})  # without JavaScript: the tier page with the result
    assert full.status_code == 200 and 'data-testid="what-if-result"' in full.content.decode()
    assert Enrolment.objects.get(pk=enrolled.pk).tier_code == "authorized"


def test_what_if_labels_are_translated(world, ui, enrolled):
    client = ui(world.a_sales)
    html = client.get(reverse("partner-tier"), headers={"Accept-Language": "ru"}).content.decode()
    assert "Что если" in html and "Рассчитать" in html and "Что нужно добавить" in html


# ---------------------------------------------------------------------------- programme texts in the reader's language


def in_two_languages(enrolled: Enrolment) -> None:
    """Russian and English names for the tiers, the role and a requirement; Certified has no English name."""
    from partnerhub.programmes.models import ProgrammeRole, Requirement, Tier

    v = enrolled.programme.versions.get()
    Tier.objects.filter(version=v, code="authorized").update(name="Авторизованный", name_en="Authorized")
    Tier.objects.filter(version=v, code="certified").update(name="Сертифицированный", name_en="")
    ProgrammeRole.objects.filter(version=v, code="reseller").update(name="Реселлер", name_en="Reseller")
    Requirement.objects.filter(tier__version=v, tier__code="certified", code="sales").update(
        label="Продажи за год", label_en="Sales this year"
    )
    Enrolment.objects.filter(pk=enrolled.pk).update(evaluation_digest="")  # (a published version's texts are frozen)
    evaluate_programme(programme=enrolled.programme, on=date.today())  # the stored explanation takes both


def test_the_tier_page_shows_programme_texts_in_the_active_language_and_falls_back_to_russian(world, ui, enrolled):
    in_two_languages(enrolled)
    client = ui(world.a_sales)
    en = client.get(reverse("partner-tier"), headers={"Accept-Language": "en"}).content.decode()
    assert 'data-testid="tier-name">Authorized<' in en and "Reseller" in en and "Sales this year" in en
    assert "Toward Сертифицированный" in en  # no English name: the Russian one, never the code
    assert "Авторизованный" not in en and "Продажи за год" not in en
    ru = client.get(reverse("partner-tier"), headers={"Accept-Language": "ru"}).content.decode()
    assert 'data-testid="tier-name">Авторизованный<' in ru and "Реселлер" in ru and "Продажи за год" in ru
    assert "Сертифицированный" in ru and "Sales this year" not in ru and ">Authorized<" not in ru


def test_the_enrolment_list_names_roles_and_tiers_in_the_active_language(world, ui, enrolled):
    in_two_languages(enrolled)
    client = ui(world.vendor_admin)
    en = client.get(reverse("enrolment-list"), headers={"Accept-Language": "en"}).content.decode()
    row = en.split("<tbody>")[1].split("</tr>")[0]
    assert "<td>Reseller</td>" in row and "<td>Authorized" in row and "reseller" not in row.split("</a>")[1]
    ru = client.get(reverse("enrolment-list"), headers={"Accept-Language": "ru"}).content.decode()
    row = ru.split("<tbody>")[1].split("</tr>")[0]
    assert "<td>Реселлер</td>" in row and "<td>Авторизованный" in row and "authorized" not in row
    # the tier filter offers names, and still filters by the code
    assert '<option value="authorized">Авторизованный</option>' in ru
    filtered = client.get(reverse("enrolment-list"), {"tier": "certified"}).content.decode()
    assert "No enrolments match." in filtered


def test_the_api_returns_programme_labels_in_the_language_asked_for(world, api, enrolled):
    in_two_languages(enrolled)
    client = api(world.a_admin)
    en = client.get(f"/enrolments/{enrolled.pk}/needs", **{"Accept-Language": "en"}).json()
    assert en["next_tier_name"] == "Сертифицированный" and en["gaps"][0]["label"] == "Sales this year"
    ru = client.get(f"/enrolments/{enrolled.pk}/needs", **{"Accept-Language": "ru"}).json()
    assert ru["next_tier_name"] == "Сертифицированный" and ru["gaps"][0]["label"] == "Продажи за год"
