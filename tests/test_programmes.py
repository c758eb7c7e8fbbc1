"""The programme console and API: who may read and change programmes, drafts, publishing, versions in force."""

from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml
from django.utils import timezone

from partnerhub.core.models import AuditEntry
from partnerhub.partners import services as partner_services
from partnerhub.partners.evaluation import evaluate_enrolment
from partnerhub.partners.models import ObligationRecord
from partnerhub.programmes import services
from partnerhub.programmes.models import Programme, ProgrammeVersion

from .programme_builders import certify, sell

pytestmark = pytest.mark.django_db
SECURITY = (Path(services.DEFINITIONS) / "security_002.yaml").read_text(encoding="utf-8")
CLOUD = (Path(services.DEFINITIONS) / "cloud_003.yaml").read_text(encoding="utf-8")


def with_threshold(text: str, amount: int) -> str:
    doc = yaml.safe_load(text)
    doc["tiers"][1]["requirements"][1]["threshold"] = amount
    return yaml.safe_dump(doc, allow_unicode=True)


def test_vendor_admin_imports_and_partners_read_only_their_programmes(world, api):
    r = api(world.vendor_admin).post("/programmes/import", {"yaml": SECURITY})
    assert r.status_code == 201, r.content
    assert r.json()["programme"] == "security-partners" and r.json()["status"] == "published"
    tiers = r.json()["definition"]["tiers"]
    assert [t["code"] for t in tiers] == ["authorized", "certified", "privileged"]
    services.import_programme(actor=None, text=CLOUD, source="cloud")
    cloud = Programme.objects.get(code="cloud-partners")
    partner_services.enrol(actor=None, organisation=world.partner_a, programme=cloud, role_code="partner",
                           joined_on=date(2026, 1, 1), active=True)  # fmt: skip
    assert [p["code"] for p in api(world.a_admin).get("/programmes").json()] == ["cloud-partners"]
    assert api(world.a_admin).get("/programmes/security-partners").status_code == 404
    assert api(world.a_admin).get("/programmes/cloud-partners/versions/1").status_code == 200
    assert api(world.bdm_a).get("/programmes/security-partners").status_code == 200  # vendor staff read
    assert api(world.bdm_a).post("/programmes/import", {"yaml": CLOUD}).status_code == 403
    assert api(world.a_admin).post("/programmes/cloud-partners/drafts").status_code == 403


def test_a_bad_import_answers_with_key_paths_and_writes_nothing(world, api):
    bad = with_threshold(SECURITY, -1)
    r = api(world.vendor_admin).post("/programmes/import", {"yaml": bad})
    assert r.status_code == 422
    fields = {e["field"]: e["message"] for e in r.json()["errors"]}
    assert "tiers[1].requirements[1].threshold" in fields
    assert fields["tiers[1].requirements[1].threshold"].startswith("request body: tiers[1].requirements[1].threshold")
    assert not Programme.objects.exists()


def test_export_is_yaml_that_loads_again(world, api):
    services.import_programme(actor=None, text=SECURITY, source="x")
    r = api(world.vendor_admin).get("/programmes/security-partners/versions/1/yaml")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/yaml")
    assert yaml.safe_load(r.content)["tiers"][1]["requirements"][1]["threshold"] == 500000


