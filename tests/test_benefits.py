"""Tier benefits as entitlements: limits from the shipped 002 programme, used and remaining this year,
refusal beyond the entitlement saying what remains, approval and fulfilment (licence key kept encrypted),
a downgrade that stops new requests and revokes nothing, the API and the pages."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from partnerhub.benefits import selectors, services
from partnerhub.benefits.entitlements import entitlements
from partnerhub.benefits.models import BenefitRequest
from partnerhub.core.models import AuditEntry, Notification
from tests.support_builders import enrol_in_tier

pytestmark = pytest.mark.django_db


def _ents(org):
    return {e.kind: e for e in entitlements(organisation=org, on=timezone.localdate())}


def _nfr(world, user=None, quantity=1):
    return services.submit_request(actor=user or world.a_admin, organisation=world.partner_a, kind="nfr_licences",
                                   quantity=quantity, note="Демо для заказчика")  # fmt: skip


def _issue(world, req, key="KEY-1234-5678"):
    return services.fulfil(actor=world.vendor_admin, request=req, licence_key=key)


def test_each_tier_gets_the_limits_of_the_002_table(world):
    enrol_in_tier(world.partner_a, "authorized")
    ents = _ents(world.partner_a)
    assert ents["nfr_licences"].limit is None and ents["nfr_licences"].benefit.on_request
    assert ents["internal_use"].limit == 30
    assert "advance_keys" not in ents and "customer_demos" not in ents
    enrol_in_tier(world.partner_a, "certified")
    ents = _ents(world.partner_a)
    assert (ents["nfr_licences"].limit, ents["internal_use"].limit) == (1, 50)
    enrol_in_tier(world.partner_a, "privileged")
    ents = _ents(world.partner_a)
    assert (ents["nfr_licences"].limit, ents["internal_use"].limit) == (2, 100)
    assert {"advance_keys", "customer_demos", "complex_setup"} <= set(ents)


def test_privileged_receives_two_nfr_licences_and_a_third_is_refused_with_what_remains(world):
    enrol_in_tier(world.partner_a, "privileged")
    first = _nfr(world)
    assert _ents(world.partner_a)["nfr_licences"].remaining == 1
    services.approve(actor=world.bdm_a, request=first)
    issued = _issue(world, first)
    assert issued.status == "fulfilled" and issued.licence_key == "KEY-1234-5678"
    assert issued.expires_on == timezone.localdate() + timedelta(days=365)
    assert issued.modules_expire_on == timezone.localdate() + timedelta(days=30)
    # The key is encrypted at rest: the column does not hold it.
    with connection.cursor() as cur:
        cur.execute("SELECT licence_key FROM benefits_benefitrequest WHERE id = %s", [issued.pk])
        assert "KEY-1234" not in cur.fetchone()[0]
    _issue(world, _nfr(world), key="KEY-2")
    with pytest.raises(ValidationError) as exc:
        _nfr(world)
    err = exc.value.error_dict["quantity"][0]
    assert err.code == "over_entitlement" and "0" in err.messages[0] and "2" in err.messages[0]
    assert BenefitRequest.objects.filter(organisation=world.partner_a).count() == 2
    assert _ents(world.partner_a)["nfr_licences"].used == 2
    assert Notification.objects.filter(user=world.a_admin, kind="benefits.fulfilled").count() == 2
    assert AuditEntry.objects.filter(action="benefits.fulfilled").count() == 2


def test_more_than_remains_in_one_request_is_refused(world):
    enrol_in_tier(world.partner_a, "certified")
    with pytest.raises(ValidationError) as exc:
        services.submit_request(actor=world.a_admin, organisation=world.partner_a, kind="internal_use", quantity=51)
    assert "50" in exc.value.messages[0]
    services.submit_request(actor=world.a_admin, organisation=world.partner_a, kind="internal_use", quantity=40)
    with pytest.raises(ValidationError) as exc:
        services.submit_request(actor=world.a_admin, organisation=world.partner_a, kind="internal_use", quantity=11)
    assert "10" in exc.value.messages[0]


def test_a_rejected_request_gives_its_quantity_back(world):
    enrol_in_tier(world.partner_a, "certified")
    req = _nfr(world)
    with pytest.raises(ValidationError):
        services.reject(actor=world.vendor_admin, request=req, reason="")
    services.reject(actor=world.vendor_admin, request=req, reason="Нет демо-стенда")
    assert _ents(world.partner_a)["nfr_licences"].remaining == 1


def test_on_request_has_no_fixed_number(world):
    enrol_in_tier(world.partner_a, "authorized")
    for _ in range(3):
        _nfr(world)
    assert _ents(world.partner_a)["nfr_licences"].remaining is None


def test_downgrade_stops_new_requests_beyond_the_new_limit_and_revokes_nothing(world):
    enrolment = enrol_in_tier(world.partner_a, "privileged")
    keys = [_issue(world, _nfr(world), key=f"K{n}") for n in range(2)]
    keys.append(
        _issue(world, services.submit_request(actor=world.a_admin, organisation=world.partner_a, kind="advance_keys"))
    )
    enrolment.tier_code = "certified"
    enrolment.save(update_fields=["tier_code"])
    with pytest.raises(ValidationError) as exc:
        _nfr(world)
    assert exc.value.error_dict["quantity"][0].code == "over_entitlement"
    with pytest.raises(ValidationError) as exc:
        services.submit_request(actor=world.a_admin, organisation=world.partner_a, kind="advance_keys")
    assert exc.value.error_dict["kind"][0].code == "not_entitled"
    assert all(BenefitRequest.objects.get(pk=k.pk).status == "fulfilled" for k in keys)
    assert [BenefitRequest.objects.get(pk=k.pk).licence_key for k in keys] == ["K0", "K1", keys[2].licence_key]


def test_a_new_year_starts_a_new_count(world):
    enrol_in_tier(world.partner_a, "certified")
    services.submit_request(actor=world.a_admin, organisation=world.partner_a, kind="nfr_licences",
                            on=date(2026, 12, 30))  # fmt: skip
    with pytest.raises(ValidationError):
        services.submit_request(actor=world.a_admin, organisation=world.partner_a, kind="nfr_licences",
                                on=date(2026, 12, 31))  # fmt: skip
    req = services.submit_request(actor=world.a_admin, organisation=world.partner_a, kind="nfr_licences",
                                  on=date(2027, 1, 2))  # fmt: skip
    assert req.period_start == date(2027, 1, 1)


def test_bad_input_and_permissions(world):
    enrol_in_tier(world.partner_a, "privileged")
    with pytest.raises(ValidationError) as exc:
        services.submit_request(actor=world.a_admin, organisation=world.partner_a, kind="yacht")
    assert "kind" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:
        services.submit_request(actor=world.a_admin, organisation=world.partner_a, kind="nfr_licences", quantity=0)
    assert "quantity" in exc.value.error_dict
    with pytest.raises(PermissionDenied):
        services.submit_request(actor=world.vendor_admin, organisation=world.partner_a, kind="nfr_licences")
    req = _nfr(world)
    with pytest.raises(PermissionDenied):
        services.approve(actor=world.a_admin, request=req)
    with pytest.raises(PermissionDenied):
        services.approve(actor=world.finance, request=req)
    with pytest.raises(ValidationError) as exc:
        services.fulfil(actor=world.vendor_admin, request=req, licence_key="")
    assert "licence_key" in exc.value.error_dict
    with pytest.raises(ValidationError):
        services.fulfil(actor=world.vendor_admin, request=req, licence_key="K", expires_on=date(2020, 1, 1))
    _issue(world, req)
    with pytest.raises(ValidationError):
        services.approve(actor=world.vendor_admin, request=req)


def test_a_demo_needs_no_licence_key(world):
    enrol_in_tier(world.partner_a, "privileged")
    req = services.submit_request(actor=world.a_sales, organisation=world.partner_a, kind="customer_demos",
                                  note="ООО Ромашка, 12 декабря")  # fmt: skip
    done = services.fulfil(actor=world.bdm_a, request=req, note="Проведена")
    assert done.status == "fulfilled" and done.licence_key == ""


def test_api_entitlements_request_refusal_and_fulfilment(world, api):
    enrol_in_tier(world.partner_a, "privileged")
    partner, vendor = api(world.a_admin), api(world.vendor_admin)
    ents = partner.get(f"/benefits/organisations/{world.partner_a.pk}/entitlements").json()
    nfr = next(e for e in ents if e["kind"] == "nfr_licences")
    assert (nfr["limit"], nfr["used"], nfr["remaining"]) == (2, 0, 2)
    ids = []
    for _ in range(2):
        r = partner.post("/benefits/requests", {"organisation_id": world.partner_a.pk, "kind": "nfr_licences"})
        assert r.status_code == 201, r.content
        ids.append(r.json()["id"])
    r = partner.post("/benefits/requests", {"organisation_id": world.partner_a.pk, "kind": "nfr_licences"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "quantity"
    r = vendor.post(f"/benefits/requests/{ids[0]}/fulfil", {"licence_key": "API-KEY"})
    assert r.status_code == 200 and r.json()["status"] == "fulfilled"
    assert partner.get(f"/benefits/requests/{ids[0]}").json()["licence_key"] == "API-KEY"
    assert partner.post(f"/benefits/requests/{ids[1]}/approve", {}).status_code == 403
    assert vendor.post(f"/benefits/requests/{ids[1]}/reject", {"reason": "x"}).json()["status"] == "rejected"
    listed = partner.get("/benefits/requests?status=fulfilled").json()["items"]
    assert [i["id"] for i in listed] == [ids[0]]


def test_pages(world, client):
    enrol_in_tier(world.partner_a, "privileged")
    client.force_login(world.a_admin)
    page = client.get("/benefits/")
    assert page.status_code == 200 and 'data-testid="entitlements"' in page.content.decode()
    programme_id = BenefitRequest._meta.get_field("programme").related_model.objects.get().pk
    for _n in range(2):
        r = client.post("/benefits/", {"entitlement": f"{programme_id}:nfr_licences", "quantity": 1, "note": "x"})
        assert r.status_code == 302
    r = client.post("/benefits/", {"entitlement": f"{programme_id}:nfr_licences", "quantity": 1})
    assert r.status_code == 422 and "0" in r.content.decode()
    req = BenefitRequest.objects.first()
    client.force_login(world.vendor_admin)
    assert client.get("/benefits/console/?status=pending").status_code == 200
    r = client.post(f"/benefits/requests/{req.pk}/fulfil/", {"licence_key": "PAGE-KEY"})
    assert r.status_code == 302
    assert client.get(f"/benefits/requests/{req.pk}/").content.decode().count("PAGE-KEY") == 1
    client.force_login(world.b_admin)
    assert client.get(f"/benefits/requests/{req.pk}/").status_code == 404
    assert selectors.requests(actor=world.b_admin).count() == 0


def test_a_partner_never_sees_nor_requests_for_another(world, api):
    from tests.tenancy_benefits import benefits_b

    benefits_b(world)
    r = api(world.a_admin).post("/benefits/requests", {"organisation_id": world.partner_b.pk, "kind": "nfr_licences"})
    assert r.status_code == 404
    assert api(world.a_admin).get("/benefits/requests").json()["items"] == []
    assert api(world.bdm_a).get("/benefits/requests").json()["items"] == []
    assert len(api(world.bdm_b).get("/benefits/requests").json()["items"]) == 1
