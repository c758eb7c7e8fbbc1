"""Programmes as YAML: the shipped files, the 002 table through the real engine, bad files, round trips."""

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from django.core.exceptions import ValidationError

from partnerhub.partners import services as partner_services
from partnerhub.partners.evaluation import evaluate_enrolment
from partnerhub.partners.models import ObligationRecord
from partnerhub.programmes import services, yaml_io
from partnerhub.programmes.models import Benefit, Programme, ProgrammeVersion, RewardRate, Tier

from .programme_builders import certify, sell

pytestmark = pytest.mark.django_db
DEFS = Path(services.DEFINITIONS)
ON = date(2026, 6, 15)


def text(name: str) -> str:
    return (DEFS / name).read_text(encoding="utf-8")


def load(name: str) -> ProgrammeVersion:
    return services.import_programme(actor=None, text=text(name), source=name)


def edited(name: str, change) -> str:
    doc = yaml.safe_load(text(name))
    change(doc)
    return yaml.safe_dump(doc, allow_unicode=True)


def errors_of(text_: str) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as exc:
        services.import_programme(actor=None, text=text_, source="bad.yaml")
    return {k: [str(m) for m in v] for k, v in exc.value.message_dict.items()}


# ---------------------------------------------------------------------------- the shipped programmes


def test_the_three_programmes_load_with_their_shapes():
    sec, cloud, dist = (load(n) for n in services.DEMO_FILES)
    assert [t.code for t in sec.tiers.all()] == ["authorized", "certified", "privileged"]
    assert {r.code: r.has_tiers for r in cloud.roles.all()} == {
        "partner": True, "white-label": True, "agent": False, "consumption-agent": False,
    }  # fmt: skip
    assert [t.code for t in cloud.tiers.all()] == ["silver", "gold", "platinum"]
    assert [t.code for t in dist.tiers.all()] == ["emerging", "advanced", "key", "strategic"]
    advanced = dist.tiers.get(code="advanced").requirements.all()
    assert {(r.metric, r.threshold, r.currency) for r in advanced if r.metric} == {
        ("sales_volume", Decimal("50000.00"), "USD"), ("purchase_count", Decimal("21.00"), ""),
    }  # fmt: skip
    assert services.load_demo_programmes() == []  # idempotent


def test_002_table_is_expressed_exactly():
    v = load("security_002.yaml")
    rates = {(r.tier.code, r.product_family.code, r.sale_type): r.percent
             for r in RewardRate.objects.filter(tier__version=v).select_related("tier", "product_family")}  # fmt: skip
    expected = {"authorized": (25, 15, 15, 25), "certified": (30, 20, 20, 30), "privileged": (35, 25, 25, 35)}
    for tier, (software, appliance, hardware, renewal) in expected.items():
        assert rates[(tier, "software", "new")] == software
        assert rates[(tier, "appliance", "new")] == appliance
        assert rates[(tier, "hardware", "new")] == hardware
        assert rates[(tier, "software", "renewal")] == renewal
    certified = v.tiers.get(code="certified")
    sales = certified.requirements.get(code="sales")
    assert (sales.threshold, sales.currency, sales.period) == (Decimal("500000.00"), "RUB", "calendar_year")
    assert certified.requirements.get(code="staff").threshold == 1
    internal = {b.tier.code: b.user_cap for b in Benefit.objects.filter(tier__version=v, kind="internal_use")}
    assert internal == {"authorized": 30, "certified": 50, "privileged": 100}
    privileged = {b.kind: b for b in v.tiers.get(code="privileged").benefits.all()}
    assert privileged["payment_deferral"].days == 30 and privileged["quarterly_rebate"].percent == 5
    nfr = Benefit.objects.filter(tier__version=v, kind="nfr_licences")
    assert {b.tier.code: (b.count, b.on_request) for b in nfr} == {
        "authorized": (None, True), "certified": (1, False), "privileged": (2, False),
    }  # fmt: skip


@pytest.fixture
def enrolled(world):
    v = load("security_002.yaml")
    e = partner_services.enrol(actor=world.vendor_admin, organisation=world.partner_a, programme=v.programme,
                               role_code="reseller", joined_on=date(2026, 1, 10), active=True)  # fmt: skip
    for obligation in ("reviews", "monthly_reports", "vendor_info_on_site"):
        ObligationRecord.objects.create(organisation=world.partner_a, obligation=obligation,
                                        valid_from=date(2025, 1, 1), status="accepted")  # fmt: skip
    return e


def test_002_thresholds_through_the_engine(world, enrolled):
    assert evaluate_enrolment(enrolled, ON).qualified == "authorized"
    sell(world.partner_a, "499999.99", date(2026, 3, 1))
    certify(world.partner_a, type_code="security-engineer")
    assert evaluate_enrolment(enrolled, ON).qualified == "authorized"  # 0.01 short
    sell(world.partner_a, "0.01", date(2026, 3, 2))
    assert evaluate_enrolment(enrolled, ON).qualified == "certified"  # 500,000 RUB and one certified specialist
    sell(world.partner_a, "500000", date(2026, 4, 1))
    ev = evaluate_enrolment(enrolled, ON)
    assert ev.qualified == "certified"  # Privileged also needs joint promotion and renewals work
    privileged = next(t for t in ev.tiers if t.code == "privileged")
    assert {r.code for r in privileged.missing} == {"promotion", "renewals"}
    for obligation in ("joint_promotion", "renewals_work"):
        ObligationRecord.objects.create(organisation=world.partner_a, obligation=obligation,
                                        valid_from=date(2026, 1, 1), status="accepted")  # fmt: skip
    assert evaluate_enrolment(enrolled, ON).qualified == "privileged"


