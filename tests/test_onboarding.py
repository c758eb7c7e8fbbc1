"""Partner onboarding: apply on the public page, review, invitation, contract step, checklist."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from partnerhub.core.models import AuditEntry, Notification
from partnerhub.enablement.models import Specialist
from partnerhub.identity.models import Invitation, Membership, Organisation, User
from partnerhub.identity.validators import inn_check_digits, ogrn_check_digit
from partnerhub.onboarding import services as onboarding
from partnerhub.partners.models import Application, Enrolment, PartnerProfile, TierChange

from .factories import PASSWORD, valid_inn, valid_ogrn
from .programme_builders import security_programme

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
TERMS = "1. The partner resells the vendor's products.\n2. The vendor pays rewards by the programme's table."


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def programme(db):
    version = security_programme(code="sec")
    version.terms = TERMS
    version.save(update_fields=["terms"])
    return version.programme


def application_payload(n: int = 901, **changes) -> dict:
    data = {
        "role_code": "reseller", "company_name": f"Newco {n}", "legal_name": f"ООО «Ньюко {n}»",
        "inn": valid_inn(n), "kpp": "770201001", "ogrn": valid_ogrn(n), "region": "Москва", "city": "Москва",
        "website": "https://newco.example", "regions": ["Москва", "Тверская область"],
        "competences": ["Network security", "Cloud migration"], "contact_name": "Ivan Petrov",
        "contact_email": f"ivan{n}@newco.test", "contact_phone": "+7 900 000-00-00",
        "message": "We sell security software.", "consent": True,
    }  # fmt: skip
    data.update(changes)
    return data


def submit(programme, n: int = 901, **changes) -> Application:
    return onboarding.application_submit(programme=programme, **application_payload(n, **changes))


def approve(world, app, *, actor=None, tier="authorized", capture=None) -> str:
    """Approve through the service; returns the invitation key from the e-mail."""
    if capture is None:
        onboarding.application_approve(
            actor=actor or world.vendor_admin, application=app, partner_manager_id=world.bdm_a.pk,
            starting_tier_code=tier,
        )  # fmt: skip
        return ""
    with capture(execute=True):
        onboarding.application_approve(
            actor=actor or world.vendor_admin, application=app, partner_manager_id=world.bdm_a.pk,
            starting_tier_code=tier,
        )  # fmt: skip
    return invitation_key(app.contact_email)


def invitation_key(email: str) -> str:
    message = next(m for m in reversed(mail.outbox) if m.to == [email] and "/invitations/" in m.body)
    return message.body.split("/invitations/")[1].split("/")[0]


def errors_of(response) -> dict[str, str]:
    assert response.status_code == 422, response.content
    return {e["field"]: e["code"] for e in response.json()["errors"]}


def pdf(name="contract.pdf", content=PDF, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


# ------------------------------------------------------------------ the whole path


def test_full_path_through_the_api(world, api, programme, django_capture_on_commit_callbacks):
    # A company applies on the public endpoint, without an account.
    r = api(None).post("/public/programmes/sec/applications", application_payload())
    assert r.status_code == 201, r.content
    app_id = r.json()["id"]
    assert r.json()["status"] == "submitted"
    assert Notification.objects.filter(user=world.vendor_admin, kind="application.submitted").exists()

    # The vendor administrator sees it in the queue and approves it.
    vendor = api(world.vendor_admin)
    queue = vendor.get("/applications?status=submitted").json()
    assert [a["id"] for a in queue["items"]] == [app_id]
    detail = vendor.get(f"/applications/{app_id}").json()
    assert detail["same_inn_organisations"] == []
    with django_capture_on_commit_callbacks(execute=True):
        r = vendor.post(
            f"/applications/{app_id}/approve",
            {"partner_manager_id": world.bdm_a.pk, "starting_tier_code": "authorized"},
        )
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "approved"
    org = Organisation.objects.get(pk=r.json()["organisation_id"])
    assert (org.kind, org.name, org.inn, org.partner_manager) == ("partner", "Newco 901", valid_inn(901), world.bdm_a)
    assert PartnerProfile.objects.get(organisation=org).competences == ["Network security", "Cloud migration"]
    enrolment = Enrolment.objects.get(organisation=org)
    assert (enrolment.status, enrolment.role_code, enrolment.tier_code) == (
        "contract_pending",
        "reseller",
        "authorized",
    )
    assert TierChange.objects.filter(enrolment=enrolment, cause="onboarding").exists()
    invitation = Invitation.objects.get(organisation=org)
    assert (invitation.email, invitation.role, invitation.invited_by) == ("ivan901@newco.test", "partner_admin",
                                                                         world.vendor_admin)  # fmt: skip
    assert AuditEntry.objects.filter(action="application.approved", object_id=str(app_id), actor=world.vendor_admin)

    # The contact accepts the invitation and becomes the partner's administrator.
    key = invitation_key("ivan901@newco.test")
    r = api(None).post(f"/invitations/{key}/accept", {"full_name": "Ivan Petrov", "password": PASSWORD})
    assert r.status_code == 201, r.content
    admin = User.objects.get(email="ivan901@newco.test")
    partner = api(admin)
    checklist = partner.get("/onboarding").json()
    assert checklist["application_status"] == "approved" and checklist["terms"] == TERMS
    assert {i["code"]: i["done"] for i in checklist["items"]} == {
        "account": True, "profile": False, "contract": False, "specialists": False, "catalogue": False,
    }  # fmt: skip

    # Terms accepted: the enrolment is active; the profile is completed and listed.
    r = partner.post("/onboarding/contract/accept-terms", {"signer_name": "Ivan Petrov", "accept": True})
    assert r.status_code == 200, r.content
    assert r.json()["application_status"] == "active" and r.json()["enrolment_status"] == "active"
    assert r.json()["contract_signer"] == "Ivan Petrov" and r.json()["contract_accepted_at"]
    assert api(None).get("/public/catalogue").json()["count"] == 0  # active, but not opted in yet
    r = partner.patch(
        "/onboarding/profile",
        {"description": "Integrator.", "competences": ["Network security"], "regions": ["Москва"],
         "listed_in_catalogue": True},
    )  # fmt: skip
    assert r.status_code == 200, r.content
    Specialist.objects.create(organisation=org, full_name="Engineer One")
    checklist = partner.get("/onboarding").json()
    assert checklist["done"] is True

    listed = api(None).get("/public/catalogue").json()
    assert [e["id"] for e in listed["items"]] == [org.pk]
    assert listed["items"][0]["programmes"] == [
        {"programme_code": "sec", "programme_name": "Security partners", "tier_code": "authorized",
         "tier_name": "Authorized"}
    ]  # fmt: skip
    assert api(None).get(f"/public/catalogue/{org.pk}").json()["name"] == "Newco 901"
    assert Application.objects.get(pk=app_id).status == "active"


def test_full_path_through_the_pages(world, ui, programme, django_capture_on_commit_callbacks):
    visitor = Client()
    page = visitor.get("/become-a-partner/")
    assert page.status_code == 200 and "/become-a-partner/sec/" in page.content.decode()
    assert visitor.get("/become-a-partner/sec/").status_code == 200
    form = application_payload(902, regions="Москва\nТверская область", competences="Network security, SIEM")
    r = visitor.post("/become-a-partner/sec/", form)
    assert r.status_code == 302 and r["Location"] == "/become-a-partner/sec/sent/"
    assert visitor.get(r["Location"]).status_code == 200
    app = Application.objects.get(inn=valid_inn(902))
    assert app.regions == ["Москва", "Тверская область"] and app.competences == ["Network security", "SIEM"]

    vendor = ui(world.vendor_admin)
    assert "Newco 902" in vendor.get("/onboarding/applications/?status=submitted").content.decode()
    page = vendor.get(f"/onboarding/applications/{app.pk}/").content.decode()
    assert 'data-testid="approve-form"' in page and 'data-testid="reject-form"' in page
    with django_capture_on_commit_callbacks(execute=True):
        r = vendor.post(
            f"/onboarding/applications/{app.pk}/approve/",
            {"partner_manager_id": world.bdm_b.pk, "starting_tier_code": "certified"},
        )
    assert r.status_code == 302, r.content.decode()
    app.refresh_from_db()
    assert app.status == "approved" and app.organisation.partner_manager == world.bdm_b

    contact = Client()
    key = invitation_key(app.contact_email)
    r = contact.post(f"/invitations/{key}/", {"full_name": "Ivan", "password": PASSWORD, "password_again": PASSWORD})
    assert r.status_code == 302
    home = contact.get("/").content.decode()
    assert 'data-testid="onboarding-banner"' in home

    assert contact.get("/onboarding/").status_code == 200
    contract_page = contact.get("/onboarding/contract/").content.decode()
    assert "The partner resells" in contract_page
    r = contact.post("/onboarding/contract/upload/", {"file": pdf()})
    assert r.status_code == 302, r.content.decode()
    app.refresh_from_db()
    assert app.status == "active" and app.contract_file.name.endswith(".pdf")
    assert Enrolment.objects.get(organisation=app.organisation).status == "active"
    # The vendor downloads the signed contract from the application page.
    download = vendor.get(f"/onboarding/applications/{app.pk}/contract/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF

    r = contact.post(
        "/onboarding/profile/",
        {"description": "We integrate.", "competences": "SIEM, DLP", "regions": "Москва", "listed_in_catalogue": "on"},
    )
    assert r.status_code == 302
    Specialist.objects.create(organisation=app.organisation, full_name="Engineer")
    assert 'data-testid="onboarding-banner"' not in contact.get("/").content.decode()
    assert 'data-testid="onboarding-done"' in contact.get("/onboarding/").content.decode()

    catalogue = visitor.get("/partners/").content.decode()
    assert "Newco 902" in catalogue and "Certified" in catalogue
    assert visitor.get(f"/partners/{app.organisation_id}/").status_code == 200


def test_anonymous_header_links_to_applying_and_the_catalogue(db, client):
    page = client.get("/login/").content.decode()
    assert 'href="/become-a-partner/"' in page and 'href="/partners/"' in page


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"inn": "7700000001"}, {"inn": "inn_checksum"}),
        ({"inn": "77000"}, {"inn": "inn_length"}),
        ({"kpp": "77A"}, {"kpp": "kpp_format"}),
        ({"ogrn": "1027700000001"}, {"ogrn": "ogrn_checksum"}),
        ({"kpp": ""}, {"kpp": "kpp_required"}),
        ({"ogrn": "1" * 14 + ogrn_check_digit("1" * 14)}, {"ogrn": "ogrn_kind_mismatch"}),
        ({"consent": False, "role_code": "nope"}, {"consent": "required", "role_code": "invalid_choice"}),
        ({"contact_email": "not-an-email", "website": "javascript:alert(1)", "region": ""},
         {"contact_email": "invalid", "website": "invalid", "region": "blank"}),
    ],
)  # fmt: skip
def test_invalid_applications_are_field_errors(world, api, programme, changes, expected):
    r = api(None).post("/public/programmes/sec/applications", application_payload(**changes))
    assert errors_of(r) == expected
    assert not Application.objects.exists()


def test_sole_proprietor_has_no_kpp(world, api, programme):
    inn12 = "7712345678" + inn_check_digits("7712345678")
    ogrnip = "30477000000001" + ogrn_check_digit("30477000000001")
    r = api(None).post(
        "/public/programmes/sec/applications", application_payload(inn=inn12, kpp="770201001", ogrn=ogrnip)
    )
    assert errors_of(r) == {"kpp": "kpp_not_for_person"}
    r = api(None).post("/public/programmes/sec/applications", application_payload(inn=inn12, kpp="", ogrn=ogrnip))
    assert r.status_code == 201


def test_company_already_a_partner_is_refused_on_inn(world, api, programme):
    a = world.partner_a
    r = api(None).post("/public/programmes/sec/applications", application_payload(inn=a.inn, kpp=a.kpp))
    assert errors_of(r) == {"inn": "duplicate_company"}
    assert "already registered" in r.json()["errors"][0]["message"]


def test_second_open_application_is_refused_until_the_first_is_decided(world, api, programme):
    submit(programme)
    r = api(None).post("/public/programmes/sec/applications", application_payload(contact_email="other@newco.test"))
    assert errors_of(r) == {"inn": "duplicate_application"}
    onboarding.application_reject(actor=world.vendor_admin, application=Application.objects.get(), reason="Later.")
    r = api(None).post("/public/programmes/sec/applications", application_payload(contact_email="other@newco.test"))
    assert r.status_code == 201


def test_unknown_programme_or_one_without_a_version_is_404(world, api, ui, programme):
    assert api(None).post("/public/programmes/nope/applications", application_payload()).status_code == 404
    assert ui(None).get("/become-a-partner/nope/").status_code == 404


def test_form_shows_identifier_errors_on_their_fields(world, programme):
    r = Client().post("/become-a-partner/sec/", application_payload(inn="7700000001", kpp="12"))
    page = r.content.decode()
    assert r.status_code == 200
    assert 'data-field="inn"' in page and 'data-field="kpp"' in page
    r = Client().post("/become-a-partner/sec/", application_payload(inn=world.partner_a.inn, kpp=world.partner_a.kpp))
    assert 'data-field="inn"' in r.content.decode() and "already registered" in r.content.decode()
    assert not Application.objects.exists()


def test_honeypot_filled_in_pretends_success_and_saves_nothing(world, programme):
    r = Client().post("/become-a-partner/sec/", {**application_payload(), "homepage_url": "http://spam.example"})
    assert r.status_code == 302
    assert not Application.objects.exists()


def test_applications_are_rate_limited_per_address(world, api, programme, settings):
    settings.ONBOARDING_APPLICATIONS_PER_IP = 2
    client = api(None)
    assert client.post("/public/programmes/sec/applications", application_payload(911)).status_code == 201
    assert client.post("/public/programmes/sec/applications", application_payload(912)).status_code == 201
    r = client.post("/public/programmes/sec/applications", application_payload(913))
    assert r.status_code == 429 and r.json()["code"] == "throttled"
    r = Client().post("/become-a-partner/sec/", application_payload(914))
    assert r.status_code == 429 and "Too many applications" in r.content.decode()
    assert Application.objects.count() == 2
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert other.post("/become-a-partner/sec/", application_payload(915)).status_code == 302


def test_rejection_needs_a_reason_and_e_mails_it(world, api, programme, django_capture_on_commit_callbacks):
    app = submit(programme)
    client = api(world.vendor_admin)
    r = client.post(f"/applications/{app.pk}/reject", {"reason": "  "})
    assert errors_of(r) == {"reason": "invalid"}
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(f"/applications/{app.pk}/reject", {"reason": "We already have enough partners in Moscow."})
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    message = mail.outbox[-1]
    assert message.to == [app.contact_email] and "enough partners in Moscow" in message.body
    entry = AuditEntry.objects.get(action="application.rejected")
    assert entry.actor == world.vendor_admin and entry.reason == "We already have enough partners in Moscow."
    assert client.post(f"/applications/{app.pk}/approve", {"partner_manager_id": world.bdm_a.pk}).status_code == 422


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"starting_tier_code": "gold"}, "starting_tier_code"),  # the version has no such tier
        ({"starting_tier_code": None}, "starting_tier_code"),  # the role carries tiers: one is required
        ({"starting_tier_code": "authorized", "partner_manager_id": 0}, "partner_manager_id"),
        ({"starting_tier_code": "authorized", "partner_manager_id": "a_admin"}, "partner_manager_id"),
        ({"starting_tier_code": "authorized", "partner_manager_id": "vendor_admin"}, "partner_manager_id"),
    ],
)
def test_bad_approvals_write_nothing(world, api, programme, body, field):
    app = submit(programme)
    body = {"partner_manager_id": world.bdm_a.pk, **body}
    if isinstance(body["partner_manager_id"], str):  # a user, but not a partner manager of the vendor
        body["partner_manager_id"] = getattr(world, body["partner_manager_id"]).pk
    before = (Organisation.objects.count(), Invitation.objects.count(), Enrolment.objects.count())
    r = api(world.vendor_admin).post(f"/applications/{app.pk}/approve", body)
    assert field in errors_of(r)
    assert (Organisation.objects.count(), Invitation.objects.count(), Enrolment.objects.count()) == before
    assert Application.objects.get(pk=app.pk).status == "submitted"


def test_approval_with_a_tier_for_a_role_without_tiers_is_refused(world, api, programme):
    app = submit(programme, role_code="agent")
    client = api(world.vendor_admin)
    r = client.post(f"/applications/{app.pk}/approve", {"partner_manager_id": world.bdm_a.pk,
                                                        "starting_tier_code": "authorized"})  # fmt: skip
    assert errors_of(r) == {"starting_tier_code": "invalid"}
    r = client.post(f"/applications/{app.pk}/approve", {"partner_manager_id": world.bdm_a.pk})
    assert r.status_code == 200
    assert Enrolment.objects.get(organisation_id=r.json()["organisation_id"]).tier_code is None


def test_approval_refused_when_the_company_registered_meanwhile(world, api, programme):
    app = submit(programme)
    Organisation.objects.create(kind="partner", name="Registered meanwhile", inn=app.inn, kpp=app.kpp)
    detail = api(world.vendor_admin).get(f"/applications/{app.pk}").json()
    assert [o["name"] for o in detail["same_inn_organisations"]] == ["Registered meanwhile"]
    r = api(world.vendor_admin).post(f"/applications/{app.pk}/approve", {"partner_manager_id": world.bdm_a.pk,
                                                                       "starting_tier_code": "authorized"})  # fmt: skip
    assert errors_of(r) == {"inn": "duplicate_company"}
    assert Application.objects.get(pk=app.pk).status == "submitted"


def test_approve_page_shows_errors_on_the_form(world, ui, programme):
    app = submit(programme)
    r = ui(world.vendor_admin).post(f"/onboarding/applications/{app.pk}/approve/", {"starting_tier_code": "certified"})
    assert r.status_code == 200 and 'data-field="partner_manager_id"' in r.content.decode()
    r = ui(world.vendor_admin).post(f"/onboarding/applications/{app.pk}/reject/", {"reason": ""})
    assert r.status_code == 200 and 'data-field="reason"' in r.content.decode()
    assert Application.objects.get(pk=app.pk).status == "submitted"


def _approved_admin(world, programme, capture, n=903) -> tuple[Application, User]:
    app = submit(programme, n)
    key = approve(world, app, capture=capture)
    onboarding_user = User.objects.create_user(app.contact_email, PASSWORD, full_name="Admin")
    from partnerhub.identity.services import invitation_accept

    invitation_accept(raw_key=key, user=onboarding_user)
    app.refresh_from_db()
    return app, onboarding_user


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (lambda: pdf(name="contract.txt", content_type="text/plain"), "its name ends in “.txt”"),
        (lambda: pdf(name="contract.html", content_type="application/pdf"), "its name ends in “.html”"),
        (lambda: pdf(content=b"MZ\x90\x00 not really a pdf"), "Upload a file of one of these types: PDF."),
        (lambda: pdf(content=PDF + b"0" * (10 * 1024 * 1024)), "larger than 10.0"),
    ],
)
def test_contract_upload_accepts_only_pdf_files(world, api, programme, django_capture_on_commit_callbacks, upload,
                                                message):  # fmt: skip
    app, admin = _approved_admin(world, programme, django_capture_on_commit_callbacks)
    client = api(admin)
    r = client.client.post("/api/v1/onboarding/contract/upload", {"file": upload()}, headers=client.headers)
    assert r.status_code == 422, r.content
    assert r.json()["errors"][0]["field"] == "file" and message in r.json()["errors"][0]["message"]
    app.refresh_from_db()
    assert app.status == "approved" and not app.contract_file
    r = client.client.post("/api/v1/onboarding/contract/upload", {"file": pdf()}, headers=client.headers)
    assert r.status_code == 200 and r.json()["application_status"] == "active"


def test_contract_step_rules(world, api, ui, programme, django_capture_on_commit_callbacks):
    app, admin = _approved_admin(world, programme, django_capture_on_commit_callbacks)
    client = api(admin)
    r = client.post("/onboarding/contract/accept-terms", {"signer_name": "", "accept": False})
    assert errors_of(r) == {"signer_name": "invalid", "accept": "invalid"}
    # A member who is not the administrator may read the checklist but not sign.
    sales = User.objects.create_user("sales@newco.test", PASSWORD)
    Membership.objects.create(user=sales, organisation=app.organisation, role="sales")
    assert api(sales).get("/onboarding").status_code == 200
    r = api(sales).post("/onboarding/contract/accept-terms", {"signer_name": "Sales", "accept": True})
    assert r.status_code == 403
    assert ui(sales).post("/onboarding/contract/accept/", {"signer_name": "S", "accept": "on"}).status_code == 403
    # The vendor cannot accept the terms on the partner's behalf.
    r = api(world.vendor_admin).post(
        f"/onboarding/contract/accept-terms?organisation_id={app.organisation_id}",
        {"signer_name": "Vendor", "accept": True},
    )
    assert r.status_code == 403
    r = client.post("/onboarding/contract/accept-terms", {"signer_name": "Ivan Petrov", "accept": True})
    assert r.status_code == 200
    r = client.post("/onboarding/contract/accept-terms", {"signer_name": "Ivan Petrov", "accept": True})
    assert errors_of(r) == {"__all__": "invalid"}
    assert AuditEntry.objects.filter(action="application.terms_accepted", actor=admin).count() == 1
    assert AuditEntry.objects.filter(action="enrolment.activated").count() == 1


def test_terms_cannot_be_accepted_when_the_version_has_none(world, api, programme, django_capture_on_commit_callbacks):
    _app, admin = _approved_admin(world, programme, django_capture_on_commit_callbacks)
    programme.versions.update(terms="")
    r = api(admin).post("/onboarding/contract/accept-terms", {"signer_name": "Ivan", "accept": True})
    assert errors_of(r) == {"__all__": "invalid"}
    page = api(admin).client
    page.force_login(admin)
    assert 'data-testid="accept-form"' not in page.get("/onboarding/contract/").content.decode()


def test_profile_update_validates_and_audits(world, api, programme, django_capture_on_commit_callbacks):
    _app, admin = _approved_admin(world, programme, django_capture_on_commit_callbacks)
    client = api(admin)
    r = client.patch("/onboarding/profile", {"competences": ["x" * 101]})
    assert errors_of(r) == {"competences": "invalid"}
    r = client.patch("/onboarding/profile", {"competences": [" SIEM ", "siem", "", "DLP"], "listed_in_catalogue": True})
    assert r.json()["competences"] == ["SIEM", "DLP"] and r.json()["listed_in_catalogue"] is True
    assert r.json()["regions"] == ["Москва", "Тверская область"]  # untouched: not sent
    assert client.patch("/onboarding/profile", {"nope": 1}).status_code == 422
    assert AuditEntry.objects.filter(action="partner_profile.updated", actor=admin).count() == 1


# ------------------------------------------------------------------ permissions


def test_partner_users_cannot_see_the_queue(world, api, ui, programme):
    app = submit(programme)
    for user in (world.a_admin, world.a_sales, world.customer_admin):
        assert api(user).get("/applications").status_code == 403
        assert ui(user).get("/onboarding/applications/").status_code == 403
        # An application of another company is not even known to exist.
        assert api(user).get(f"/applications/{app.pk}").status_code == 404
        assert ui(user).get(f"/onboarding/applications/{app.pk}/").status_code == 404
        r = api(user).post(f"/applications/{app.pk}/approve", {"partner_manager_id": world.bdm_a.pk})
        assert r.status_code == 404
        assert api(user).post(f"/applications/{app.pk}/reject", {"reason": "x"}).status_code == 404
    assert Application.objects.get(pk=app.pk).status == "submitted"


def test_finance_reads_the_queue_but_does_not_decide(world, api, programme):
    app = submit(programme)
    client = api(world.finance)
    assert client.get("/applications").json()["count"] == 1
    assert client.post(f"/applications/{app.pk}/reject", {"reason": "No."}).status_code == 403


def test_a_partner_manager_approves_and_then_sees_only_own_partners(world, api, programme,
                                                                    django_capture_on_commit_callbacks):  # fmt: skip
    app = submit(programme)
    assert api(world.bdm_b).get("/applications").json()["count"] == 1  # undecided: every BDM sees it
    with django_capture_on_commit_callbacks(execute=True):
        r = api(world.bdm_b).post(
            f"/applications/{app.pk}/approve",
            {"partner_manager_id": world.bdm_a.pk, "starting_tier_code": "authorized"},
        )
    assert r.status_code == 200, r.content
    invitation = Invitation.objects.get(organisation_id=r.json()["organisation_id"])
    assert invitation.invited_by == world.bdm_b
    assert AuditEntry.objects.get(action="invitation.created", object_id=str(invitation.pk)).actor == world.bdm_b
    assert Notification.objects.filter(user=world.bdm_a, kind="application.approved").exists()
    # Approved, the application follows its organisation: BDM A manages it, BDM B no longer sees it.
    assert api(world.bdm_a).get(f"/applications/{app.pk}").status_code == 200
    assert api(world.bdm_b).get(f"/applications/{app.pk}").status_code == 404


def test_partner_sees_its_own_application_but_not_others(world, api, programme, django_capture_on_commit_callbacks):
    app, admin = _approved_admin(world, programme, django_capture_on_commit_callbacks)
    other = submit(programme, 904)
    assert api(admin).get(f"/applications/{app.pk}").status_code == 200
    assert api(admin).get(f"/applications/{other.pk}").status_code == 404
    assert api(admin).get("/applications").status_code == 403


def test_onboarding_of_another_partner_is_404(world, api, ui, programme, django_capture_on_commit_callbacks):
    app, _admin = _approved_admin(world, programme, django_capture_on_commit_callbacks)
    org = app.organisation_id
    for user in (world.a_admin, world.bdm_b, world.customer_admin):
        client = api(user)
        assert client.get(f"/onboarding?organisation_id={org}").status_code == 404
        r = client.post(
            f"/onboarding/contract/accept-terms?organisation_id={org}", {"signer_name": "X", "accept": True}
        )
        assert r.status_code == 404
        assert client.patch(f"/onboarding/profile?organisation_id={org}", {"description": "x"}).status_code == 404
    # Partner A joined without an application: there is no onboarding to show.
    assert api(world.a_admin).get("/onboarding").status_code == 404
    assert "no onboarding in progress" in ui(world.a_admin).get("/onboarding/").content.decode()
    assert ui(world.vendor_admin).get("/onboarding/").status_code == 302  # the vendor goes to the queue
    assert Application.objects.get(pk=app.pk).status == "approved"


def test_openapi_lists_the_onboarding_operations(db, client):
    document = client.get("/api/v1/openapi.json").json()
    paths = document["paths"]
    for path in [
        "/api/v1/public/programmes", "/api/v1/public/programmes/{code}/applications", "/api/v1/public/catalogue",
        "/api/v1/public/catalogue/{org_id}", "/api/v1/applications", "/api/v1/applications/{application_id}",
        "/api/v1/applications/{application_id}/approve", "/api/v1/applications/{application_id}/reject",
        "/api/v1/onboarding", "/api/v1/onboarding/contract/accept-terms", "/api/v1/onboarding/contract/upload",
        "/api/v1/onboarding/profile",
    ]:  # fmt: skip
        assert path in paths, path
    upload = paths["/api/v1/onboarding/contract/upload"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in upload
    assert "consent" in document["components"]["schemas"]["ApplicationIn"]["required"]


def test_public_programme_list_offers_roles_and_terms(world, api, programme):
    items = api(None).get("/public/programmes").json()
    assert [(p["code"], [r["code"] for r in p["roles"]]) for p in items] == [("sec", ["reseller", "agent"])]
    assert items[0]["terms"] == TERMS
