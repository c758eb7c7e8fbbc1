"""The programme console and API: who may read and change programmes, drafts and their parts,
publishing, retiring, audit, versions in force."""

from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from partnerhub.core.models import AuditEntry
from partnerhub.core.problems import Conflict
from partnerhub.partners import services as partner_services
from partnerhub.partners.evaluation import evaluate_enrolment
from partnerhub.partners.models import ObligationRecord
from partnerhub.programmes import services
from partnerhub.programmes.models import Programme, ProgrammeVersion, Requirement

from .conftest import FormData
from .programme_builders import certify, sell

pytestmark = pytest.mark.django_db
SECURITY = (Path(services.DEFINITIONS) / "security_002.yaml").read_text(encoding="utf-8")
CLOUD = (Path(services.DEFINITIONS) / "cloud_003.yaml").read_text(encoding="utf-8")
SEC = "/programmes/security-partners"


def with_threshold(text: str, amount: int) -> str:
    doc = yaml.safe_load(text)
    doc["tiers"][1]["requirements"][1]["threshold"] = amount
    return yaml.safe_dump(doc, allow_unicode=True)


def load_security():
    return services.import_programme(actor=None, text=SECURITY, source="security_002.yaml")


def draft_of(world):
    load_security()
    return services.create_draft_from_published(actor=world.vendor_admin, programme=Programme.objects.get())


def fields(r) -> dict[str, str]:
    return {e["field"]: e["message"] for e in r.json()["errors"]}


# ---------------------------------------------------------------------------- reading and importing


def test_vendor_admin_imports_and_partners_read_only_their_programmes(world, api):
    r = api(world.vendor_admin).post("/programmes/import", {"yaml": SECURITY})
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["programme"] == "security-partners" and body["status"] == "published" and body["in_force"]
    assert [t["code"] for t in body["tiers"]] == ["authorized", "certified", "privileged"]
    certified = body["tiers"][1]
    assert certified["rank"] == 2
    sales = next(q for q in certified["requirements"] if q["code"] == "sales")
    assert (sales["kind"], sales["metric"], sales["threshold"], sales["currency"], sales["period"]) == (
        "metric", "sales_volume", "500000.00", "RUB", "calendar_year",
    )  # fmt: skip
    assert {"product_family": "software", "sale_type": "new", "percent": "30.00"} in certified["reward_rates"]
    assert body["deal_registration"]["protection_days"] == 180 and body["leads"]["accept_hours"] == 48
    assert [f["code"] for f in body["product_families"]] == ["software", "appliance", "hardware"]
    services.import_programme(actor=None, text=CLOUD, source="cloud")
    cloud = Programme.objects.get(code="cloud-partners")
    partner_services.enrol(actor=None, organisation=world.partner_a, programme=cloud, role_code="partner",
                           joined_on=date(2026, 1, 1), active=True)  # fmt: skip
    assert [p["code"] for p in api(world.a_admin).get("/programmes").json()] == ["cloud-partners"]
    assert api(world.a_admin).get(SEC).status_code == 404
    assert api(world.a_admin).get(f"{SEC}/versions/1").status_code == 404
    assert api(world.a_admin).get("/programmes/cloud-partners/versions/1").status_code == 200
    assert api(world.customer_admin).get("/programmes").json() == []
    assert api(world.bdm_a).get(SEC).status_code == 200  # vendor staff read every programme
    assert api(world.bdm_a).post("/programmes/import", {"yaml": CLOUD}).status_code == 403
    assert api(world.finance).post("/programmes/import", {"yaml": CLOUD}).status_code == 403
    assert api(world.a_admin).post("/programmes/cloud-partners/drafts").status_code == 403


def test_partners_read_published_versions_only(world, api):
    v1 = load_security()
    partner_services.enrol(actor=None, organisation=world.partner_a, programme=v1.programme, role_code="reseller",
                           joined_on=date(2026, 1, 1), active=True)  # fmt: skip
    services.create_draft_from_published(actor=world.vendor_admin, programme=v1.programme)
    assert [v["number"] for v in api(world.a_admin).get(SEC).json()["versions"]] == [1]
    assert api(world.a_admin).get(f"{SEC}/versions/2").status_code == 404
    assert [v["number"] for v in api(world.vendor_admin).get(SEC).json()["versions"]] == [2, 1]


