"""A draft's network override rules (YAML ``rewards.overrides``) edited through the API and the draft editor:
checked by the programme validator like a file, errors on the rule's own field, nothing half-written, published
versions frozen, only vendor administrators."""

from decimal import Decimal

import pytest
import yaml
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from partnerhub.core.models import AuditEntry
from partnerhub.core.problems import Conflict
from partnerhub.programmes import services, yaml_io
from partnerhub.programmes.models import NetworkOverride, ProgrammeVersion

from .test_programmes import SEC, draft_of, fields, load_security

pytestmark = pytest.mark.django_db
URL = f"{SEC}/versions/2/overrides"
RULES = [
    {"kind": "distributor", "family": "software", "tier": "certified", "percent": "3"},
    {"kind": "distributor", "family": "hardware", "percent": "7.5"},
    {"kind": "recruiter", "tier": "privileged", "percent": "1.25"},
]


def rules(version) -> list[tuple]:
    return [(o.kind, o.product_family.code if o.product_family_id else "", o.tier_code, o.percent)
            for o in NetworkOverride.objects.filter(version=version).order_by("pk")]  # fmt: skip


# ---------------------------------------------------------------------------- the service


def test_the_service_replaces_the_rules_and_audits_the_change(world):
    v = draft_of(world)
    services.set_network_overrides(actor=world.vendor_admin, version=v, overrides=RULES)
    assert rules(v) == [("distributor", "software", "certified", Decimal("3.00")),
                        ("distributor", "hardware", "", Decimal("7.50")),
                        ("recruiter", "", "privileged", Decimal("1.25"))]  # fmt: skip
    assert ProgrammeVersion.objects.get(pk=v.pk).document["rewards"]["overrides"][1] == {
        "kind": "distributor", "family": "hardware", "tier": None, "percent": "7.50"}  # fmt: skip
    services.set_network_overrides(actor=world.vendor_admin, version=v,
                                   overrides=[{"kind": "recruiter", "family": "", "tier": "authorized",
                                               "percent": Decimal("2")}])  # fmt: skip
    assert rules(v) == [("recruiter", "", "authorized", Decimal("2.00"))]
    entry = AuditEntry.objects.filter(action="programme.draft_edited").latest("pk")
    assert entry.actor == world.vendor_admin and entry.reason == "network overrides changed"
    assert len(entry.before["part"]) == 3 and entry.after["part"] == [
        {"kind": "recruiter", "family": None, "tier": "authorized", "percent": "2.00"}]  # fmt: skip
    services.set_network_overrides(actor=world.vendor_admin, version=v, overrides=[])
    assert rules(v) == []


def test_a_renamed_tier_keeps_its_rules(world):
    v = draft_of(world)
    services.set_network_overrides(actor=world.vendor_admin, version=v, overrides=RULES)
    services.update_tier(actor=world.vendor_admin, version=v, tier_code="privileged", code="platinum")
    assert rules(v)[2] == ("recruiter", "", "platinum", Decimal("1.25"))


def test_a_removed_tier_takes_its_rules_with_it(world):
    v = draft_of(world)
    services.set_network_overrides(actor=world.vendor_admin, version=v, overrides=RULES)
    services.remove_tier(actor=world.vendor_admin, version=v, tier_code="privileged")
    assert rules(v) == [("distributor", "software", "certified", Decimal("3")),
                        ("distributor", "hardware", "", Decimal("7.5"))]  # fmt: skip
    document = ProgrammeVersion.objects.get(pk=v.pk).document
    assert [rule.get("tier") for rule in document["rewards"]["overrides"]] == ["certified", None]


@pytest.mark.parametrize(
    ("rule", "field", "says"),
    [
        ({"kind": "distributor", "family": "spaceships", "percent": "1"}, "overrides[1].family", "unknown product"),
        ({"kind": "distributor", "tier": "diamond", "percent": "1"}, "overrides[1].tier", "unknown tier"),
        ({"kind": "distributor", "percent": "1"}, "overrides[1]", "give a family, a tier or both"),
        ({**RULES[0]}, "overrides[1]", "a second distributor override"),
        ({"kind": "distributor", "family": "hardware", "percent": "100.5"}, "overrides[1].percent", "exceed 100"),
        ({"kind": "distributor", "family": "hardware", "percent": "-1"}, "overrides[1].percent", "negative"),
        ({"kind": "reseller", "family": "hardware", "percent": "1"}, "overrides[1].kind", "must be one of"),
        ({"family": "hardware", "percent": "1"}, "overrides[1].kind", ""),
        ({"kind": "distributor", "family": "hardware", "percent": "1", "colour": "red"}, "overrides[1].colour", ""),
    ],
)
def test_an_invalid_rule_is_a_field_error_and_changes_nothing(world, rule, field, says):
    v = draft_of(world)
    services.set_network_overrides(actor=world.vendor_admin, version=v, overrides=RULES[:1])
    before, audited = rules(v), AuditEntry.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.set_network_overrides(actor=world.vendor_admin, version=v, overrides=[RULES[0], rule])
    assert field in exc.value.message_dict, exc.value.message_dict
    assert says in " ".join(exc.value.message_dict[field])
    assert rules(v) == before and AuditEntry.objects.count() == audited