def test_an_edit_is_a_new_version_and_each_date_uses_the_version_in_force(world, api):
    v1 = services.import_programme(actor=None, text=SECURITY, source="x")
    e = partner_services.enrol(actor=None, organisation=world.partner_a, programme=v1.programme, role_code="reseller",
                               joined_on=date(2026, 1, 1), active=True)  # fmt: skip
    for duty in ("reviews", "monthly_reports", "vendor_info_on_site"):
        ObligationRecord.objects.create(organisation=world.partner_a, obligation=duty, valid_from=date(2025, 1, 1),
                                        status="accepted")  # fmt: skip
    certify(world.partner_a, type_code="security-engineer")
    today = timezone.localdate()
    sell(world.partner_a, "550000", today - timedelta(days=1))
    assert evaluate_enrolment(e, today).qualified == "certified"

    r = api(world.vendor_admin).post("/programmes/security-partners/drafts")
    assert r.status_code == 201 and r.json()["status"] == "draft" and r.json()["number"] == 2
    assert api(world.vendor_admin).post("/programmes/security-partners/drafts").status_code == 409  # one draft
    r = api(world.vendor_admin).put("/programmes/security-partners/versions/2",
                                      {"yaml": with_threshold(SECURITY, 600000)})  # fmt: skip
    assert r.status_code == 200, r.content
    assert (
        ProgrammeVersion.objects.get(number=1).tiers.get(code="certified").requirements.get(code="sales").threshold
        == 500000
    )
    past = api(world.vendor_admin).post("/programmes/security-partners/versions/2/publish",
                                        {"effective_from": (today - timedelta(days=1)).isoformat()})  # fmt: skip
    assert past.status_code == 422 and past.json()["errors"][0]["field"] == "effective_from"
    tomorrow = today + timedelta(days=1)
    r = api(world.vendor_admin).post("/programmes/security-partners/versions/2/publish",
                                     {"effective_from": tomorrow.isoformat()})  # fmt: skip
    assert r.status_code == 200 and r.json()["status"] == "published"
    assert evaluate_enrolment(e, today).qualified == "certified"  # version 1 still in force today
    assert evaluate_enrolment(e, tomorrow).qualified == "authorized"  # version 2: 600,000 RUB needed
    assert api(world.vendor_admin).put("/programmes/security-partners/versions/2",
                                         {"yaml": SECURITY}).status_code == 409  # published: frozen  # fmt: skip
    entry = AuditEntry.objects.get(action="programme.published")
    assert (
        entry.before["status"] == "draft" and entry.after["status"] == "published" and entry.actor == world.vendor_admin
    )
    # Not yet in force: it can still be withdrawn; version 1 cannot.
    assert api(world.vendor_admin).post("/programmes/security-partners/versions/1/retire", {}).status_code == 409
    assert (
        api(world.vendor_admin).post("/programmes/security-partners/versions/2/retire", {}).json()["status"]
        == "retired"
    )
    assert evaluate_enrolment(e, tomorrow).qualified == "certified"


def test_console_pages(world, ui):
    services.import_programme(actor=None, text=SECURITY, source="x")
    admin = ui(world.vendor_admin)
    page = admin.get("/programmes/").content.decode()
    assert "security-partners" in page
    version = admin.get("/programmes/security-partners/v1/").content.decode()
    assert 'data-tier="certified"' in version and "500,000" in version
    assert ui(world.a_admin).get("/programmes/").status_code == 404
    assert ui(world.a_admin).get("/programmes/security-partners/v1/").status_code == 404
    r = admin.post("/programmes/import/", {"text": with_threshold(CLOUD, -3), "publish": "on"})
    assert r.status_code == 200 and "pasted text: tiers[1].requirements[1].threshold" in r.content.decode()
    assert Programme.objects.count() == 1
    r = admin.post("/programmes/security-partners/draft/")
    assert r.status_code == 302 and r["Location"] == "/programmes/security-partners/v2/"
    r = admin.post("/programmes/security-partners/v2/", {"action": "save", "text": with_threshold(SECURITY, -1)})
    assert (
        "tiers[1].requirements[1].threshold" in r.content.decode() and 'data-testid="yaml-errors"' in r.content.decode()
    )
    r = admin.post("/programmes/security-partners/v2/", {"action": "save", "text": with_threshold(SECURITY, 700000)})
    assert r.status_code == 302
    assert (
        ProgrammeVersion.objects.get(number=2).tiers.get(code="certified").requirements.get(code="sales").threshold
        == 700000
    )
    publish = {"action": "publish", "effective_from": "2099-01-01"}
    assert ui(world.bdm_a).post("/programmes/security-partners/v2/", publish).status_code == 404