def test_a_bad_import_answers_with_key_paths_and_writes_nothing(world, api):
    r = api(world.vendor_admin).post("/programmes/import", {"yaml": with_threshold(SECURITY, -1)})
    assert r.status_code == 422
    errors = fields(r)
    assert errors["tiers[1].requirements[1].threshold"].startswith(
        "request body: tiers[1].requirements[1].threshold: must not be negative"
    )
    assert not Programme.objects.exists() and not AuditEntry.objects.filter(action__startswith="programme.").exists()


def test_import_by_upload(world, api):
    upload = SimpleUploadedFile("security_002.yaml", SECURITY.encode(), content_type="application/yaml")
    r = api(world.vendor_admin).post("/programmes/import/upload", FormData(file=upload, publish="false"))
    assert r.status_code == 201, r.content
    assert r.json()["status"] == "draft"
    bad = SimpleUploadedFile("bad.yaml", with_threshold(SECURITY, -1).encode(), content_type="application/yaml")
    r = api(world.vendor_admin).post("/programmes/import/upload", FormData(file=bad))
    assert r.status_code == 422
    assert fields(r)["tiers[1].requirements[1].threshold"].startswith("bad.yaml: tiers[1].requirements[1].threshold")
    # A second import of a programme with a draft as a draft is refused; published, it is the next version.
    again = SimpleUploadedFile("again.yaml", SECURITY.encode(), content_type="application/yaml")
    assert (
        api(world.vendor_admin).post("/programmes/import/upload", FormData(file=again, publish="false")).status_code
        == 422
    )
    assert ProgrammeVersion.objects.count() == 1


def test_import_file_by_path_and_next_version():
    path = Path(services.DEFINITIONS) / "security_002.yaml"
    v1 = services.import_programme(actor=None, path=path)
    entry = AuditEntry.objects.get(action="programme.imported")
    assert entry.reason == "security_002.yaml" and entry.after["document"]["programme"]["code"] == "security-partners"
    text = SECURITY.replace("effective_from: 2026-01-01", f"effective_from: {timezone.localdate().isoformat()}")
    v2 = services.import_programme(actor=None, text=text, source="next.yaml")
    assert (v1.programme_id, v2.number, v2.status) == (v2.programme_id, 2, "published")
    with pytest.raises(ValidationError) as exc:  # a new version of a programme in force cannot start in the past
        services.import_programme(actor=None, text=SECURITY, source="old.yaml")
    assert "effective_from" in exc.value.message_dict


def test_export_is_yaml_that_loads_again(world, api):
    load_security()
    r = api(world.vendor_admin).get(f"{SEC}/versions/1/yaml")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/yaml")
    assert yaml.safe_load(r.content)["tiers"][1]["requirements"][1]["threshold"] == 500000


# ---------------------------------------------------------------------------- versions


