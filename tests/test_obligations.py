"""Obligations: evidence from the partner, review by its manager, effect on the tier."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from partnerhub.core.models import Notification
from partnerhub.partners.models import ObligationRecord

pytestmark = pytest.mark.django_db


def test_partner_submits_and_manager_accepts(world, api):
    r = api(world.a_sales).post(f"/organisations/{world.partner_a.pk}/obligations",
                                {"obligation": "joint_promotion", "valid_from": "2026-07-01",
                                 "valid_until": "2026-10-01", "note": "Webinar with 120 attendees"})  # fmt: skip
    assert r.status_code == 201 and r.json()["status"] == "submitted"
    assert Notification.objects.filter(user=world.bdm_a, kind="obligation.submitted").exists()
    rid = r.json()["id"]
    assert api(world.bdm_b).post(f"/obligations/{rid}/review", {"accept": True}).status_code == 404
    assert api(world.a_admin).post(f"/obligations/{rid}/review", {"accept": True}).status_code == 403
    r = api(world.bdm_a).post(f"/obligations/{rid}/review", {"accept": False})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "reason"
    r = api(world.bdm_a).post(f"/obligations/{rid}/review", {"accept": True})
    assert r.json()["status"] == "accepted"
    assert api(world.bdm_a).post(f"/obligations/{rid}/review", {"accept": True}).status_code == 422
    assert Notification.objects.filter(user=world.a_admin, kind="obligation.accepted").exists()


def test_manager_records_confirmed_obligation(world, api):
    r = api(world.bdm_a).post(f"/organisations/{world.partner_a.pk}/obligations",
                              {"obligation": "vendor_info_on_site", "valid_from": "2026-01-01"})  # fmt: skip
    assert r.status_code == 201 and r.json()["status"] == "accepted"


def test_bad_evidence(world, api, ui):
    bad = {"obligation": "bribes", "valid_from": "2026-02-01", "valid_until": "2026-01-01"}
    r = api(world.a_admin).post(f"/organisations/{world.partner_a.pk}/obligations", bad)
    assert {e["field"] for e in r.json()["errors"]} == {"obligation", "valid_until"}
    r = api(world.a_admin).post(f"/organisations/{world.partner_a.pk}/obligations",
                                {"obligation": "reviews", "valid_from": "2026-02-01"})  # fmt: skip
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "evidence_file"
    exe = SimpleUploadedFile("report.exe", b"MZ...", content_type="application/octet-stream")
    r = ui(world.a_admin).post("/obligations/", {"obligation": "monthly_reports", "valid_from": "2026-01-01",
                                                 "evidence_file": exe})  # fmt: skip
    assert "Upload a file of one of these types: PDF" in r.content.decode()
    assert not ObligationRecord.objects.exists()


def test_evidence_file_upload_and_review_page(world, ui, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    pdf = SimpleUploadedFile("march.pdf", b"%PDF-1.4 report", content_type="application/pdf")
    r = ui(world.a_admin).post("/obligations/", {"obligation": "monthly_reports", "valid_from": "2026-03-01",
                                                 "valid_until": "2026-04-01", "evidence_file": pdf})  # fmt: skip
    assert r.status_code == 302
    record = ObligationRecord.objects.get()
    assert record.evidence_file.name.endswith(".pdf") and record.valid_from == date(2026, 3, 1)
    html = ui(world.bdm_a).get("/obligations/").content.decode()
    assert "Partner A" in html and "march" in html
    ui(world.bdm_a).post(f"/obligations/{record.pk}/review/", {"decision": "accept"})
    record.refresh_from_db()
    assert record.status == "accepted" and record.reviewed_by == world.bdm_a
