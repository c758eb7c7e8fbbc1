"""Programmes as YAML: the shipped files, the 002 table through the real engine, bad files, round trips."""

import io
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from django.core.exceptions import ValidationError
from django.utils import timezone

from partnerhub.enablement.models import CertificationType
from partnerhub.partners import services as partner_services
from partnerhub.partners.evaluation import evaluate_enrolment
from partnerhub.partners.models import ObligationRecord
from partnerhub.programmes import services, yaml_io
from partnerhub.programmes.models import Benefit, ProductFamily, Programme, ProgrammeVersion, RewardRate, Tier

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


@pytest.mark.parametrize(
    ("sales", "certified", "extra_duties", "tier"),
    [
        (["499999.99"], 1, (), "authorized"),
        (["500000"], 0, (), "authorized"),  # the amount without a certified specialist
        (["500000"], 1, (), "certified"),
        (["250000", "250000"], 1, (), "certified"),  # the year's sales add up
        (["999999.99"], 1, ("joint_promotion", "renewals_work"), "certified"),  # 0.01 short of Privileged
        (["1000000"], 0, ("joint_promotion", "renewals_work"), "authorized"),
        (["1000000"], 1, ("joint_promotion",), "certified"),  # Privileged must work on renewals
        (["1000000"], 1, ("joint_promotion", "renewals_work"), "privileged"),
        (["1000000"], 3, ("joint_promotion", "renewals_work"), "privileged"),
    ],
)  # fmt: skip
def test_002_table_through_the_engine(world, enrolled, sales, certified, extra_duties, tier):
    for n, amount in enumerate(sales):
        sell(world.partner_a, amount, date(2026, 2, 1 + n))
    for n in range(certified):
        certify(world.partner_a, type_code="security-engineer", name=f"Engineer {n}")
    for duty in extra_duties:
        ObligationRecord.objects.create(organisation=world.partner_a, obligation=duty, valid_from=date(2026, 1, 1),
                                        status="accepted")  # fmt: skip
    assert evaluate_enrolment(enrolled, ON).qualified == tier


def test_002_sales_of_last_year_and_in_another_currency(world, enrolled):
    certify(world.partner_a, type_code="security-engineer")
    sell(world.partner_a, "600000", date(2026, 3, 1), currency="USD")  # not RUB: does not count
    assert evaluate_enrolment(enrolled, ON).qualified == "authorized"
    sell(world.partner_a, "600000", date(2025, 3, 1))  # last calendar year holds through this one
    assert evaluate_enrolment(enrolled, ON).qualified == "certified"
    sell(world.partner_a, "600000", date(2024, 3, 1))
    assert evaluate_enrolment(enrolled, date(2026, 1, 5)).qualified == "certified"  # 2025 still counts
    assert evaluate_enrolment(enrolled, date(2027, 1, 5)).qualified == "authorized"  # 2026 had no RUB sales


def test_002_with_the_real_services_and_the_daily_evaluation(world):
    """Sales recorded by finance and certificates by the partner manager, then the programme's evaluation."""
    from partnerhub.enablement import services as enablement
    from partnerhub.partners.models import Enrolment
    from partnerhub.partners.tiers import evaluate_programme
    from partnerhub.rewards import services as rewards

    v = load("security_002.yaml")
    for org in (world.partner_a, world.partner_b):
        partner_services.enrol(actor=world.vendor_admin, organisation=org, programme=v.programme, role_code="reseller",
                               joined_on=date(2026, 1, 10), active=True)  # fmt: skip
        for duty in ("reviews", "monthly_reports", "vendor_info_on_site"):
            ObligationRecord.objects.create(organisation=org, obligation=duty, valid_from=date(2026, 1, 1),
                                            status="accepted")  # fmt: skip
    today = timezone.localdate()
    for org, amount in ((world.partner_a, "500000"), (world.partner_b, "499999.99")):
        rewards.record_sale(actor=world.finance, organisation=org, customer_name="Клиент", product_family="software",
                            amount=Decimal(amount), currency="RUB", sold_on=date(today.year, 1, 1),
                            reference=f"s-{org.pk}")  # fmt: skip
        manager = world.bdm_a if org == world.partner_a else world.bdm_b
        s = enablement.specialist_create(actor=manager, organisation=org, full_name="Инженер")
        enablement.certification_add(actor=manager, specialist=s, type_code="security-engineer",
                                     issued_on=date(today.year, 1, 1))  # fmt: skip
    evaluate_programme(programme=v.programme, on=today)
    tiers = dict(Enrolment.objects.values_list("organisation_id", "tier_code"))
    assert tiers == {world.partner_a.pk: "certified", world.partner_b.pk: "authorized"}