def test_an_edit_is_a_new_version_and_each_date_uses_the_version_in_force(world, api):
    v1 = load_security()
    e = partner_services.enrol(actor=None, organisation=world.partner_a, programme=v1.programme, role_code="reseller",
                               joined_on=date(2026, 1, 1), active=True)  # fmt: skip
    for duty in ("reviews", "monthly_reports", "vendor_info_on_site"):
        ObligationRecord.objects.create(organisation=world.partner_a, obligation=duty, valid_from=date(2025, 1, 1),
                                        status="accepted")  # fmt: skip
    certify(world.partner_a, type_code="security-engineer")
    today = timezone.localdate()
    sell(world.partner_a, "550000", today - timedelta(days=1))
    assert evaluate_enrolment(e, today).qualified == "certified"

    admin = api(world.vendor_admin)
    r = admin.post(f"{SEC}/drafts")
    assert r.status_code == 201 and r.json()["status"] == "draft" and r.json()["number"] == 2
    assert admin.post(f"{SEC}/drafts").status_code == 409  # one draft at a time
    r = admin.patch(f"{SEC}/versions/2/tiers/certified/requirements/sales", {"threshold": "600000"})
    assert r.status_code == 200, r.content
    assert v1.tiers.get(code="certified").requirements.get(code="sales").threshold == 500000  # v1 never changes
    past = admin.post(f"{SEC}/versions/2/publish", {"effective_from": (today - timedelta(days=1)).isoformat()})
    assert past.status_code == 422 and fields(past).keys() == {"effective_from"}
    tomorrow = today + timedelta(days=1)
    r = admin.post(f"{SEC}/versions/2/publish", {"effective_from": tomorrow.isoformat()})
    assert r.status_code == 200 and r.json()["status"] == "published" and not r.json()["in_force"]
    assert evaluate_enrolment(e, today).qualified == "certified"  # version 1 is still in force today
    assert evaluate_enrolment(e, tomorrow).qualified == "authorized"  # version 2 asks 600,000 RUB
    assert evaluate_enrolment(e, tomorrow).version_number == 2
    assert admin.put(f"{SEC}/versions/2", {"yaml": SECURITY}).status_code == 409  # published: frozen
    assert admin.patch(f"{SEC}/versions/1/settings", {"deal_protection_days": 1}).status_code == 409
    entry = AuditEntry.objects.get(action="programme.published")
    assert (entry.actor, entry.before["status"], entry.after["status"]) == (world.vendor_admin, "draft", "published")
    # The next draft copies version 2 (scheduled), and cannot come into force before it.
    r = admin.post(f"{SEC}/drafts")
    assert r.json()["number"] == 3 and r.json()["effective_from"] == tomorrow.isoformat()
    r = admin.post(f"{SEC}/versions/3/publish", {"effective_from": today.isoformat()})
    assert r.status_code == 422 and "Version 2 is already scheduled" in fields(r)["effective_from"]
    assert admin.post(f"{SEC}/versions/3/retire", {"reason": "not needed"}).json()["status"] == "retired"
    # Not yet in force: version 2 can still be withdrawn; version 1 cannot.
    assert admin.post(f"{SEC}/versions/1/retire", {}).status_code == 409
    assert admin.post(f"{SEC}/versions/2/retire", {}).json()["status"] == "retired"
    assert admin.post(f"{SEC}/versions/2/retire", {}).status_code == 409
    assert evaluate_enrolment(e, tomorrow).qualified == "certified"
    assert AuditEntry.objects.filter(action="programme.retired").count() == 2


def test_publish_checks_the_draft_again(world):
    v = draft_of(world)
    Requirement.objects.filter(tier__version=v, tier__code="privileged", code="sales").update(threshold=1)
    with pytest.raises(ValidationError) as exc:
        services.publish(actor=world.vendor_admin, version=v, effective_from=timezone.localdate())
    assert "tiers[2].requirements[2].threshold" in exc.value.message_dict
    v.refresh_from_db()
    assert v.status == "draft"


# ---------------------------------------------------------------------------- editing a draft part by part


