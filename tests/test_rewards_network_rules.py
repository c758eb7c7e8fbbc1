"""Network overrides by product family and seller's tier (YAML ``rewards.overrides``): validated with errors
naming the key, versioned with the programme (export, drafts), shown on the version page, and rated by the most
specific matching rule — family and tier, then family, then tier, the flat rate the default — each line keeping
the rule and rate that produced it."""

from datetime import date
from decimal import Decimal

import pytest

from partnerhub.partners import network as links
from partnerhub.partners.models import Enrolment
from partnerhub.partners.services import enrol
from partnerhub.programmes import services as programmes
from partnerhub.programmes import yaml_io
from tests.test_rewards_network import lines, programme_text, sell

pytestmark = pytest.mark.django_db

RULES_BLOCK = """
rewards:
  distributor_override_percent: 5
  recruiter_override_percent: 2
  recruiter_override_months: 12
  overrides:
    - {kind: distributor, family: software, tier: certified, percent: 3}
    - {kind: distributor, family: hardware, percent: 7.5}
    - {kind: distributor, tier: certified, percent: 4}
    - {kind: recruiter, family: hardware, percent: 0}
"""


@pytest.fixture
def ruled(world):
    """A (reseller, Certified) attached to B (distributor) and recruited by B, in 002 with override rules."""
    version = programmes.import_programme(actor=None, text=programme_text(RULES_BLOCK), source="rules.yaml")
    for org, tier in ((world.partner_a, "certified"), (world.partner_b, "authorized")):
        enrol(actor=None, organisation=org, programme=version.programme, role_code="reseller",
              starting_tier_code=tier, joined_on=date(2026, 1, 1), active=True)  # fmt: skip
    links.set_network(actor=world.vendor_admin, enrolment=Enrolment.objects.get(organisation=world.partner_a),
                      distributor=world.partner_b, distributor_since=date(2026, 1, 1),
                      recruited_by=world.partner_b, recruited_on=date(2026, 1, 1))  # fmt: skip
    return version


def test_the_most_specific_rule_rates_each_line_and_the_line_keeps_it(world, ruled):
    software, hardware, appliance = (sell(world, world.partner_a, "1000.00", family=f)
                                     for f in ("software", "hardware", "appliance"))  # fmt: skip
    got = {sale.product_family.code: {k: (r.rule, r.rate_percent, r.reward) for k, r in lines(sale).items()
                                      if k != "own"} for sale in (software, hardware, appliance)}  # fmt: skip
    assert got["software"] == {  # family and tier beats tier alone
        "distributor": ("network:distributor[family=software,tier=certified]", Decimal(3), Decimal("30.00")),
        "recruiter": ("network:recruiter:12m", Decimal(2), Decimal("20.00")),
    }
    assert got["hardware"] == {  # the family beats the tier; a 0 % rule gives no line
        "distributor": ("network:distributor[family=hardware]", Decimal("7.5"), Decimal("75.00")),
    }
    assert got["appliance"] == {
        "distributor": ("network:distributor[tier=certified]", Decimal(4), Decimal("40.00")),
        "recruiter": ("network:recruiter:12m", Decimal(2), Decimal("20.00")),
    }


def test_rules_are_versioned_exported_and_shown(world, ruled, ui):
    doc, errors = yaml_io.parse(yaml_io.export(ruled), source="again.yaml")
    assert not errors and doc["rewards"]["overrides"] == [
        {"kind": "distributor", "family": "software", "tier": "certified", "percent": "3.00"},
        {"kind": "distributor", "family": "hardware", "tier": None, "percent": "7.50"},
        {"kind": "distributor", "family": None, "tier": "certified", "percent": "4.00"},
        {"kind": "recruiter", "family": "hardware", "tier": None, "percent": "0.00"},
    ]
    draft = programmes.create_draft_from_published(actor=world.vendor_admin, programme=ruled.programme)
    assert draft.network_overrides.count() == 4 and ruled.network_overrides.count() == 4
    page = ui(world.vendor_admin).get(f"/programmes/{ruled.programme.code}/v{ruled.number}/").content.decode()
    assert page.count('data-override="distributor"') == 3 and page.count('data-override="recruiter"') == 1
    assert "7.50%" in page


def test_bad_rules_are_errors_naming_their_key():
    bad = """
rewards:
  overrides:
    - {kind: distributor, percent: 3}
    - {kind: agent, family: software, percent: 3}
    - {kind: recruiter, family: nonesuch, percent: 3}
    - {kind: recruiter, tier: platinum, percent: 101}
    - {kind: distributor, family: software, percent: 1}
    - {kind: distributor, family: software, percent: 2}
"""
    _doc, errors = yaml_io.parse(programme_text(bad), source="bad.yaml")
    by_path = {e.path: e.message for e in errors}
    assert "give a family, a tier or both" in by_path["rewards.overrides[0]"]
    assert "rewards.overrides[1].kind" in by_path
    assert "unknown product family 'nonesuch'" in by_path["rewards.overrides[2].family"]
    assert "unknown tier 'platinum'" in by_path["rewards.overrides[3].tier"]
    assert "rewards.overrides[3].percent" in by_path
    assert "a second distributor override" in by_path["rewards.overrides[5]"]
    assert "rewards.overrides[4]" not in by_path