def test_001_vendor_levels_through_the_engine(world):
    v = load("distributor_001.yaml")
    e = partner_services.enrol(actor=None, organisation=world.partner_a, programme=v.programme, role_code="vendor",
                               joined_on=date(2026, 1, 1), active=True)  # fmt: skip

    def sales(count, each):
        from partnerhub.rewards.models import Sale

        Sale.objects.filter(organisation=world.partner_a).delete()
        for n in range(count):
            sell(world.partner_a, each, date(2026, 2, 1) + timedelta(days=n), currency="USD",
                 family_code="marketplace-services")  # fmt: skip
        return evaluate_enrolment(e, ON).qualified

    assert sales(0, "1") == "emerging"
    assert sales(20, "2500") == "emerging"  # 50,000 USD but not more than 20 purchases
    assert sales(21, "2380.96") == "advanced"  # 50,000.16 USD in 21 purchases
    assert sales(21, "2380.95") == "emerging"  # 49,999.95 USD
    assert sales(1, "1000000") == "key"  # from 1 M USD, however many purchases
    assert sales(2, "5000000") == "key"  # 10 M USD is not over 10 M
    assert sales(2, "5000000.01") == "strategic"


def test_003_agents_have_no_tier(world):
    v = load("cloud_003.yaml")
    agent = partner_services.enrol(actor=None, organisation=world.partner_a, programme=v.programme, role_code="agent",
                                   joined_on=date(2026, 1, 1), active=True)  # fmt: skip
    white = partner_services.enrol(actor=None, organisation=world.partner_b, programme=v.programme,
                                   role_code="white-label", joined_on=date(2026, 1, 1), active=True)  # fmt: skip
    assert evaluate_enrolment(agent, ON) is None
    assert evaluate_enrolment(white, ON).qualified == "silver"


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
        # wrong types
        (_set(["tiers", 1, "requirements", 1, "threshold"], "lots"), "tiers[1].requirements[1].threshold",
         "must be a number"),
        (_set(["roles", 0, "has_tiers"], "yes"), "roles[0].has_tiers", "true or false"),
        (_set(["version", "downgrade_grace_days"], 1.5), "version.downgrade_grace_days", "whole number"),
        (_set(["deal_registration", "protection_days"], -1), "deal_registration.protection_days", "whole number"),
        (_set(["tiers", 0, "benefits"], {"code": "x"}), "tiers[0].benefits", "must be a list"),
        (_set(["programme"], None), "programme", "is required"),
        (_set(["programme", "name"], ["a"]), "programme.name", "must be text"),
        (_set(["tiers", 0, "code"], "Авторизованный"), "tiers[0].code", "Latin letters"),
        (_set(["programme", "name"], "x" * 201), "programme.name", "at most 200 characters"),
        (_set(["tiers", 1, "requirements", 1, "threshold"], 500000.001), "tiers[1].requirements[1].threshold",
         "two decimal places"),
        (_set(["tiers", 1, "requirements", 2, "threshold"], 1.5), "tiers[1].requirements[2].threshold",
         "counts whole numbers"),
        (_set(["deal_registration", "uplift_percent"], 100.5), "deal_registration.uplift_percent", "exceed 100"),
        (_set(["referrals"], {"attribution": "random"}), "referrals.attribution", "one of"),
        # unknown names
        (_set(["tiers", 0, "requirements", 0, "obligation"], "karaoke"), "tiers[0].requirements[0].obligation",
         "one of"),
        (_set(["roles", 0, "kind"], "pirate"), "roles[0].kind", "one of"),
        (_set(["tiers", 0, "reward_rates", 0, "sale_type"], "upsell"), "tiers[0].reward_rates[0].sale_type",
         "one of"),
        (_set(["tiers", 1, "requirements", 1, "product_family"], "spaceships"),
         "tiers[1].requirements[1].product_family", "unknown product family"),
        (_set(["tiers", 1, "requirements", 1, "currency"], "BTC"), "tiers[1].requirements[1].currency",
         "unknown currency"),
        (_set(["schema_version"], 2), "schema_version", "schema version 1"),
        # contradictions and duplicates
        (_set(["tiers", 0, "reward_rates", 0, "percent"], -1), "tiers[0].reward_rates[0].percent", "negative"),
        (_set(["tiers", 1, "reward_rates", 1, "product_family"], "software"), "tiers[1].reward_rates[1]",
         "a second rate for software / new"),
        (_set(["tiers", 1, "requirements", 2, "code"], "sales"), "tiers[1].requirements[2].code", "duplicate"),
        (_set(["product_families", 1, "code"], "software"), "product_families[1].code", "duplicate"),
        (_set(["roles"], [{"code": "reseller", "name": "R", "kind": "resale"},
                          {"code": "reseller", "name": "Again", "kind": "agency"}]), "roles[1].code", "duplicate"),
        (_set(["tiers", 2, "requirements", 3, "threshold"], 0), "tiers[2].requirements[3].threshold",
         "lower than 1.00"),
        (_set(["tiers", 0, "requirements", 0, "metric"], "sales_volume"), "tiers[0].requirements[0]",
         "either a metric"),
        # a benefit's parameters follow its kind
        (_set(["tiers", 2, "benefits", 0, "percent"], 5), "tiers[2].benefits[0].percent", "has no percent"),
        (_set(["tiers", 2, "benefits", 1, "days"], None), "tiers[2].benefits[1].days", "needs days"),
        (_set(["tiers", 0, "benefits", 0, "percent"], None), "tiers[0].benefits[0].percent", "needs percent"),
        (_set(["tiers", 0, "benefits", 1, "on_request"], False), "tiers[0].benefits[1].count", "need a count"),
        (_set(["tiers", 1, "requirements", 1, "certification"], "x"), "tiers[1].requirements[1].certification",
         "only certified_staff"),
        (_set(["tiers", 1, "requirements", 2, "certification"], None), "tiers[1].requirements[2].certification",
         "needs the certification type"),
        (_set(["tiers", 1, "requirements", 2, "period"], "calendar_year"), "tiers[1].requirements[2].period",
         "counted on the day"),
    ],
)  # fmt: skip
def test_a_bad_file_names_file_key_path_and_reason_and_loads_nothing(change, key, words):
    errors = errors_of(edited("security_002.yaml", change))
    assert key in errors, errors
    assert any(m.startswith("bad.yaml: " + key) and words in m for m in errors[key]), errors[key]
    assert not Programme.objects.exists() and not Tier.objects.exists()
    assert not ProductFamily.objects.exists() and not CertificationType.objects.exists()


