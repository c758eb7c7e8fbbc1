"""Partner staff and certifications: what the tier rules count."""

from datetime import date, timedelta

import pytest

from partnerhub.core.models import AuditEntry
from partnerhub.enablement.models import Certification, CertificationType, Specialist

pytestmark = pytest.mark.django_db


@pytest.fixture
def ctype(db):
    return CertificationType.objects.create(code="tech", name="Technical specialist", validity_months=24)


def test_partner_admin_lists_staff_and_certifies_them(world, api, ctype):
    client = api(world.a_admin)
    r = client.post(f"/organisations/{world.partner_a.pk}/specialists", {"full_name": "Ада Инженерова",
                                                                           "email": "Ada@A.test"})  # fmt: skip
    assert r.status_code == 201
    sid = r.json()["id"]
    r = client.post(f"/specialists/{sid}/certifications", {"type_code": "tech", "issued_on": "2026-01-15"})
    assert r.status_code == 201
    assert r.json()["expires_on"] == "2028-01-15"  # the type's 24-month validity
    listed = client.get(f"/organisations/{world.partner_a.pk}/specialists").json()["items"]
    assert listed[0]["email"] == "ada@a.test" and listed[0]["certifications"][0]["type_code"] == "tech"
    assert AuditEntry.objects.filter(action="certification.added", organisation=world.partner_a).exists()


def test_bad_certification_input(world, api, ctype):
    s = Specialist.objects.create(organisation=world.partner_a, full_name="X")
    client = api(world.a_admin)
    future = (date.today() + timedelta(days=3)).isoformat()
    r = client.post(f"/specialists/{s.pk}/certifications", {"type_code": "nope", "issued_on": future})
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} == {"type_code", "issued_on"}
    r = client.post(f"/specialists/{s.pk}/certifications",
                    {"type_code": "tech", "issued_on": "2026-01-01", "expires_on": "2025-01-01"})  # fmt: skip
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "expires_on"
    assert not Certification.objects.exists()


def test_duplicate_specialist_email(world, api):
    client = api(world.a_admin)
    client.post(f"/organisations/{world.partner_a.pk}/specialists", {"full_name": "A", "email": "a@a.test"})
    r = client.post(f"/organisations/{world.partner_a.pk}/specialists", {"full_name": "B", "email": "A@a.test"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "email"


def test_sales_role_reads_but_cannot_edit(world, api, ui):
    r = api(world.a_sales).post(f"/organisations/{world.partner_a.pk}/specialists", {"full_name": "X"})
    assert r.status_code == 403
    assert api(world.a_sales).get(f"/organisations/{world.partner_a.pk}/specialists").status_code == 200
    r = ui(world.a_sales).post(f"/organisations/{world.partner_a.pk}/specialists/", {"full_name": "X"})
    assert r.status_code == 403 and not Specialist.objects.exists()


def test_specialist_pages(world, ui, ctype):
    client = ui(world.a_admin)
    r = client.post(f"/organisations/{world.partner_a.pk}/specialists/", {"full_name": "Пётр Сетевой"})
    assert r.status_code == 302
    s = Specialist.objects.get(full_name="Пётр Сетевой")
    r = client.post(f"/specialists/{s.pk}/", {"type_code": "tech", "issued_on": "2026-02-01"})
    assert r.status_code == 302 and s.certifications.count() == 1
    html = client.get(f"/organisations/{world.partner_a.pk}/specialists/").content.decode()
    assert "Пётр Сетевой" in html and "1 valid certificate" in html
    client.post(f"/specialists/{s.pk}/toggle/")
    s.refresh_from_db()
    assert s.is_active is False
