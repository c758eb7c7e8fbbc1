"""The server-rendered pages as a person uses them."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from partnerhub.identity.models import ApiToken, Invitation, Membership, Organisation, User

from .factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_login_logout(world, client):
    r = client.post("/login/", {"username": world.a_admin.email, "password": PASSWORD})
    assert r.status_code == 302 and r["Location"] == "/"
    home = client.get("/")
    assert "Partner A" in home.content.decode()
    client.post("/logout/")
    assert client.get("/").status_code == 200 and b"front-page" in client.get("/").content  # the public front page


def test_wrong_password_is_a_clear_error(world, client):
    r = client.post("/login/", {"username": world.a_admin.email, "password": "nope"})
    assert r.status_code == 200
    assert "Wrong e-mail or password." in r.content.decode()


def test_login_is_throttled_after_repeated_failures(world, client, settings):
    settings.LOGIN_THROTTLE_MAX_FAILURES = 3
    for _ in range(3):
        client.post("/login/", {"username": world.a_admin.email, "password": "nope"})
    r = client.post("/login/", {"username": world.a_admin.email, "password": PASSWORD})
    assert "Too many failed attempts" in r.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_reset_by_email(world, client):
    r = client.post("/password-reset/", {"email": world.a_admin.email})
    assert r.status_code == 302
    link = re.search(r"http://\S+/password-reset/\S+/\S+/", mail.outbox[-1].body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    r = client.get("/" + path, follow=True)
    form_url = r.redirect_chain[-1][0]
    r = client.post(form_url, {"new_password1": "Brand-new-pass-77", "new_password2": "Brand-new-pass-77"})
    assert r.status_code == 302
    world.a_admin.refresh_from_db()
    assert world.a_admin.check_password("Brand-new-pass-77")
    r = client.get("/" + path, follow=True)
    assert "invalid or has already been used" in r.content.decode()


def test_language_switch_translates_the_ui(world, client):
    client.force_login(world.a_admin)
    client.post("/i18n/setlang/", {"language": "ru", "next": "/"})
    r = client.get("/tokens/")
    assert "API-токены" in r.content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "API tokens" in client.get("/tokens/").content.decode()


def test_navigation_is_role_aware(world, ui):
    vendor_page = ui(world.vendor_admin).get("/").content.decode()
    partner_page = ui(world.a_sales).get("/").content.decode()
    assert reverse("organisation-list") in vendor_page and reverse("audit-list") in vendor_page
    assert reverse("organisation-list") not in partner_page and reverse("audit-list") not in partner_page
    assert ui(world.a_sales).get(reverse("audit-list")).status_code == 200  # own entries only


def test_edit_profile_with_invalid_inn_shows_field_error_and_saves_nothing(world, ui):
    client = ui(world.a_admin)
    url = reverse("organisation-edit", args=[world.partner_a.pk])
    data = {"name": "Partner A", "inn": "7707083894", "kpp": "770101001", "country": "RU", "city": "Тула"}
    r = client.post(url, data)
    assert r.status_code == 200
    html = r.content.decode()
    assert 'data-field="inn"' in html and "check digits" in html
    world.partner_a.refresh_from_db()
    assert world.partner_a.city == "Москва"


def test_vendor_admin_creates_organisation_in_the_ui(world, ui):
    from .factories import valid_inn, valid_ogrn

    data = {
        "kind": "partner", "name": "UI Partner", "inn": valid_inn(555), "kpp": "770101001", "ogrn": valid_ogrn(555),
        "country": "RU", "region": "Москва", "city": "Москва", "partner_manager": world.bdm_a.pk,
    }  # fmt: skip
    r = ui(world.vendor_admin).post(reverse("organisation-create"), data)
    assert r.status_code == 302
    org = Organisation.objects.get(name="UI Partner")
    assert org.partner_manager == world.bdm_a
    assert ui(world.a_admin).get(reverse("organisation-create")).status_code == 403


def test_members_page_invites_with_htmx_and_shows_field_errors(world, ui, django_capture_on_commit_callbacks):
    client = ui(world.a_admin)
    url = reverse("invitation-create", args=[world.partner_a.pk])
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(url, {"email": "new@a.test", "role": "engineer"}, headers={"HX-Request": "true"})
    assert r.status_code == 200 and "new@a.test" in r.content.decode()
    assert "<html" not in r.content.decode()  # a fragment for HTMX to swap
    assert mail.outbox[-1].to == ["new@a.test"]
    r = client.post(url, {"email": world.a_sales.email, "role": "sales"}, headers={"HX-Request": "true"})
    assert r.status_code == 422 and "already a member" in r.content.decode()


def test_accept_invitation_page_creates_account_and_signs_in(world, ui, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ui(world.a_admin).post(
            reverse("invitation-create", args=[world.partner_a.pk]), {"email": "join@a.test", "role": "sales"}
        )
    key = mail.outbox[-1].body.split("/invitations/")[1].split("/")[0]
    url = reverse("invitation-accept", args=[key])
    r = client.post(url, {"full_name": "Join Me", "password": "Sufficient-pass-5", "password_again": "different"})
    assert "The two passwords differ." in r.content.decode()
    r = client.post(
        url, {"full_name": "Join Me", "password": "Sufficient-pass-5", "password_again": "Sufficient-pass-5"}
    )
    assert r.status_code == 302
    user = User.objects.get(email="join@a.test")
    assert Membership.objects.get(user=user).organisation == world.partner_a
    assert client.get("/").status_code == 200
    assert Invitation.objects.get(email="join@a.test").status == "accepted"
    r = ui(None).get(url)
    assert r.status_code == 410 and "already been used" in r.content.decode()


def test_token_page_shows_secret_once(world, ui):
    client = ui(world.a_sales)
    r = client.post(reverse("token-list"), {"name": "laptop"})
    secret = re.search(r'data-testid="new-token">(ph_[^<]+)<', r.content.decode()).group(1)
    assert ApiToken.objects.get(name="laptop").hint == secret[:8]
    again = client.get(reverse("token-list")).content.decode()
    assert secret not in again and "laptop" in again
    r = client.post(reverse("token-list"), {"name": ""})
    assert "This field is required." in r.content.decode()


def test_audit_page_filters(world, ui):
    client = ui(world.vendor_admin)
    r = client.get(reverse("audit-list"), {"action": "organisation.updated"})
    assert r.status_code == 200 and "organisation.updated" in r.content.decode()
    r = client.get(reverse("audit-list"), {"since": "2026-02-01", "until": "2026-01-01"})
    assert "The end date is before the start date." in r.content.decode()


def test_unknown_page_is_a_friendly_404(world, ui):
    r = ui(world.a_admin).get("/organisations/999999/")
    assert r.status_code == 404