def test_draft_parts_through_the_api(world, api):
    draft_of(world)
    admin = api(world.vendor_admin)
    base = f"{SEC}/versions/2"
    r = admin.patch(f"{base}/settings", {"deal_protection_days": 240, "deal_second_partner_percent": "50",
                                         "referral_attribution": "first_click", "name": "Программа 2027"})  # fmt: skip
    assert r.status_code == 200, r.content
    assert r.json()["deal_registration"]["protection_days"] == 240 and r.json()["name"] == "Программа 2027"
    assert r.json()["referrals"]["attribution"] == "first_click"
    r = admin.patch(f"{base}/settings", {"deal_protection_days": -1, "deal_uplift_percent": "101",
                                         "currency": "XYZ"})  # fmt: skip
    assert r.status_code == 422
    assert fields(r).keys() == {"deal_protection_days", "deal_uplift_percent", "currency"}
    assert admin.patch(f"{base}/settings", {"colour": "red"}).status_code == 422  # unknown field

    r = admin.post(f"{base}/tiers", {"code": "elite", "name": "Elite"})
    assert r.status_code == 201 and [t["code"] for t in r.json()["tiers"]][-1] == "elite"
    r = admin.post(f"{base}/tiers", {"code": "elite", "name": "Again"})
    assert r.status_code == 422 and "duplicate code" in fields(r)["code"]
    r = admin.patch(f"{base}/tiers/elite", {"name": "Elite partner", "rank": 1})
    assert [t["code"] for t in r.json()["tiers"]] == ["elite", "authorized", "certified", "privileged"]
    assert admin.delete(f"{base}/tiers/elite").status_code == 204
    assert admin.delete(f"{base}/tiers/elite").status_code == 404

    r = admin.post(f"{base}/tiers/certified/requirements", {"code": "deals", "metric": "registered_deals",
                                                            "threshold": "3"})  # fmt: skip
    assert r.status_code == 201, r.content
    r = admin.post(f"{base}/tiers/privileged/requirements", {"code": "deals", "metric": "registered_deals",
                                                             "threshold": "2"})  # fmt: skip
    assert r.status_code == 422 and "lower than 3.00 asked by the lower tier 'certified'" in fields(r)["threshold"]
    r = admin.post(f"{base}/tiers/certified/requirements", {"code": "x", "metric": "certified_staff",
                                                            "threshold": "1.5", "currency": "RUB"})  # fmt: skip
    assert r.status_code == 422 and fields(r).keys() == {"threshold", "currency", "certification"}
    r = admin.patch(f"{base}/tiers/certified/requirements/deals", {"obligation": "joint_promotion"})
    req = next(q for q in r.json()["tiers"][1]["requirements"] if q["code"] == "deals")
    assert (req["kind"], req["obligation"], req["metric"], req["threshold"]) == ("obligation", "joint_promotion",
                                                                                 None, None)  # fmt: skip
    assert admin.delete(f"{base}/tiers/certified/requirements/deals").status_code == 204
    assert admin.patch(f"{base}/tiers/certified/requirements/nothing", {"label": "x"}).status_code == 404

    r = admin.post(f"{base}/tiers/authorized/benefits", {"code": "protect", "kind": "deal_protection", "days": 90,
                                                         "hours": 48, "percent": "1.5"})  # fmt: skip
    assert r.status_code == 201
    r = admin.post(f"{base}/tiers/authorized/benefits", {"code": "yacht", "kind": "dedicated_manager", "count": 1})
    assert r.status_code == 422 and "has no count" in fields(r)["count"]
    r = admin.post(f"{base}/tiers/authorized/benefits", {"code": "disc", "kind": "discount"})
    assert r.status_code == 422 and "needs percent" in fields(r)["percent"]
    r = admin.patch(f"{base}/tiers/authorized/benefits/protect", {"days": 120})
    assert next(b for b in r.json()["tiers"][0]["benefits"] if b["code"] == "protect")["days"] == 120
    assert admin.delete(f"{base}/tiers/authorized/benefits/protect").status_code == 204

    rates = [{"product_family": "software", "sale_type": "new", "percent": "26"},
             {"product_family": "hardware", "sale_type": "renewal", "percent": "25"}]  # fmt: skip
    r = admin.put(f"{base}/tiers/authorized/reward-rates", {"rates": rates})
    assert r.status_code == 200 and len(r.json()["tiers"][0]["reward_rates"]) == 2
    r = admin.put(f"{base}/tiers/privileged/reward-rates", {"rates": [
        {"product_family": "software", "sale_type": "new", "percent": "20"},
        {"product_family": "spaceships", "sale_type": "new", "percent": "120"},
    ]})  # fmt: skip
    assert r.status_code == 422
    assert "less than 30.00% paid by the lower tier 'certified'" in fields(r)["rates[0].percent"]
    assert "exceed 100" in fields(r)["rates[1].percent"]

    v = ProgrammeVersion.objects.get(number=2)
    assert v.deal_protection_days == 240 and v.deal_second_partner_percent == 50
    assert v.document["deal_registration"]["protection_days"] == 240  # the stored document follows the rows
    assert ProgrammeVersion.objects.get(number=1).deal_protection_days == 180
    edits = AuditEntry.objects.filter(action="programme.draft_edited").order_by("pk")
    assert edits.count() == 11
    first = edits.first()
    assert first.actor == world.vendor_admin and first.reason == "settings changed"
    assert first.before["part"]["deal_protection_days"] == 180 and first.after["part"]["deal_protection_days"] == 240
    removed = edits.filter(reason="tier elite removed").get()
    assert removed.before["part"]["name"] == "Elite partner" and removed.after is None