def test_002_certified_needs_a_certified_specialist(world, enrolled):
    sell(world.partner_a, "800000", date(2026, 3, 1))
    assert evaluate_enrolment(enrolled, ON).qualified == "authorized"
    certify(world.partner_a, type_code="security-engineer", issued=date(2025, 1, 1), expires=date(2026, 6, 1))
    assert evaluate_enrolment(enrolled, date(2026, 5, 31)).qualified == "certified"
    assert evaluate_enrolment(enrolled, date(2026, 6, 2)).qualified == "authorized"  # expired: stops counting


# ---------------------------------------------------------------------------- bad files load nothing


def _set(path, value):
    def change(doc):
        node = doc
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return change


@pytest.mark.parametrize(
    ("change", "key", "words"),
    [
        (_set(["tiers", 1, "requirements", 1, "threshold"], -5), "tiers[1].requirements[1].threshold", "negative"),
        (_set(["tiers", 0, "reward_rates", 0, "percent"], 120), "tiers[0].reward_rates[0].percent", "exceed 100"),
        (_set(["tiers", 0, "reward_rates", 0, "product_family"], "spaceships"),
         "tiers[0].reward_rates[0].product_family", "unknown product family"),
        (_set(["tiers", 2, "requirements", 2, "threshold"], 400000), "tiers[2].requirements[2].threshold",
         "lower than 500000.00"),
        (_set(["tiers", 2, "reward_rates", 0, "percent"], 20), "tiers[2].reward_rates[0].percent", "less than 30.00%"),
        (_set(["tiers", 1, "requirements", 1, "metric"], "karma"), "tiers[1].requirements[1].metric", "one of"),
        (_set(["tiers", 0, "benefits", 0, "kind"], "yacht"), "tiers[0].benefits[0].kind", "one of"),
        (_set(["version", "currency"], "XYZ"), "version.currency", "unknown currency"),
        (_set(["tiers", 0, "colour"], "gold"), "tiers[0].colour", "unknown key"),
        (_set(["tiers", 1, "code"], "authorized"), "tiers[1].code", "duplicate"),
        (_set(["version", "effective_from"], "soon"), "version.effective_from", "YYYY-MM-DD"),
    ],
)  # fmt: skip
def test_a_bad_file_names_file_key_path_and_reason_and_loads_nothing(change, key, words):
    errors = errors_of(edited("security_002.yaml", change))
    assert key in errors, errors
    assert any(m.startswith("bad.yaml: " + key) and words in m for m in errors[key]), errors[key]
    assert not Programme.objects.exists() and not Tier.objects.exists()


def test_every_error_is_reported_at_once():
    def change(doc):
        doc["tiers"][0]["reward_rates"][0]["percent"] = -1
        doc["roles"][0]["kind"] = "pirate"
        del doc["programme"]["name"]

    assert set(errors_of(edited("security_002.yaml", change))) == {
        "tiers[0].reward_rates[0].percent", "roles[0].kind", "programme.name",
    }  # fmt: skip


def test_broken_yaml_says_where():
    errors = errors_of("programme: [unclosed\n")
    assert "line" in errors["yaml"][0]


# ---------------------------------------------------------------------------- round trip


@pytest.mark.parametrize("name", services.DEMO_FILES)
def test_export_then_import_gives_the_same_programme(name):
    v = load(name)
    exported = yaml_io.export(v)
    doc, errors = yaml_io.parse(exported, source="exported")
    assert not errors
    assert doc == yaml_io.document(v)
    assert doc == yaml_io.parse(text(name), source=name)[0] | {"product_families": doc["product_families"]}


def test_demo_partners_stand_in_different_tiers_and_loading_twice_changes_nothing(db):
    from django.core.management import call_command

    from partnerhub.deals.models import Claim
    from partnerhub.partners.models import Enrolment
    from partnerhub.rewards.models import Sale

    call_command("load_demo", stdout=io.StringIO())
    tiers = dict(Enrolment.objects.values_list("organisation__name", "tier_code"))
    assert tiers == {"Альфа Интеграция": "privileged", "Бета Софт": "certified", "Гамма Сервис": "authorized",
                     "Дельта Дистрибуция": "advanced"}  # fmt: skip
    counts = (Programme.objects.count(), Enrolment.objects.count(), Sale.objects.count(), Claim.objects.count())
    call_command("load_demo", stdout=io.StringIO())
    assert (Programme.objects.count(), Enrolment.objects.count(), Sale.objects.count(), Claim.objects.count()) == counts


def test_commands_import_and_export(tmp_path):
    from django.core.management import CommandError, call_command

    out = io.StringIO()
    call_command("import_programme", str(DEFS / "cloud_003.yaml"), stdout=out)
    assert "cloud-partners version 1 (published)" in out.getvalue()
    exported = io.StringIO()
    call_command("export_programme", "cloud-partners", stdout=exported)
    assert yaml_io.parse(exported.getvalue(), source="export")[0] == yaml_io.document(ProgrammeVersion.objects.get())
    bad = tmp_path / "bad.yaml"
    bad.write_text(edited("security_002.yaml", _set(["version", "currency"], "XYZ")), encoding="utf-8")
    with pytest.raises(CommandError, match=r"version\.currency: unknown currency"):
        call_command("import_programme", str(bad))
    assert Programme.objects.count() == 1