def test_the_version_period_and_currency_stand_in_for_a_requirement_naming_none():
    def change(doc):
        del doc["tiers"][1]["requirements"][1]["period"]  # Certified: calendar year, as the version's
        del doc["tiers"][1]["requirements"][1]["currency"]  # and RUB, as the version's
        doc["tiers"][2]["requirements"][2]["threshold"] = 400000  # Privileged asks less for the same measure

    errors = errors_of(edited("security_002.yaml", change))
    assert list(errors) == ["tiers[2].requirements[2].threshold"]
    assert "lower than 500000.00 asked by the lower tier 'certified'" in errors["tiers[2].requirements[2].threshold"][0]


def test_paths_keep_their_positions_around_a_broken_entry():
    def change(doc):
        doc["tiers"][0]["requirements"].insert(0, "signed")
        doc["tiers"].insert(0, 42)

    errors = errors_of(edited("security_002.yaml", change))
    assert set(errors) == {"tiers[0]", "tiers[1].requirements[0]"}


def test_every_error_is_reported_at_once():
    def change(doc):
        doc["tiers"][0]["reward_rates"][0]["percent"] = -1
        doc["roles"][0]["kind"] = "pirate"
        del doc["programme"]["name"]

    assert set(errors_of(edited("security_002.yaml", change))) == {
        "tiers[0].reward_rates[0].percent", "roles[0].kind", "programme.name",
    }  # fmt: skip