def test_only_vendor_administrators_change_programmes(world, api):
    v = draft_of(world)
    for user in (world.bdm_a, world.finance):
        assert api(user).patch(f"{SEC}/versions/2/settings", {"deal_protection_days": 1}).status_code == 403
        assert api(user).post(f"{SEC}/versions/2/publish", {}).status_code == 403
        with pytest.raises(PermissionDenied):
            services.add_tier(actor=user, version=v, code="x", name="X")
    with pytest.raises(PermissionDenied):
        services.update_draft(actor=world.a_admin, version=v, text=SECURITY)
    assert api(world.a_admin).patch(f"{SEC}/versions/2/settings", {}).status_code == 404  # not enrolled: unseen
    assert api(world.bdm_a).get(f"{SEC}/versions/2").status_code == 200  # BDMs read drafts too


def test_published_versions_are_frozen(world):
    v1 = load_security()
    with pytest.raises(Conflict):
        services.add_tier(actor=world.vendor_admin, version=v1, code="x", name="X")
    with pytest.raises(Conflict):
        services.update_settings(actor=world.vendor_admin, version=v1, deal_protection_days=1)


def test_a_whole_yaml_edit_keeps_the_draft_row(world, api):
    v = draft_of(world)
    r = api(world.vendor_admin).put(f"{SEC}/versions/2", {"yaml": with_threshold(SECURITY, 700000)})
    assert r.status_code == 200
    v.refresh_from_db()
    assert v.tiers.get(code="certified").requirements.get(code="sales").threshold == 700000
    entry = AuditEntry.objects.get(action="programme.draft_edited")
    assert entry.object_id == str(v.pk)
    assert entry.before["document"]["tiers"][1]["requirements"][1]["threshold"] == "500000.00"
    assert entry.after["document"]["tiers"][1]["requirements"][1]["threshold"] == "700000.00"
    other = SECURITY.replace("code: security-partners", "code: other")
    assert "programme.code" in fields(api(world.vendor_admin).put(f"{SEC}/versions/2", {"yaml": other}))


# ---------------------------------------------------------------------------- console pages