def test_published_versions_are_frozen_and_only_vendor_administrators_edit(world):
    v1 = load_security()
    with pytest.raises(Conflict):
        services.set_network_overrides(actor=world.vendor_admin, version=v1, overrides=RULES)
    v2 = services.create_draft_from_published(actor=world.vendor_admin, programme=v1.programme)
    for user in (world.bdm_a, world.finance, world.a_admin):
        with pytest.raises(PermissionDenied):
            services.set_network_overrides(actor=user, version=v2, overrides=RULES)
    assert rules(v1) == rules(v2) == []


# ---------------------------------------------------------------------------- the API


def test_api_replaces_and_reads_back_the_rules_and_the_version_shows_them(world, api, ui):
    draft_of(world)
    admin = api(world.vendor_admin)
    assert admin.get(URL).json() == {"overrides": []}
    r = admin.put(URL, {"overrides": RULES})
    assert r.status_code == 200, r.content
    expected = [{"kind": "distributor", "family": "software", "tier": "certified", "percent": "3.00"},
                {"kind": "distributor", "family": "hardware", "tier": None, "percent": "7.50"},
                {"kind": "recruiter", "family": None, "tier": "privileged", "percent": "1.25"}]  # fmt: skip
    assert r.json()["rewards"]["overrides"] == expected  # answered with the whole version, as other draft edits
    assert admin.get(URL).json() == {"overrides": expected}
    assert admin.get(f"{SEC}/versions/2").json()["rewards"]["overrides"] == expected
    assert admin.put(URL, admin.get(URL).json()).status_code == 200  # what GET answers is what PUT takes
    exported = yaml.safe_load(admin.get(f"{SEC}/versions/2/yaml").content)
    assert exported["rewards"]["overrides"][1] == {"kind": "distributor", "family": "hardware", "percent": 7.5}
    # the exported file loads back to the same rules
    doc, errors = yaml_io.parse(admin.get(f"{SEC}/versions/2/yaml").content.decode(), source="export")
    assert errors == [] and doc["rewards"]["overrides"] == expected
    with translation.override("en"):
        page = ui(world.vendor_admin).get("/programmes/security-partners/v2/").content.decode()
    assert 'data-testid="network-overrides"' in page and page.count('data-override="distributor"') == 2
    assert "Hardware · any tier — 7.50%" in page and "seller's tier Privileged" in page  # names, not codes

    assert admin.put(URL, {"overrides": []}).json()["rewards"]["overrides"] == []
    assert not NetworkOverride.objects.filter(version__number=2).exists()


def test_api_invalid_rules_are_field_errors_and_change_nothing(world, api):
    draft_of(world)
    admin = api(world.vendor_admin)
    admin.put(URL, {"overrides": RULES})
    bad = [RULES[0], {"kind": "distributor", "family": "spaceships", "tier": "diamond", "percent": "120"},
           {**RULES[0], "percent": "4"}, {"kind": "recruiter", "percent": "1"}]  # fmt: skip
    r = admin.put(URL, {"overrides": bad})
    assert r.status_code == 422 and r["Content-Type"] == "application/problem+json"
    got = fields(r)
    assert {"overrides[1].family", "overrides[1].tier", "overrides[1].percent", "overrides[2]",
            "overrides[3]"} <= got.keys()  # fmt: skip
    assert "unknown product family 'spaceships'" in got["overrides[1].family"]
    r = admin.put(URL, {"overrides": [{"kind": "distributor", "family": "hardware"}]})  # no percent
    assert r.status_code == 422 and any("percent" in f for f in fields(r))
    assert admin.put(URL, {"rules": []}).status_code == 422  # unknown field
    assert len(admin.get(URL).json()["overrides"]) == 3
    assert NetworkOverride.objects.filter(version__number=2).count() == 3


def test_api_published_version_refuses_and_only_vendor_administrators_edit(world, api):
    draft_of(world)
    admin = api(world.vendor_admin)
    r = admin.put(f"{SEC}/versions/1/overrides", {"overrides": RULES})
    assert r.status_code == 409 and r.json()["code"] == "not_a_draft"
    assert admin.get(f"{SEC}/versions/1/overrides").status_code == 200  # reading a published version
    for user in (world.bdm_a, world.finance):
        assert api(user).put(URL, {"overrides": RULES}).status_code == 403
        assert api(user).get(URL).status_code == 200  # vendor staff read drafts
    assert api(world.a_admin).put(URL, {"overrides": RULES}).status_code == 404  # not enrolled: unseen
    assert api(world.a_admin).get(URL).status_code == 404
    assert api(None).get(URL).status_code == 401
    assert not NetworkOverride.objects.exists()


def test_the_openapi_document_describes_the_endpoint_and_its_problems():
    from config.api import api

    paths = api.get_openapi_schema()["paths"]["/api/v1/programmes/{code}/versions/{number}/overrides"]
    assert set(paths) == {"get", "put"}
    responses = {str(code): r for code, r in paths["put"]["responses"].items()}
    for code in ("400", "401", "403", "404", "409", "422"):
        assert "application/problem+json" in responses[code]["content"]