def test_an_alias_bomb_is_refused_before_it_is_walked():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{n}: &a{n} [*a{n - 1}, *a{n - 1}, *a{n - 1}, *a{n - 1}, *a{n - 1}, *a{n - 1}]" for n in range(1, 12)]
    errors = errors_of("\n".join(lines) + "\n")
    assert "too large" in errors["yaml"][0]


def test_broken_yaml_says_where():
    errors = errors_of("programme: [unclosed\n")
    assert "line" in errors["yaml"][0]


# ---------------------------------------------------------------------------- round trip


@pytest.mark.parametrize("name", services.DEMO_FILES)
def test_export_then_import_gives_the_same_programme(name):
    v = load(name)
    normalised, errors = yaml_io.parse(text(name), source=name)
    assert not errors
    assert v.document == normalised and v.schema_version == 1  # the normalised file is stored on the version
    exported = yaml_io.export(v)
    doc, errors = yaml_io.parse(exported, source="exported")
    assert not errors
    assert doc == normalised == yaml_io.document(v)  # export(import(x)) == normalised x
    again = services.import_programme(actor=None, text=exported, source="exported", publish=False)  # a draft v2
    assert again.number == 2 and yaml_io.document(again) == normalised


MINIMAL = """
schema_version: 1
programme: {code: tiny, name: Tiny}
version: {effective_from: 2026-02-01}
roles: [{code: agent, name: Agent, kind: agency, has_tiers: false}]
"""


def test_a_minimal_file_gets_the_model_defaults_and_round_trips():
    v = services.import_programme(actor=None, text=MINIMAL, source="tiny.yaml")
    fresh = ProgrammeVersion()
    for block, spec in yaml_io.BLOCKS:
        for key, k in spec.items():
            if not k.field:  # rewards.overrides: rows of their own, none by default
                assert v.document[block][key] == [] and not v.network_overrides.exists()
                continue
            assert getattr(v, k.field) == getattr(fresh, k.field), key
            assert v.document[block][key] == yaml_io._field(fresh, k)
    assert (v.name, v.currency, v.evaluation_period, v.downgrade_grace_days) == ("Tiny", "RUB", "rolling_12_months", 30)
    assert yaml_io.parse(yaml_io.export(v), source="x")[0] == yaml_io.parse(MINIMAL, source="y")[0]


def test_tiers_need_a_role_that_has_tiers_and_the_other_way_round():
    assert "tiers" in errors_of(MINIMAL.replace("has_tiers: false", "has_tiers: true"))
    with_tiers = MINIMAL + "tiers: [{code: a, name: A}]\n"
    assert "no role of this programme has tiers" in errors_of(with_tiers)["tiers"][0]