def test_console_pages(world, ui):
    load_security()
    admin = ui(world.vendor_admin)
    page = admin.get("/programmes/").content.decode()
    assert "security-partners" in page and "/programmes/import/" in page
    assert admin.get(SEC + "/").status_code == 302
    version = admin.get(f"{SEC}/v1/").content.decode()
    assert 'data-tier="certified"' in version and "500,000" in version
    assert ui(world.bdm_a).get(f"{SEC}/v1/").status_code == 200  # partner managers read
    assert "/programmes/import/" not in ui(world.bdm_a).get("/programmes/").content.decode()
    assert ui(world.bdm_a).get("/programmes/import/").status_code == 404
    assert ui(world.a_admin).get("/programmes/").status_code == 404
    assert ui(world.a_admin).get(f"{SEC}/v1/").status_code == 404
    r = admin.get(f"{SEC}/v1/yaml")
    assert r.status_code == 200 and "attachment" in r["Content-Disposition"]

    r = admin.post("/programmes/import/", {"text": with_threshold(CLOUD, -3), "publish": "on"})
    assert r.status_code == 200 and "pasted text: tiers[1].requirements[1].threshold" in r.content.decode()
    upload = SimpleUploadedFile("cloud.yaml", with_threshold(CLOUD, -3).encode())
    r = admin.post("/programmes/import/", {"file": upload, "publish": "on"})
    assert "cloud.yaml: tiers[1].requirements[1].threshold: must not be negative" in r.content.decode()
    assert Programme.objects.count() == 1
    upload = SimpleUploadedFile("cloud.yaml", CLOUD.encode())
    r = admin.post("/programmes/import/", {"file": upload, "publish": "on"})
    assert r.status_code == 302 and r["Location"] == "/programmes/cloud-partners/v1/"

    assert ui(world.bdm_a).post(f"{SEC}/draft/").status_code == 404
    r = admin.post(f"{SEC}/draft/")
    assert r.status_code == 302 and r["Location"] == f"{SEC}/v2/edit/"
    r = admin.post(f"{SEC}/v2/", {"action": "save", "text": with_threshold(SECURITY, -1)})
    content = r.content.decode()
    assert "tiers[1].requirements[1].threshold" in content and 'data-testid="yaml-errors"' in content
    r = admin.post(f"{SEC}/v2/", {"action": "save", "text": with_threshold(SECURITY, 700000)})
    assert r.status_code == 302
    assert (
        ProgrammeVersion.objects.get(number=2).tiers.get(code="certified").requirements.get(code="sales").threshold
        == 700000
    )
    publish = {"action": "publish", "effective_from": "2099-01-01"}
    assert ui(world.bdm_a).post(f"{SEC}/v2/", publish).status_code == 404
    r = admin.post(f"{SEC}/v2/", {"action": "publish", "effective_from": "2020-01-01"})
    assert r.status_code == 200 and 'data-field="effective_from"' in r.content.decode()
    assert admin.post(f"{SEC}/v2/", publish).status_code == 302
    assert ProgrammeVersion.objects.get(number=2).status == "published"
    r = admin.post(f"{SEC}/v2/", {"action": "retire", "reason": "changed our mind"})
    assert r.status_code == 302 and ProgrammeVersion.objects.get(number=2).status == "retired"


