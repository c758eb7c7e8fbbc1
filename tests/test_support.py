"""Partner support: targets per tier in working hours, the thread with attachments, assignment, statuses,
rating at close and reopen; the clock and breaches seen by both sides; the breach job (idempotent); API, pages."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from partnerhub.core.models import AuditEntry, Notification
from partnerhub.support import services
from partnerhub.support.models import SupportRequest
from partnerhub.support.rules import due, targets_for
from partnerhub.webhooks import services as webhooks
from partnerhub.webhooks.models import WebhookDelivery
from tests.conftest import FormData
from tests.support_builders import enrol_in_tier, programme_002

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _open(world, kind="technical", user=None, files=()):
    return services.open_request(
        actor=user or world.a_admin, organisation=world.partner_a, kind=kind, subject="Не поднимается туннель",
        body="После обновления до 8.1", files=files,
    )  # fmt: skip


def test_targets_come_from_the_tier_and_the_vendor_may_set_them(world):
    assert targets_for(world.partner_a)[1:] == ("", 24, 72)
    enrol_in_tier(world.partner_a, "privileged")
    assert targets_for(world.partner_a)[1:] == ("privileged", 4, 16)
    services.set_target(actor=world.vendor_admin, programme_code="security-partners", tier_code="privileged",
                        first_response_hours=2, resolution_hours=8)  # fmt: skip
    assert targets_for(world.partner_a)[1:] == ("privileged", 2, 8)
    with pytest.raises(PermissionDenied):
        services.set_target(actor=world.bdm_a, programme_code="security-partners", tier_code="privileged",
                            first_response_hours=2, resolution_hours=8)  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        services.set_target(actor=world.vendor_admin, programme_code="security-partners", tier_code="certified",
                            first_response_hours=8, resolution_hours=4)  # fmt: skip
    assert "resolution_hours" in exc.value.error_dict


def test_the_clock_counts_working_hours_of_the_production_calendar():
    friday = timezone.make_aware(datetime(2026, 12, 4, 20, 0))
    assert timezone.localtime(due(friday, 3)) == timezone.make_aware(datetime(2026, 12, 4, 23, 0))
    assert timezone.localtime(due(friday, 6)) == timezone.make_aware(datetime(2026, 12, 7, 2, 0))


def test_a_request_answered_within_its_target_is_met_for_both_sides(world):
    enrol_in_tier(world.partner_a, "privileged")
    req = _open(world, files=[SimpleUploadedFile("log.pdf", PDF, content_type="application/pdf")])
    assert (req.tier_code, req.first_response_hours, req.status) == ("privileged", 4, "new")
    assert req.response_clock()["state"] == "running"
    assert Notification.objects.filter(user=world.bdm_a, kind="support.opened").exists()
    services.reply(actor=world.bdm_a, request=req, body="Пришлите конфигурацию", waiting_for_partner=True)
    req.refresh_from_db()
    assert (req.status, req.assignee, req.response_clock()["state"]) == ("waiting_partner", world.bdm_a, "met")
    services.reply(actor=world.a_admin, request=req, body="Вот она")
    req.refresh_from_db()
    assert req.status == "in_progress"
    services.set_status(actor=world.bdm_a, request=req, status="resolved")
    req.refresh_from_db()
    assert req.resolution_clock()["state"] == "met" and not req.is_breached
    services.close(actor=world.a_admin, request=req, rating=5, comment="Быстро")
    req.refresh_from_db()
    assert (req.status, req.rating, req.rating_comment) == ("closed", 5, "Быстро")
    assert req.replies.count() == 3 and req.replies.first().attachments.count() == 1
    actions = AuditEntry.objects.filter(object_id=str(req.pk), object_type="support.supportrequest")
    assert set(actions.values_list("action", flat=True)) >= {"support.opened", "support.replied", "support.closed"}


def test_a_late_first_response_is_a_breach_and_the_job_marks_it_once(world):
    enrol_in_tier(world.partner_a, "certified")
    webhooks.endpoint_create(actor=world.a_admin, organisation=world.partner_a, url="https://hooks.a.example/in",
                             event_types=["support.breached"])  # fmt: skip
    req = _open(world)
    SupportRequest.objects.filter(pk=req.pk).update(first_response_due=timezone.now() - timedelta(minutes=5))
    assert services.mark_breaches() == [req.pk]
    assert services.mark_breaches() == []  # idempotent
    req.refresh_from_db()
    assert req.response_breached_at is not None and req.is_breached
    assert Notification.objects.filter(kind="support.breached", user=world.a_admin).count() == 1
    assert Notification.objects.filter(kind="support.breached", user=world.bdm_a).count() == 1
    assert AuditEntry.objects.filter(action="support.breached").count() == 1
    assert WebhookDelivery.objects.filter(event_type="support.breached").count() == 1
    services.reply(actor=world.vendor_admin, request=req, body="Извините за задержку")
    req.refresh_from_db()
    assert req.response_clock()["state"] == "breached"


def test_a_late_answer_without_the_job_is_still_a_breach(world):
    req = _open(world)
    SupportRequest.objects.filter(pk=req.pk).update(first_response_due=timezone.now() - timedelta(hours=1))
    services.reply(actor=world.vendor_admin, request=req, body="Ответ")
    req.refresh_from_db()
    assert req.response_breached_at is not None and req.response_clock()["state"] == "breached"
    assert services.mark_breaches() == []


def test_reopen_restarts_the_resolution_clock(world):
    req = _open(world)
    services.set_status(actor=world.vendor_admin, request=req, status="resolved")
    with pytest.raises(ValidationError):
        services.reopen(actor=world.a_admin, request=_open(world))
    services.reopen(actor=world.a_admin, request=req, reason="Снова не работает")
    req.refresh_from_db()
    assert (req.status, req.resolved_at) == ("in_progress", None)
    assert req.resolution_due > timezone.now()


def test_bad_input_and_permissions(world):
    with pytest.raises(ValidationError) as exc:
        services.open_request(actor=world.a_admin, organisation=world.partner_a, kind="x", subject="", body="")
    assert {"kind", "subject", "body"} <= set(exc.value.error_dict)
    with pytest.raises(ValidationError) as exc:
        _open(world, files=[SimpleUploadedFile("run.pdf", EXE)])
    assert exc.value.error_dict["files"][0].code == "file_type"
    with pytest.raises(PermissionDenied):
        services.open_request(actor=world.vendor_admin, organisation=world.partner_a, kind="technical",
                              subject="x", body="y")  # fmt: skip
    req = _open(world)
    with pytest.raises(PermissionDenied):
        services.assign(actor=world.a_admin, request=req, assignee_id=world.bdm_a.pk)
    with pytest.raises(ValidationError):
        services.assign(actor=world.vendor_admin, request=req, assignee_id=world.finance.pk)
    with pytest.raises(PermissionDenied):
        services.set_status(actor=world.a_admin, request=req, status="resolved")
    with pytest.raises(PermissionDenied):
        services.close(actor=world.vendor_admin, request=req, rating=5)
    for rating in (None, 0, 6):
        with pytest.raises(ValidationError):
            services.close(actor=world.a_admin, request=req, rating=rating)
    services.close(actor=world.a_admin, request=req, rating=1, comment="Долго")
    with pytest.raises(ValidationError):
        services.reply(actor=world.a_admin, request=req, body="ещё")


def test_api_flow_and_queue_filters(world, api):
    enrol_in_tier(world.partner_a, "privileged")
    partner, vendor = api(world.a_admin), api(world.vendor_admin)
    r = partner.post("/support/requests", FormData(organisation_id=world.partner_a.pk, kind="presale_pricing",
                                                   subject="Цена на 500 узлов", body="Нужна спеццена"))  # fmt: skip
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["kind_label"] and body["response_clock"]["state"] == "running" and len(body["replies"]) == 1
    rid = body["id"]
    late = partner.post("/support/requests", FormData(organisation_id=world.partner_a.pk, kind="documents",
                                                      subject="Договор", body="Помогите")).json()["id"]  # fmt: skip
    SupportRequest.objects.filter(pk=late).update(first_response_due=timezone.now() - timedelta(hours=1))
    assert [i["id"] for i in vendor.get("/support/requests?breached=true").json()["items"]] == [late]
    assert [i["id"] for i in vendor.get("/support/requests?kind=presale_pricing").json()["items"]] == [rid]
    r = vendor.post(f"/support/requests/{rid}/assign", {"assignee_id": world.bdm_a.pk})
    assert r.json()["assignee_email"] == world.bdm_a.email and r.json()["status"] == "in_progress"
    assert [i["id"] for i in vendor.get(f"/support/requests?assignee_id={world.bdm_a.pk}").json()["items"]] == [rid]
    assert [i["id"] for i in vendor.get("/support/requests?unassigned=true").json()["items"]] == [late]
    r = vendor.post(f"/support/requests/{rid}/replies", FormData(body="Цена такая-то"))
    assert r.status_code == 201 and r.json()["response_clock"]["state"] == "met"
    assert vendor.post(f"/support/requests/{rid}/status", {"status": "resolved"}).json()["status"] == "resolved"
    assert partner.post(f"/support/requests/{rid}/close", {"rating": 9}).status_code == 422
    r = partner.post(f"/support/requests/{rid}/close", {"rating": 4, "comment": "ok"})
    assert r.json()["rating"] == 4 and r.json()["status"] == "closed"
    assert partner.post(f"/support/requests/{rid}/reopen", {}).json()["status"] == "in_progress"
    assert partner.post(f"/support/requests/{rid}/status", {"status": "closed"}).status_code == 403
    assert partner.get("/support/targets").json()["items"] == []
    r = vendor.put("/support/targets", {"programme_code": "security-partners", "tier_code": "certified",
                                        "first_response_hours": 6, "resolution_hours": 30})  # fmt: skip
    assert r.status_code == 200 and r.json()["resolution_hours"] == 30


def test_webhook_event_types_are_registered(world):
    from partnerhub.webhooks.events import EVENT_TYPES

    assert {"support.opened", "support.replied", "support.status_changed", "support.breached",
            "benefit.decided", "benefit.fulfilled"} <= set(EVENT_TYPES)  # fmt: skip
    programme_002()
    req = _open(world)
    services.set_status(actor=world.vendor_admin, request=req, status="resolved")
    assert WebhookDelivery.objects.filter(event_type__startswith="support.").count() == 0  # no endpoint, no delivery


def test_pages(world, client):
    enrol_in_tier(world.partner_a, "privileged")
    client.force_login(world.a_admin)
    assert client.get("/support/").status_code == 200
    r = client.post("/support/new/", {"kind": "technical", "subject": "", "body": "x"})
    assert r.status_code == 422
    cfg = SimpleUploadedFile("cfg.pdf", PDF, content_type="application/pdf")
    r = client.post("/support/new/", {"kind": "technical", "subject": "VPN", "body": "Не работает", "files": cfg})
    assert r.status_code == 302
    req = SupportRequest.objects.get()
    page = client.get(f"/support/{req.pk}/").content.decode()
    assert 'data-clock="running"' in page and "cfg.pdf" in page
    attachment = req.replies.get().attachments.get()
    assert client.get(f"/support/files/{attachment.pk}/").status_code == 200
    client.force_login(world.bdm_a)
    assert client.get("/support/console/?status=open&breached=no&assignee=none").status_code == 200
    assert client.post(f"/support/{req.pk}/reply/", {"body": "Смотрим"}).status_code == 302
    assert 'data-clock="met"' in client.get(f"/support/{req.pk}/").content.decode()
    client.force_login(world.b_admin)
    assert client.get(f"/support/{req.pk}/").status_code == 404
    assert client.get(f"/support/files/{attachment.pk}/").status_code == 404
    assert client.post(f"/support/{req.pk}/reply/", {"body": "x"}).status_code == 404


def test_lists_hold_only_the_partners_own_requests(world, api):
    from tests.tenancy_support import support_b

    support_b(world)
    assert api(world.a_admin).get("/support/requests").json()["items"] == []
    assert api(world.bdm_a).get("/support/requests").json()["items"] == []
    assert len(api(world.bdm_b).get("/support/requests").json()["items"]) == 1
    items = api(world.b_admin).get("/support/requests").json()["items"]
    assert [i["organisation_id"] for i in items] == [world.partner_b.pk]


def test_the_vendor_sets_targets_on_the_console(world, client):
    programme_002()
    client.force_login(world.bdm_a)
    assert 'action="/support/console/targets/"' not in client.get("/support/console/").content.decode()
    client.force_login(world.vendor_admin)
    assert 'action="/support/console/targets/"' in client.get("/support/console/").content.decode()
    form = {"programme_code": "security-partners", "tier_code": "privileged", "first_response_hours": 2}
    r = client.post("/support/console/targets/", {**form, "resolution_hours": 1})
    assert r.status_code == 422 and 'data-field="resolution_hours"' in r.content.decode()
    assert client.post("/support/console/targets/", {**form, "resolution_hours": 8}).status_code == 302
    page = client.get("/support/console/").content.decode()
    assert "Privileged" in page and ">8<" in page


def test_bad_files_are_refused_through_the_api_and_the_pages(world, api, client):
    partner = api(world.a_admin)
    exe = SimpleUploadedFile("report.pdf", EXE, content_type="application/pdf")
    r = partner.post("/support/requests", FormData(organisation_id=world.partner_a.pk, kind="technical", subject="S",
                                                   body="B", files=exe))  # fmt: skip
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "files"
    assert SupportRequest.objects.count() == 0
    req = _open(world)
    r = partner.post(f"/support/requests/{req.pk}/replies", FormData(body="x", files=SimpleUploadedFile("a.pdf", EXE)))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "files"
    client.force_login(world.a_admin)
    r = client.post("/support/new/", {"kind": "technical", "subject": "S", "body": "B",
                                      "files": SimpleUploadedFile("b.pdf", EXE)})  # fmt: skip
    assert r.status_code == 422 and 'data-field="files"' in r.content.decode()
    r = client.post(f"/support/{req.pk}/reply/", {"body": "x", "files": SimpleUploadedFile("c.pdf", EXE)})
    assert r.status_code == 422 and 'data-field="files"' in r.content.decode()
    assert req.replies.count() == 1 and SupportRequest.objects.count() == 1