def test_demo_partners_stand_in_different_tiers_and_loading_twice_changes_nothing(db):
    from django.core.management import call_command

    from partnerhub.deals.models import Claim
    from partnerhub.partners.models import Enrolment
    from partnerhub.rewards.models import Sale

    call_command("load_demo", stdout=io.StringIO())
    tiers = dict(Enrolment.objects.values_list("organisation__name", "tier_code"))
    assert tiers == {"Альфа Интеграция": "privileged", "Бета Софт": "certified", "Гамма Сервис": "authorized",
                     "Дельта Дистрибуция": "advanced",
                     # software vendors admitted to the marketplace (its demo) start in the 001 programme's first tier
                     "Эпсилон Облако": "emerging", "Зета Аналитика": "emerging"}  # fmt: skip
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
    by_version = io.StringIO()
    call_command("export_programme", "cloud-partners", "--version", "1", stdout=by_version)
    assert by_version.getvalue() == exported.getvalue()
    target = tmp_path / "out.yaml"
    call_command("export_programme", "cloud-partners", version=1, output=str(target), stderr=io.StringIO())
    assert target.read_text(encoding="utf-8") == exported.getvalue()
    with pytest.raises(CommandError, match="has no version 7"):
        call_command("export_programme", "cloud-partners", "--version", "7")
    with pytest.raises(CommandError, match="no programme"):
        call_command("export_programme", "nothing")
    # Several files: every error of every file is reported, and nothing is loaded.
    bad = tmp_path / "bad.yaml"
    bad.write_text(edited("security_002.yaml", _set(["version", "currency"], "XYZ")), encoding="utf-8")
    worse = tmp_path / "worse.yaml"
    worse.write_text(edited("distributor_001.yaml", _set(["tiers", 0, "code"], "Ёж")), encoding="utf-8")
    with pytest.raises(CommandError) as exc:
        call_command("import_programme", str(DEFS / "security_002.yaml"), str(bad), str(worse), stdout=io.StringIO())
    assert "bad.yaml: version.currency: unknown currency" in str(exc.value)
    assert "worse.yaml: tiers[0].code: must be a code" in str(exc.value)
    assert list(Programme.objects.values_list("code", flat=True)) == ["cloud-partners"]
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_programme", str(tmp_path / "missing.yaml"))


def test_load_demo_programmes_command_is_idempotent():
    from django.core.management import call_command

    out = io.StringIO()
    call_command("load_demo_programmes", stdout=out)
    assert "security-partners version 1 loaded" in out.getvalue()
    state = list(ProgrammeVersion.objects.values_list("programme__code", "number", "status").order_by("pk"))
    assert len(state) == 3
    out = io.StringIO()
    call_command("load_demo_programmes", stdout=out)
    assert "already loaded" in out.getvalue()
    assert list(ProgrammeVersion.objects.values_list("programme__code", "number", "status").order_by("pk")) == state


# ---------------------------------------------------------------------------- deal rules: calendar and months


def test_deal_rules_name_a_working_day_calendar_and_inactivity_in_calendar_months(db):
    text = MINIMAL + "deal_registration: {calendar: kz, inactivity_months: 4}\n"
    v = services.import_programme(actor=None, source="kz.yaml", text=text)
    assert (v.deal_calendar, v.deal_inactivity_months) == ("KZ", 4)
    assert v.document["deal_registration"]["calendar"] == "KZ"
    assert "inactivity_months: 4" in yaml_io.export(v) and "inactivity_days" not in yaml_io.export(v)
    assert "deal_registration.calendar" in errors_of(MINIMAL + "deal_registration: {calendar: Narnia}\n")


def test_an_older_files_inactivity_days_is_read_as_whole_months(db):
    doc, errors = yaml_io.parse(MINIMAL + "deal_registration: {inactivity_days: 60}\n", source="old.yaml")
    assert errors == [] and doc["deal_registration"]["inactivity_months"] == 2
    assert "inactivity_days" not in doc["deal_registration"]
    both = MINIMAL + "deal_registration: {inactivity_days: 90, inactivity_months: 3}\n"
    assert "replaced by inactivity_months" in errors_of(both)["deal_registration.inactivity_days"][0]
    assert "deal_registration.inactivity_days" in errors_of(MINIMAL + "deal_registration: {inactivity_days: -1}\n")


# ---------------------------------------------------------------------------- texts in two languages