def test_draft_editor_forms_change_tiers_requirements_benefits_and_rates(world, ui):
    services.import_programme(actor=None, text=SECURITY, source="x")
    v2 = services.create_draft(actor=world.vendor_admin, programme=Programme.objects.get())
    admin = ui(world.vendor_admin)
    url = f"/programmes/security-partners/v{v2.number}/edit/"
    assert admin.get(url).status_code == 200
    assert ui(world.bdm_a).get(url).status_code == 404  # partner managers read, they do not edit
    assert ui(world.vendor_admin).get("/programmes/security-partners/v1/edit/").status_code == 404  # published

    def post(data):
        return admin.post(url, data)

    r = post({"action": "add_requirement", "tier": 1, "add_requirement-code": "deals",
              "add_requirement-metric": "registered_deals", "add_requirement-threshold": "3",
              "add_requirement-checked_by": "manager", "add_requirement-condition": "always"})  # fmt: skip
    assert r.status_code == 302
    certified = ProgrammeVersion.objects.get(number=2).tiers.get(code="certified")
    assert certified.requirements.get(code="deals").threshold == 3
    # A contradicting threshold is refused by the same checks as a file, on the form's field.
    r = post({"action": "add_requirement", "tier": 2, "add_requirement-code": "deals",
              "add_requirement-metric": "registered_deals", "add_requirement-threshold": "2",
              "add_requirement-checked_by": "manager", "add_requirement-condition": "always"})  # fmt: skip
    assert r.status_code == 200 and "2.00 is lower than 3.00 asked by the lower tier" in r.content.decode()
    assert 'data-field="threshold"' in r.content.decode()
    r = post({"action": "add_requirement", "tier": 2, "add_requirement-code": "sales2",
              "add_requirement-metric": "sales_volume", "add_requirement-threshold": "2000000",
              "add_requirement-currency": "RUB", "add_requirement-period": "calendar_year",
              "add_requirement-checked_by": "manager", "add_requirement-condition": "always"})  # fmt: skip
    assert r.status_code == 200 and "already asks for the same measure" in r.content.decode()
    r = post({"action": "set_rate", "tier": 0, "set_rate-product_family": "software", "set_rate-sale_type": "new",
              "set_rate-percent": "27"})  # fmt: skip
    assert r.status_code == 302
    r = post({"action": "set_rate", "tier": 0, "set_rate-product_family": "software", "set_rate-sale_type": "new",
              "set_rate-percent": "150"})  # fmt: skip
    assert r.status_code == 200 and "exceed 100" in r.content.decode()
    r = post({"action": "add_benefit", "tier": 0, "add_benefit-code": "protect", "add_benefit-kind": "deal_protection",
              "add_benefit-days": "120", "add_benefit-hours": "16"})  # fmt: skip
    assert r.status_code == 302
    r = post({"action": "add_tier", "tier": 0, "add_tier-code": "elite", "add_tier-name": "Elite"})
    assert r.status_code == 302
    r = post({"action": "settings", "settings-name": "Программа 2027", "settings-currency": "RUB",
              "settings-evaluation_period": "calendar_year", "settings-downgrade_grace_days": "45",
              "settings-protection_days": "150", "settings-approval_hours": "16", "settings-inactivity_days": "60",
              "settings-accept_hours": "24", "settings-window_days": "60"})  # fmt: skip
    assert r.status_code == 302
    v = ProgrammeVersion.objects.get(number=2)
    assert (v.name, v.downgrade_grace_days, v.deal_protection_days, v.deal_inactivity_days) == (
        "Программа 2027", 45, 150, 60,
    )  # fmt: skip
    assert [t.code for t in v.tiers.all()] == ["authorized", "certified", "privileged", "elite"]
    assert (
        v.tiers.get(code="authorized").reward_rates.get(product_family__code="software", sale_type="new").percent == 27
    )
    assert v.tiers.get(code="authorized").benefits.get(code="protect").days == 120
    r = post({"action": "delete_requirement", "tier": 1, "index": 7})
    assert r.status_code == 302
    assert (
        not ProgrammeVersion.objects.get(number=2)
        .tiers.get(code="certified")
        .requirements.filter(code="deals")
        .exists()
    )
    assert ProgrammeVersion.objects.get(number=1).tiers.count() == 3  # the published version never changed