# ---------------------------------------------------------------------------- the draft editor


def _rows(*rows, total=None) -> dict:
    data = {"action": "overrides", "overrides-TOTAL_FORMS": str(total or len(rows)), "overrides-INITIAL_FORMS": "0"}
    for i, row in enumerate(rows):
        data.update({f"overrides-{i}-{k}": v for k, v in row.items()})
    return data


def test_editor_form_saves_adds_and_removes_rules(world, ui):
    v = draft_of(world)
    admin = ui(world.vendor_admin)
    url = f"/programmes/security-partners/v{v.number}/edit/"
    with translation.override("ru"):
        page = admin.get(url, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "data-overrides" in page and 'name="overrides-0-kind"' in page
    r = admin.post(url, _rows({"kind": "distributor", "family": "software", "tier": "certified", "percent": "3"},
                              {"kind": "recruiter", "family": "", "tier": "privileged", "percent": "1.5"},
                              {"kind": "", "family": "", "tier": "", "percent": ""}))  # fmt: skip
    assert r.status_code == 302 and r["Location"] == url
    assert rules(v) == [("distributor", "software", "certified", Decimal("3.00")),
                        ("recruiter", "", "privileged", Decimal("1.50"))]  # fmt: skip
    page = admin.get(url).content.decode()
    assert 'name="overrides-2-kind"' in page and 'name="overrides-3-kind"' not in page  # two rules + an empty row
    assert '<option value="software" selected>' in page and '<option value="privileged" selected>' in page
    # "Add a row" without JavaScript: the rows come back with one more, nothing saved
    r = admin.post(url, {**_rows({"kind": "distributor", "family": "hardware", "tier": "", "percent": "9"}),
                         "add_row": "1"})  # fmt: skip
    assert r.status_code == 200 and 'name="overrides-1-kind"' in r.content.decode()
    assert len(rules(v)) == 2
    # ticking Remove drops a rule
    r = admin.post(url, _rows({"kind": "distributor", "family": "software", "tier": "certified", "percent": "3"},
                              {"kind": "recruiter", "family": "", "tier": "privileged", "percent": "1.5",
                               "DELETE": "on"}))  # fmt: skip
    assert r.status_code == 302 and rules(v) == [("distributor", "software", "certified", Decimal("3.00"))]


def test_editor_form_shows_errors_on_the_rule_and_changes_nothing(world, ui):
    v = draft_of(world)
    admin = ui(world.vendor_admin)
    url = f"/programmes/security-partners/v{v.number}/edit/"
    admin.post(url, _rows({"kind": "distributor", "family": "software", "tier": "", "percent": "3"}))
    before = rules(v)
    r = admin.post(url, _rows({"kind": "distributor", "family": "software", "tier": "", "percent": "3"},
                              {"kind": "recruiter", "family": "hardware", "tier": "", "percent": "150"},
                              {"kind": "distributor", "family": "software", "tier": "", "percent": "4"},
                              {"kind": "recruiter", "family": "", "tier": "", "percent": "1"}))  # fmt: skip
    content = r.content.decode()
    assert r.status_code == 200 and "exceed 100" in content and 'data-field="percent"' in content
    assert 'data-row-error="2"' in content and "a second distributor override" in content
    assert 'data-row-error="3"' in content and "give a family, a tier or both" in content
    r = admin.post(url, _rows({"kind": "distributor", "family": "nonsense", "tier": "diamond", "percent": "x"}))
    content = r.content.decode()
    assert r.status_code == 200 and content.count('data-field="') >= 3  # choices and number refused by the form
    r = admin.post(url, {"action": "overrides"})  # no management form
    assert r.status_code == 200 and rules(v) == before


def test_editor_form_is_for_drafts_and_vendor_administrators_only(world, ui):
    v = draft_of(world)
    row = _rows({"kind": "distributor", "family": "software", "tier": "", "percent": "3"})
    assert ui(world.vendor_admin).post("/programmes/security-partners/v1/edit/", row).status_code == 404
    for user in (world.bdm_a, world.finance, world.a_admin):
        assert ui(user).post(f"/programmes/security-partners/v{v.number}/edit/", row).status_code == 404
    assert ui(None).post(f"/programmes/security-partners/v{v.number}/edit/", row).status_code == 302  # sign in
    assert not NetworkOverride.objects.exists()


def test_editor_labels_are_translated(world, ui):
    v = draft_of(world)
    client = ui(world.vendor_admin)
    content = client.get(f"/programmes/security-partners/v{v.number}/edit/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    for text in ("Надбавки сети по семействам продуктов и статусам", "Чья надбавка", "Статус продавца",
                 "любое семейство", "любой статус", "Надбавка дистрибьютора", "Надбавка за привлечение",
                 "Сохранить надбавки", "Добавить строку", "Программное обеспечение"):  # fmt: skip
        assert text in content, text
    assert "Save overrides" not in content and "any family" not in content