def test_the_shipped_programmes_carry_english_texts_that_survive_export_and_import():
    v = load("security_002.yaml")
    assert v.programme.name_en == "Security software vendor's partner programme"
    assert v.name_en == "Partner programme 2026"
    assert v.roles.get(code="reseller").name_en == "Reseller"
    deferral = Benefit.objects.get(tier__version=v, code="deferral")
    assert (deferral.label, deferral.label_en) == ("Отсрочка платежа 30 дней", "Payment deferred by 30 days")
    assert ProductFamily.objects.get(code="software").name_en == "Software"
    exported = yaml_io.export(v)
    privileged = yaml.safe_load(exported)["tiers"][2]
    deferral_out = next(b for b in privileged["benefits"] if b["code"] == "deferral")
    assert deferral_out["label"] == {"ru": "Отсрочка платежа 30 дней", "en": "Payment deferred by 30 days"}
    assert "label_en" not in deferral_out and privileged["name"] == "Privileged"  # one text: a plain string
    again = services.import_programme(actor=None, text=exported, source="exported", publish=False)
    assert yaml_io.document(again) == yaml_io.document(v)
    deferral = Benefit.objects.get(tier__version=again, code="deferral")
    assert (deferral.label, deferral.label_en) == ("Отсрочка платежа 30 дней", "Payment deferred by 30 days")
    assert again.roles.get(code="reseller").name_en == "Reseller" and again.name_en == v.name_en


BILINGUAL = """
schema_version: 1
programme: {code: duo, name: {ru: Программа, en: Programme}}
version: {effective_from: 2026-02-01}
product_families: [{code: duo-soft, name: Софт, name_en: Software}]
roles: [{code: reseller, name: {ru: Реселлер, en: Reseller}, kind: resale}]
tiers:
  - code: silver
    name: {ru: Серебряный, en: Silver}
    requirements:
      - {code: sales, metric: sales_volume, threshold: 10, label: {ru: Продажи, en: Sales}}
      - {code: contract, obligation: signed_contract, label: Договор}
    benefits: [{code: leads, kind: vendor_leads, label: {en: Leads from the vendor}}]
  - {code: gold, name: Золотой}
"""


def test_a_plain_string_is_the_russian_text_a_mapping_gives_both_and_english_falls_back_to_russian():
    from django.utils import translation

    v = services.import_programme(actor=None, text=BILINGUAL, source="duo.yaml")
    silver, gold = v.tiers.order_by("rank")
    assert (silver.name, silver.name_en, gold.name, gold.name_en) == ("Серебряный", "Silver", "Золотой", "")
    assert (v.name, v.name_en) == ("Программа", "Programme")  # the version's name defaults to the programme's
    contract = silver.requirements.get(code="contract")
    leads = silver.benefits.get()
    with translation.override("en"):
        assert [str(silver), str(gold), str(v.programme)] == ["Silver", "Золотой", "Programme"]  # no English: Russian
        assert (str(contract), str(leads), str(ProductFamily.objects.get(code="duo-soft"))) == (
            "Договор", "Leads from the vendor", "Software",
        )  # fmt: skip
    with translation.override("ru"):
        assert [str(silver), str(gold), str(v.roles.get())] == ["Серебряный", "Золотой", "Реселлер"]
        assert str(leads) == "Leads from the vendor"  # a label given only in English is the only text there is
    doc, errors = yaml_io.parse(yaml_io.export(v), source="exported")
    assert not errors and doc == yaml_io.document(v) == yaml_io.parse(BILINGUAL, source="duo")[0]


@pytest.mark.parametrize(
    "change, key, words",
    [
        (lambda d: d["tiers"][0].update(name={"en": "Silver"}), "tiers[0].name.ru", "is required"),
        (lambda d: d["tiers"][0].update(name={"ru": "С", "de": "Silber"}), "tiers[0].name.de", "unknown language"),
        (lambda d: d["tiers"][0].update(name_en="Silver"), "tiers[0].name_en", "given twice"),
        (lambda d: d["roles"][0].update(name={"ru": "Р", "en": "x" * 201}), "roles[0].name.en", "at most 200"),
        (lambda d: d["tiers"][0].update(name={"ru": "С", "en": ["Silver"]}), "tiers[0].name.en", "must be text"),
    ],
)
def test_a_bad_bilingual_text_is_a_field_error(change, key, words):
    doc = yaml.safe_load(BILINGUAL)
    change(doc)
    errors = errors_of(yaml.safe_dump(doc, allow_unicode=True))
    assert key in errors and words in " ".join(errors[key]), errors
