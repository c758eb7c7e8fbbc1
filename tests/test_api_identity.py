"""The identity API as a client uses it: organisations, members, invitations, tokens, errors."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from partnerhub.core.models import AuditEntry
from partnerhub.identity.models import ApiToken, Invitation, Membership, Organisation, User, hash_secret

from .factories import valid_inn, valid_ogrn

pytestmark = pytest.mark.django_db


def company(**overrides):
    data = {
        "kind": "partner", "name": "Новый Партнёр", "inn": valid_inn(901), "kpp": "770101001",
        "ogrn": valid_ogrn(901), "region": "Москва", "city": "Москва", "website": "https://new.example",
    }  # fmt: skip
    data.update(overrides)
    return data


def fields(response):
    return {e["field"]: e for e in response.json()["errors"]}


# ------------------------------------------------------------------ organisations


def test_vendor_admin_creates_partner_and_it_is_audited(world, api):
    r = api(world.vendor_admin).post("/organisations", company(partner_manager_id=world.bdm_a.pk))
    assert r.status_code == 201, r.content
    org = Organisation.objects.get(pk=r.json()["id"])
    assert org.partner_manager == world.bdm_a
    entry = AuditEntry.objects.get(action="organisation.created", object_id=str(org.pk))
    assert entry.actor == world.vendor_admin
    assert entry.after["inn"] == org.inn and entry.before is None


def test_invalid_inn_gets_field_error_in_problem_format_and_writes_nothing(world, api):
    before = Organisation.objects.count()
    r = api(world.vendor_admin).post("/organisations", company(inn="7707083894", kpp="7701", ogrn="123"))
    assert r.status_code == 422
    assert r["Content-Type"] == "application/problem+json"
    body = r.json()
    assert body["type"] == "urn:partnerhub:problem:validation" and body["status"] == 422
    errs = fields(r)
    assert errs["inn"]["code"] == "inn_checksum"
    assert errs["kpp"]["code"] == "kpp_format"
    assert errs["ogrn"]["code"] == "ogrn_length"
    assert Organisation.objects.count() == before
    assert not AuditEntry.objects.filter(action="organisation.created", after__name="Новый Партнёр").exists()


def test_duplicate_company_is_caught(world, api):
    r = api(world.vendor_admin).post("/organisations", company(inn=world.partner_a.inn, kpp=world.partner_a.kpp))
    assert r.status_code == 422
    assert "already registered" in fields(r)["inn"]["message"]


def test_unknown_fields_and_malformed_json_are_clear_errors(world, api):
    client = api(world.vendor_admin)
    r = client.post("/organisations", company(colour="blue"))
    assert r.status_code == 422 and fields(r)["colour"]["code"] == "extra_forbidden"
    r = client.post("/organisations", raw_body='{"kind": "partner", "name": ')
    assert r.status_code == 400 and r["Content-Type"] == "application/problem+json"
    assert r.json()["code"] == "malformed_body"
    r = client.post("/organisations", {"kind": "nonsense", "name": "X"})
    assert r.status_code == 422 and "kind" in fields(r)


def test_partner_cannot_create_organisations(world, api):
    r = api(world.a_admin).post("/organisations", company())
    assert r.status_code == 403 and r.json()["code"] == "forbidden"


def test_partner_admin_edits_own_profile_but_not_its_manager(world, api):
    client = api(world.a_admin)
    r = client.patch(f"/organisations/{world.partner_a.pk}", {"city": "Химки", "website": "https://a.example"})
    assert r.status_code == 200 and r.json()["city"] == "Химки"
    entry = AuditEntry.objects.filter(action="organisation.updated", object_id=str(world.partner_a.pk)).first()
    assert entry.before["city"] == "Москва" and entry.after["city"] == "Химки"
    assert entry.actor == world.a_admin
    r = client.patch(f"/organisations/{world.partner_a.pk}", {"partner_manager_id": world.bdm_b.pk})
    assert r.status_code == 403


def test_sales_role_cannot_edit_profile(world, api):
    r = api(world.a_sales).patch(f"/organisations/{world.partner_a.pk}", {"city": "Тверь"})
    assert r.status_code == 403
    world.partner_a.refresh_from_db()
    assert world.partner_a.city == "Москва"


def test_bdm_edits_assigned_partner(world, api):
    r = api(world.bdm_a).patch(f"/organisations/{world.partner_a.pk}", {"region": "Московская область"})
    assert r.status_code == 200


def test_partner_manager_must_be_a_vendor_bdm(world, api):
    r = api(world.vendor_admin).patch(f"/organisations/{world.partner_a.pk}", {"partner_manager_id": world.a_admin.pk})
    assert r.status_code == 422 and "partner_manager" in fields(r)


def test_list_filters_and_pagination(world, api):
    client = api(world.vendor_admin)
    r = client.get("/organisations?kind=partner&page_size=1")
    body = r.json()
    assert body["count"] == 2 and body["pages"] == 2 and len(body["items"]) == 1
    r = client.get("/organisations?search=Partner%20B")
    assert [o["name"] for o in r.json()["items"]] == ["Partner B"]
    r = client.get("/organisations?page=0")
    assert r.status_code == 422 and fields(r)["page"]


# ------------------------------------------------------------------ members


def test_duplicate_membership_is_refused(world, api):
    r = api(world.a_admin).post(
        f"/organisations/{world.partner_a.pk}/invitations", {"email": world.a_sales.email, "role": "sales"}
    )
    assert r.status_code == 422
    assert "already a member" in fields(r)["email"]["message"]


def test_role_must_belong_to_the_organisation_kind(world, api):
    r = api(world.a_admin).post(
        f"/organisations/{world.partner_a.pk}/invitations", {"email": "x@a.test", "role": "vendor_admin"}
    )
    assert r.status_code == 422 and "role" in fields(r)


def test_change_role_and_remove_member(world, api):
    client = api(world.a_admin)
    m = Membership.objects.get(user=world.a_sales)
    r = client.patch(f"/organisations/{world.partner_a.pk}/members/{m.pk}", {"role": "engineer"})
    assert r.status_code == 200 and r.json()["role"] == "engineer"
    r = client.delete(f"/organisations/{world.partner_a.pk}/members/{m.pk}")
    assert r.status_code == 204
    assert not Membership.objects.filter(pk=m.pk).exists()
    assert AuditEntry.objects.filter(action="membership.removed", object_id=str(m.pk)).exists()


def test_last_administrator_cannot_leave(world, api):
    m = Membership.objects.get(user=world.a_admin)
    client = api(world.a_admin)
    r = client.delete(f"/organisations/{world.partner_a.pk}/members/{m.pk}")
    assert r.status_code == 422
    r = client.patch(f"/organisations/{world.partner_a.pk}/members/{m.pk}", {"role": "sales"})
    assert r.status_code == 422
    assert Membership.objects.get(pk=m.pk).role == "partner_admin"


def test_sales_cannot_manage_members(world, api):
    r = api(world.a_sales).post(
        f"/organisations/{world.partner_a.pk}/invitations", {"email": "n@a.test", "role": "sales"}
    )
    assert r.status_code == 403


# ------------------------------------------------------------------ invitations


@pytest.fixture
def invite(world, api, django_capture_on_commit_callbacks):
    def send(email="new@a.test", role="engineer"):
        with django_capture_on_commit_callbacks(execute=True):
            r = api(world.a_admin).post(
                f"/organisations/{world.partner_a.pk}/invitations", {"email": email, "role": role}
            )
        assert r.status_code == 201, r.content
        key = mail.outbox[-1].body.split("/invitations/")[1].split("/")[0]
        return r.json(), key

    return send


def test_invitation_is_emailed_and_accepted_once(world, api, invite):
    inv, key = invite()
    assert mail.outbox[-1].to == ["new@a.test"]
    assert Invitation.objects.get(pk=inv["id"]).key_hash == hash_secret(key)  # only the hash is kept
    anonymous = api(None)
    r = anonymous.get(f"/invitations/{key}")
    assert r.status_code == 200 and r.json()["organisation_name"] == "Partner A"
    r = anonymous.post(f"/invitations/{key}/accept", {"full_name": "Нина Новикова", "password": "Strong-pass-2026"})
    assert r.status_code == 201, r.content
    user = User.objects.get(email="new@a.test")
    assert user.check_password("Strong-pass-2026")
    assert Membership.objects.get(user=user).role == "engineer"
    r = anonymous.post(f"/invitations/{key}/accept", {"full_name": "Again", "password": "Strong-pass-2026"})
    assert r.status_code == 410 and r.json()["code"] == "invitation_used"


def test_weak_password_at_acceptance_is_a_field_error_and_keeps_the_invitation(world, api, invite):
    inv, key = invite()
    r = api(None).post(f"/invitations/{key}/accept", {"full_name": "", "password": "123"})
    assert r.status_code == 422
    assert {"full_name", "password"} <= set(fields(r))
    assert Invitation.objects.get(pk=inv["id"]).status == "pending"
    assert not User.objects.filter(email="new@a.test").exists()


def test_expired_and_revoked_invitations_cannot_be_used(world, api, invite):
    inv, key = invite()
    Invitation.objects.filter(pk=inv["id"]).update(expires_at=timezone.now() - timedelta(minutes=1))
    r = api(None).post(f"/invitations/{key}/accept", {"full_name": "N", "password": "Strong-pass-2026"})
    assert r.status_code == 410 and r.json()["code"] == "invitation_expired"
    inv2, key2 = invite(email="other@a.test")
    r = api(world.a_admin).post(f"/organisations/{world.partner_a.pk}/invitations/{inv2['id']}/revoke")
    assert r.status_code == 200 and r.json()["status"] == "revoked"
    r = api(None).get(f"/invitations/{key2}")
    assert r.status_code == 410 and r.json()["code"] == "invitation_revoked"
    r = api(None).get("/invitations/not-a-real-key")
    assert r.status_code == 410 and r.json()["code"] == "invitation_invalid"


def test_second_pending_invitation_to_same_address_is_refused(world, api, invite):
    invite()
    r = api(world.a_admin).post(
        f"/organisations/{world.partner_a.pk}/invitations", {"email": "NEW@a.test", "role": "sales"}
    )
    assert r.status_code == 422 and "pending" in fields(r)["email"]["message"]


# ------------------------------------------------------------------ tokens


def test_token_secret_shown_once_stored_hashed_and_revocable(world, api):
    client = api(world.a_admin)
    r = client.post("/tokens", {"name": "CRM sync"})
    assert r.status_code == 201
    raw = r.json()["token"]
    assert raw.startswith("ph_")
    stored = ApiToken.objects.get(pk=r.json()["id"])
    assert stored.key_hash == hash_secret(raw) and raw not in stored.key_hash
    listed = client.get("/tokens").json()["items"]
    assert all("token" not in t for t in listed)

    own = api(None)
    own.headers["Authorization"] = f"Bearer {raw}"
    assert own.get("/me").json()["email"] == world.a_admin.email
    stored.refresh_from_db()
    assert stored.last_used_at is not None

    r = client.post(f"/tokens/{stored.pk}/revoke")
    assert r.status_code == 200 and r.json()["is_active"] is False
    r = own.get("/me")
    assert r.status_code == 401 and "revoked" in r.json()["detail"]


def test_expired_token_is_refused(world, api):
    client = api(world.a_admin)
    r = client.post("/tokens", {"name": "short", "expires_at": (timezone.now() + timedelta(days=1)).isoformat()})
    raw = r.json()["token"]
    ApiToken.objects.filter(pk=r.json()["id"]).update(expires_at=timezone.now() - timedelta(seconds=1))
    other = api(None)
    other.headers["Authorization"] = f"Bearer {raw}"
    assert other.get("/me").status_code == 401
    r = client.post("/tokens", {"name": "past", "expires_at": "2001-01-01T00:00:00Z"})
    assert r.status_code == 422 and "expires_at" in fields(r)


def test_anonymous_gets_401_problem(db, api):
    r = api(None).get("/organisations")
    assert r.status_code == 401 and r["Content-Type"] == "application/problem+json"


def test_unknown_api_path_is_a_problem_document(db, client):
    r = client.get("/api/v1/no-such-thing")
    assert r.status_code == 404 and r["Content-Type"] == "application/problem+json"


def test_session_auth_works_for_the_api(world, client):
    client.force_login(world.a_admin)
    r = client.get("/api/v1/me")
    assert r.status_code == 200 and r.json()["memberships"][0]["organisation_name"] == "Partner A"


# ------------------------------------------------------------------ audit


def test_audit_log_filters_and_scope(world, api):
    api(world.a_admin).patch(f"/organisations/{world.partner_a.pk}", {"city": "Химки"})
    api(world.b_admin).patch(f"/organisations/{world.partner_b.pk}", {"city": "Пушкин"})
    admin_items = api(world.vendor_admin).get("/audit?action=organisation.updated&page_size=100").json()["items"]
    assert {i["object_id"] for i in admin_items} >= {str(world.partner_a.pk), str(world.partner_b.pk)}
    a_items = api(world.a_admin).get("/audit?page_size=100").json()["items"]
    assert a_items and all(i["organisation_id"] in (world.partner_a.pk, None) for i in a_items)
    assert not [i for i in a_items if i["object_id"] == str(world.partner_b.pk)]
    r = api(world.vendor_admin).get(f"/audit?organisation_id={world.partner_b.pk}&action=organisation.updated")
    items = r.json()["items"]
    assert {i["object_id"] for i in items} == {str(world.partner_b.pk)}
    assert [i["after"]["city"] for i in items if i["before"]["city"] != i["after"]["city"]] == ["Пушкин"]


def test_openapi_document_lists_every_endpoint(db, client):
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    for path in [
        "/api/v1/me", "/api/v1/organisations", "/api/v1/organisations/{org_id}",
        "/api/v1/organisations/{org_id}/members", "/api/v1/organisations/{org_id}/members/{member_id}",
        "/api/v1/organisations/{org_id}/invitations",
        "/api/v1/organisations/{org_id}/invitations/{invitation_id}/revoke",
        "/api/v1/invitations/{key}", "/api/v1/invitations/{key}/accept", "/api/v1/tokens",
        "/api/v1/tokens/{token_id}/revoke", "/api/v1/audit", "/api/v1/audit/{entry_id}",
    ]:  # fmt: skip
        assert path in paths, path
    assert client.get("/api/v1/docs").status_code == 200
