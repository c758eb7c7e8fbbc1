"""Vendor admission: a software vendor applies, the experts score it, it is admitted (enrolled) or declined."""

import pytest

from partnerhub.partners.models import Enrolment

from .marketplace_builders import vendor_programme

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def default_scorecard(db):
    """The criteria migration 0002 seeds (a transactional test before this one may have emptied the tables)."""
    from partnerhub.marketplace.services.admission import ensure_default_criteria

    ensure_default_criteria()


APPLICATION = {
    "software_description": "A CRM for retail chains",
    "focus_industries": ["retail", "logistics"],
    "implementation_stories": "Rolled out at 40 stores",
    "company_profile": "Founded 2015, 80 people",
}


def _apply(world, api):
    r = api(world.b_admin).post(f"/marketplace/organisations/{world.partner_b.pk}/vendor-applications", APPLICATION)
    assert r.status_code == 201, r.content
    return r.json()["id"]


def test_vendor_is_scored_admitted_and_enrolled_in_the_marketplace_programme(world, api):
    vendor_programme()
    app_id = _apply(world, api)
    expert = api(world.bdm_b)
    # admitting before every criterion is scored is refused, naming the missing ones
    r = expert.post(f"/marketplace/vendor-applications/{app_id}/decision", {"admit": True})
    assert r.status_code == 422
    assert "complexity" in r.json()["errors"][0]["message"]
    for code, score in [("complexity", 4), ("innovation", 5), ("demand", 3)]:
        r = expert.post(f"/marketplace/vendor-applications/{app_id}/scores", {"criterion_code": code, "score": score})
        assert r.status_code == 200, r.content
    api(world.vendor_admin).post(f"/marketplace/vendor-applications/{app_id}/scores",
                                 {"criterion_code": "demand", "score": 5})  # fmt: skip
    r = expert.post(f"/marketplace/vendor-applications/{app_id}/decision", {"admit": True, "note": "Strong"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == "admitted"
    # weights 30/40/30: (4×30 + 5×40 + 4×30) / 100 = 4.40 (demand is the mean of 3 and 5)
    assert body["total_score"] == "4.40"
    assert {row["code"]: row["mean"] for row in body["scorecard"]} == {
        "complexity": "4.00", "innovation": "5.00", "demand": "4.00"}  # fmt: skip
    enrolment = Enrolment.objects.get(pk=body["enrolment_id"])
    assert (enrolment.organisation, enrolment.programme.code, enrolment.tier_code) == (
        world.partner_b, "marketplace-vendors", "emerging")  # fmt: skip
    # the applicant reads the decision and the scorecard, not each expert's scores
    mine = api(world.b_admin).get(f"/marketplace/vendor-applications/{app_id}").json()
    assert mine["status"] == "admitted" and mine["expert_scores"] == []
    assert len(api(world.vendor_admin).get(f"/marketplace/vendor-applications/{app_id}").json()["expert_scores"]) == 4
    # admitted once: a second application is refused
    again = api(world.b_admin).post(f"/marketplace/organisations/{world.partner_b.pk}/vendor-applications",
                                    APPLICATION)  # fmt: skip
    assert again.status_code == 422


def test_decline_needs_a_reason_and_keeps_the_scores(world, api):
    app_id = _apply(world, api)
    expert = api(world.vendor_admin)
    expert.post(f"/marketplace/vendor-applications/{app_id}/scores", {"criterion_code": "innovation", "score": 1})
    r = expert.post(f"/marketplace/vendor-applications/{app_id}/decision", {"admit": False})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "note"
    r = expert.post(f"/marketplace/vendor-applications/{app_id}/decision", {"admit": False, "note": "Too early"})
    assert r.json()["status"] == "declined"
    assert r.json()["scorecard"][1] | {} == {"code": "innovation", "name_ru": "Инновационность (прорывные технологии)",
                                             "name_en": "Innovation (use of breakthrough technologies)",
                                             "weight": "40.00", "mean": "1.00"}  # fmt: skip
    # decided: no more scores
    r = expert.post(f"/marketplace/vendor-applications/{app_id}/scores", {"criterion_code": "demand", "score": 2})
    assert r.status_code == 422


def test_bad_applications_and_roles(world, api):
    url = f"/marketplace/organisations/{world.partner_b.pk}/vendor-applications"
    r = api(world.b_admin).post(url, {**APPLICATION, "focus_industries": ["mining"], "company_profile": " "})
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} == {"focus_industries", "company_profile"}
    assert api(world.a_admin).post(url, APPLICATION).status_code == 404  # another partner
    sales = world.member(world.partner_b, "sales")
    assert api(sales).post(url, APPLICATION).status_code == 403  # too small a role
    app_id = _apply(world, api)
    assert api(world.b_admin).post(url, APPLICATION).status_code == 422  # one open application
    # the applicant cannot score itself
    r = api(world.b_admin).post(f"/marketplace/vendor-applications/{app_id}/scores",
                                {"criterion_code": "demand", "score": 5})  # fmt: skip
    assert r.status_code == 403


def test_scorecard_is_configurable_by_vendor_administrators(world, api):
    criterion = {"code": "security", "name_ru": "Безопасность", "name_en": "Security", "weight": "20"}
    r = api(world.vendor_admin).post("/marketplace/score-criteria", criterion)
    assert r.status_code == 200, r.content
    codes = [c["code"] for c in api(world.bdm_a).get("/marketplace/score-criteria").json()]
    assert codes == ["security", "complexity", "innovation", "demand"]
    assert api(world.bdm_a).post("/marketplace/score-criteria", {"code": "x", "name_ru": "x", "name_en": "x",
                                                                 "weight": "1"}).status_code == 403  # fmt: skip
    assert api(world.a_admin).post("/marketplace/score-criteria", {"code": "x", "name_ru": "x", "name_en": "x",
                                                                   "weight": "1"}).status_code == 404  # fmt: skip