def test_draft_editor_forms_change_tiers_requirements_benefits_and_rates(world, ui):
    v2 = draft_of(world)
    admin = ui(world.vendor_admin)
    url = f"{SEC}/v{v2.number}/edit/"
    page = admin.get(url)
    assert page.status_code == 200 and 'data-rates="privileged"' in page.content.decode()
    assert ui(world.bdm_a).get(url).status_code == 404  # partner managers read, they do not edit
    assert admin.get(f"{SEC}/v1/edit/").status_code == 404  # published

    def post(data):
        return admin.post(url, data)

    req = {"add_requirement-checked_by": "manager", "add_requirement-condition": "always"}
    r = post({"action": "add_requirement", "tier": "certified", "add_requirement-code": "deals",
              "add_requirement-metric": "registered_deals", "add_requirement-threshold": "3", **req})  # fmt: skip
    assert r.status_code == 302
    certified = ProgrammeVersion.objects.get(number=2).tiers.get(code="certified")
    assert certified.requirements.get(code="deals").threshold == 3
    # A contradicting threshold is refused by the same checks as a file, on the form's field.
    r = post({"action": "add_requirement", "tier": "privileged", "add_requirement-code": "deals",
              "add_requirement-metric": "registered_deals", "add_requirement-threshold": "2", **req})  # fmt: skip
    content = r.content.decode()
    assert r.status_code == 200 and "2.00 is lower than 3.00 asked by the lower tier" in content
    assert 'data-field="threshold"' in content and "<details open>" in content
    r = post({"action": "add_requirement", "tier": "privileged", "add_requirement-code": "sales2",
              "add_requirement-metric": "sales_volume", "add_requirement-threshold": "2000000",
              "add_requirement-currency": "RUB", "add_requirement-period": "calendar_year", **req})  # fmt: skip
    assert r.status_code == 200 and "already asks for the same measure" in r.content.decode()
    r = post({"action": "add_requirement", "tier": "privileged", "add_requirement-code": "hw",
              "add_requirement-metric": "sales_volume", "add_requirement-threshold": "100000",
              "add_requirement-product_family": "hardware", **req})  # fmt: skip
    assert r.status_code == 302
    rates = {f"rates-rate__{f}__{s}": "" for f in ("software", "appliance", "hardware") for s in ("new", "renewal")}
    r = post({"action": "rates", "tier": "authorized", **rates, "rates-rate__software__new": "27",
              "rates-rate__hardware__new": "15"})  # fmt: skip
    assert r.status_code == 302
    r = post({"action": "rates", "tier": "authorized", **rates, "rates-rate__software__new": "27",
              "rates-rate__hardware__new": "150"})  # fmt: skip
    assert r.status_code == 200 and "exceed 100" in r.content.decode()
    assert 'data-field="rate__hardware__new"' in r.content.decode()
    r = post({"action": "add_benefit", "tier": "authorized", "add_benefit-code": "protect",
              "add_benefit-kind": "deal_protection", "add_benefit-days": "120", "add_benefit-hours": "16"})  # fmt: skip
    assert r.status_code == 302
    r = post({"action": "add_benefit", "tier": "authorized", "add_benefit-code": "mgr",
              "add_benefit-kind": "dedicated_manager", "add_benefit-percent": "5"})  # fmt: skip
    assert r.status_code == 200 and 'data-field="percent"' in r.content.decode()
    r = post({"action": "add_tier", "add_tier-code": "elite", "add_tier-name": "Elite"})
    assert r.status_code == 302
    r = post({"action": "edit_tier", "tier": "elite", "edit_tier-code": "elite", "edit_tier-name": "Elite+"})
    assert r.status_code == 302
    settings = {"settings-name": "Программа 2027", "settings-effective_from": "2099-01-01",
                "settings-currency": "RUB", "settings-evaluation_period": "calendar_year",
                "settings-downgrade_grace_days": "45", "settings-deal_protection_days": "150",
                "settings-deal_approval_hours": "16", "settings-deal_inactivity_months": "2",
                "settings-deal_calendar": "kz",
                "settings-deal_warning_days": "7", "settings-deal_extension_days": "30",
                "settings-deal_uplift_percent": "2", "settings-deal_second_partner_percent": "",
                "settings-deal_burst_limit": "20", "settings-lead_accept_hours": "24",
                "settings-referral_window_days": "60", "settings-referral_attribution": "bind_once",
                "settings-referral_reward_percent": "10"}  # fmt: skip
    r = post({"action": "settings", **settings, "settings-deal_uplift_percent": "120"})
    assert r.status_code == 200 and 'data-field="deal_uplift_percent"' in r.content.decode()
    r = post({"action": "settings", **settings, "settings-deal_calendar": "Narnia"})
    assert r.status_code == 200 and 'data-field="deal_calendar"' in r.content.decode()
    r = post({"action": "settings", **settings})
    assert r.status_code == 302
    v = ProgrammeVersion.objects.get(number=2)
    assert (v.name, v.downgrade_grace_days, v.deal_protection_days, v.deal_inactivity_months, v.deal_calendar,
            v.deal_uplift_percent, v.referral_attribution, v.effective_from) == (
        "Программа 2027", 45, 150, 2, "KZ", 2, "bind_once", date(2099, 1, 1),
    )  # fmt: skip
    assert [(t.code, t.name) for t in v.tiers.all()][-1] == ("elite", "Elite+")
    authorized = v.tiers.get(code="authorized")
    assert {(r.product_family.code, r.sale_type): r.percent for r in authorized.reward_rates.all()} == {
        ("software", "new"): 27, ("hardware", "new"): 15,
    }  # fmt: skip
    assert authorized.benefits.get(code="protect").days == 120
    assert v.tiers.get(code="privileged").requirements.get(code="hw").product_family.code == "hardware"
    assert post({"action": "delete_requirement", "tier": "certified", "item": "deals"}).status_code == 302
    assert not v.tiers.get(code="certified").requirements.filter(code="deals").exists()
    assert post({"action": "delete_benefit", "tier": "authorized", "item": "protect"}).status_code == 302
    assert post({"action": "delete_tier", "tier": "elite"}).status_code == 302
    assert post({"action": "delete_tier", "tier": "nowhere"}).status_code == 404
    assert post({"action": "rates"}).status_code == 404
    assert post({"action": "launch", "tier": "certified"}).status_code == 404
    assert ProgrammeVersion.objects.get(number=1).tiers.count() == 3  # the published version never changed


def test_requirement_and_benefit_pages(world, ui):
    draft_of(world)
    admin = ui(world.vendor_admin)
    url = f"{SEC}/v2/edit/certified/requirements/sales/"
    page = admin.get(url).content.decode()
    assert 'value="500000.00"' in page
    form = {"code": "sales", "metric": "sales_volume", "threshold": "-5", "currency": "RUB",
            "period": "calendar_year", "checked_by": "manager", "condition": "always"}  # fmt: skip
    r = admin.post(url, form)
    assert r.status_code == 200 and 'data-field="threshold"' in r.content.decode() and "negative" in r.content.decode()
    r = admin.post(url, {**form, "threshold": "2000000"})  # more than Privileged asks
    assert r.status_code == 200 and "is lower than 2000000.00" in r.content.decode()
    r = admin.post(url, {**form, "threshold": "600000"})
    assert r.status_code == 302 and r["Location"] == f"{SEC}/v2/edit/"
    certified = ProgrammeVersion.objects.get(number=2).tiers.get(code="certified")
    assert certified.requirements.get(code="sales").threshold == 600000
    reviews = {"code": "reviews", "obligation": "reviews", "checked_by": "manager", "condition": "if_has_website"}
    assert admin.post(url.replace("/sales/", "/reviews/"), reviews).status_code == 302
    certified = ProgrammeVersion.objects.get(number=2).tiers.get(code="certified")
    assert certified.requirements.get(code="reviews").condition == "if_has_website"

    url = f"{SEC}/v2/edit/privileged/benefits/deferral/"
    assert 'value="30"' in admin.get(url).content.decode()
    r = admin.post(url, {"code": "deferral", "kind": "payment_deferral", "days": ""})
    assert r.status_code == 200 and "needs days" in r.content.decode()
    r = admin.post(url, {"code": "deferral", "kind": "payment_deferral", "days": "45"})
    assert r.status_code == 302
    assert ProgrammeVersion.objects.get(number=2).tiers.get(code="privileged").benefits.get(code="deferral").days == 45
    assert admin.get(f"{SEC}/v2/edit/privileged/benefits/nothing/").status_code == 404
    assert admin.get(f"{SEC}/v1/edit/privileged/benefits/deferral/").status_code == 404  # published
    assert ui(world.bdm_a).get(url).status_code == 404


def test_a_draft_takes_english_texts_through_the_api_and_the_editor(world, api, ui):
    v2 = draft_of(world)
    admin = api(world.vendor_admin)
    base = f"{SEC}/versions/2"
    r = admin.patch(f"{base}/settings", {"name_en": "Programme 2027"})
    assert r.status_code == 200 and r.json()["name_en"] == "Programme 2027"
    r = admin.post(f"{base}/tiers", {"code": "elite", "name": "Элита", "name_en": "Elite"})
    assert r.status_code == 201 and (r.json()["tiers"][-1]["name"], r.json()["tiers"][-1]["name_en"]) == (
        "Элита", "Elite",
    )  # fmt: skip
    r = admin.post(f"{base}/tiers/elite/benefits", {"code": "leads", "kind": "vendor_leads", "label": "Лиды",
                                                    "label_en": "Leads"})  # fmt: skip
    assert r.status_code == 201 and r.json()["tiers"][-1]["benefits"][0]["label_en"] == "Leads"
    exported = admin.get(f"{base}/yaml").content.decode()
    assert "en: Elite" in exported and "en: Leads" in exported
    # the editor's tier form carries the English name too
    r = ui(world.vendor_admin).post(f"{SEC}/v{v2.number}/edit/", {
        "action": "edit_tier", "tier": "elite", "edit_tier-code": "elite", "edit_tier-name": "Элита",
        "edit_tier-name_en": "Elite partners", "edit_tier-description": "",
    })  # fmt: skip
    assert r.status_code == 302
    elite = ProgrammeVersion.objects.get(number=2).tiers.get(code="elite")
    assert (elite.name, elite.name_en) == ("Элита", "Elite partners")
