"""Two tiers and recruiters (the 004 multi-level network): a reseller's sale rates its own reward and its
distributor's override; a recruit's sales give its recruiter an override for the programme's months. Each
line keeps its rule, rate, tier, version and whose sale it was; the beneficiary sees the line with the
source partner named and nothing more of that partner's sale; corrections reverse every line once."""

import calendar
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partnerhub.core.models import AuditEntry
from partnerhub.partners import network as links
from partnerhub.partners.models import Enrolment
from partnerhub.partners.services import enrol
from partnerhub.programmes import services as programmes
from partnerhub.programmes import yaml_io
from partnerhub.programmes.models import NetworkOverride, ProductFamily
from partnerhub.rewards import services
from partnerhub.rewards.models import JournalEntry, LedgerLine, Rating, Sale
from partnerhub.rewards.services.ledger import balances

pytestmark = pytest.mark.django_db

DEFINITIONS = Path(programmes.__file__).parent / "definitions"
NETWORK_BLOCK = """
rewards:
  hold_days: 14
  distributor_override_percent: 5
  recruiter_override_percent: 2.5
  recruiter_override_months: 1
"""


def programme_text(block: str = NETWORK_BLOCK) -> str:
    return (DEFINITIONS / "security_002.yaml").read_text(encoding="utf-8").rstrip("\n") + "\n" + block


@pytest.fixture
def net(world):
    """A (reseller, Certified) and B (the distributor, Authorized) in 002 with the network block."""
    version = programmes.import_programme(actor=None, text=programme_text(), source="net.yaml")
    for org, tier in ((world.partner_a, "certified"), (world.partner_b, "authorized")):
        enrol(actor=None, organisation=org, programme=version.programme, role_code="reseller",
              starting_tier_code=tier, joined_on=date(2026, 1, 1), active=True)  # fmt: skip
    return version


def enrolment_of(org) -> Enrolment:
    return Enrolment.objects.get(organisation=org)


def sell(world, org, amount, *, on="2026-03-10", family="software", **kw) -> Sale:
    return services.record_sale(actor=world.finance, organisation=org, customer_name="ООО Тайный клиент",
                                product_family=family, sale_type="new", amount=str(amount), currency="RUB",
                                sold_on=date.fromisoformat(on), **kw)  # fmt: skip


def lines(sale) -> dict[str, Rating]:
    return {r.line: r for r in Rating.objects.filter(sale=sale, is_current=True)}


def accrued(org) -> Decimal:
    return balances([org.pk]).get((org.pk, "RUB"), {}).get("accrued", Decimal(0))


def test_the_rewards_block_is_optional_validated_and_round_trips(net):
    assert (net.reward_hold_days, net.distributor_override_percent, net.recruiter_override_percent,
            net.recruiter_override_months) == (14, Decimal(5), Decimal("2.5"), 1)  # fmt: skip
    again, errors = yaml_io.parse(yaml_io.export(net), source="x")
    assert not errors and again["rewards"]["distributor_override_percent"] == "5.00"
    _doc, errors = yaml_io.parse(programme_text("rewards: {hold_days: 400, recruiter_override_percent: 101}\n"),
                                 source="bad.yaml")  # fmt: skip
    paths = {e.path for e in errors}
    assert {"rewards.hold_days", "rewards.recruiter_override_percent"} <= paths
    plain = yaml_io.parse(programme_text(""), source="plain.yaml")[0]
    assert plain["rewards"] == {"hold_days": None, "distributor_override_percent": "0.00",
                                "recruiter_override_percent": "0.00", "recruiter_override_months": 12,
                                "overrides": []}  # fmt: skip


def test_a_resellers_sale_rates_its_reward_and_its_distributors_override(world, net):
    links.set_network(
        actor=world.vendor_admin,
        enrolment=enrolment_of(world.partner_a),
        distributor=world.partner_b,
        distributor_since=date(2026, 3, 1),
        recruited_by=None,
        recruited_on=None,
        reason="contract",
    )
    before = sell(world, world.partner_a, "1000.00", on="2026-02-27")
    sale = sell(world, world.partner_a, "1000.00")
    assert set(lines(before)) == {"own"}  # before the attachment: nothing for the distributor
    own, dist = lines(sale)["own"], lines(sale)["distributor"]
    assert (own.organisation_id, own.reward) == (world.partner_a.pk, Decimal("300.00"))
    assert (dist.organisation_id, dist.source_organisation_id, dist.reward) == (
        world.partner_b.pk, world.partner_a.pk, Decimal("50.00"))  # fmt: skip
    assert (dist.rule, dist.rate_percent, dist.tier_code, dist.version_id, dist.basis) == (
        "network:distributor", Decimal(5), "certified", net.pk, "override")  # fmt: skip
    assert accrued(world.partner_b) == Decimal("50.00")
    assert services.rate_pending().network == 0  # idempotent
    assert Rating.objects.filter(line="distributor").count() == 1
    audit = AuditEntry.objects.get(action="enrolment.network_changed")
    assert audit.after["distributor"] == world.partner_b.name and audit.reason == "contract"


def test_a_recruiter_earns_for_the_programmes_months_from_the_recruitment(world, net):
    links.set_network(
        actor=world.vendor_admin,
        enrolment=enrolment_of(world.partner_a),
        distributor=None,
        distributor_since=None,
        recruited_by=world.partner_b,
        recruited_on=date(2026, 1, 31),
    )
    # One month from 31 January ends on 28 February (the month has no 31st): sales before it count.
    inside, last, outside = (sell(world, world.partner_a, "1000.00", on=d)
                             for d in ("2026-01-31", "2026-02-27", "2026-02-28"))  # fmt: skip
    assert lines(inside)["recruiter"].reward == Decimal("25.00")  # 2.5 % of the sale's 1000, not of A's reward
    assert lines(last)["recruiter"].rule == "network:recruiter:1m"
    assert "recruiter" not in lines(outside)


def test_a_correction_reverses_both_lines_once_and_rates_both_afresh(world, net):
    links.set_network(
        actor=world.vendor_admin,
        enrolment=enrolment_of(world.partner_a),
        distributor=world.partner_b,
        distributor_since=date(2026, 1, 1),
        recruited_by=None,
        recruited_on=None,
    )
    sale = sell(world, world.partner_a, "1000.00")
    new = services.correct_sale(actor=world.finance, sale=sale, amount="2000.00", reason="typo")
    assert Rating.objects.filter(sale=sale, is_current=True).count() == 0
    assert JournalEntry.objects.filter(kind="reversal").count() == 2
    assert lines(new)["distributor"].reward == Decimal("100.00")
    assert (accrued(world.partner_a), accrued(world.partner_b)) == (Decimal("600.00"), Decimal("100.00"))
    services.end_sale(actor=world.finance, sale=new, status="refunded", reason="returned")
    assert (accrued(world.partner_a), accrued(world.partner_b)) == (Decimal(0), Decimal(0))
    for entry_id, total in LedgerLine.objects.values_list("entry_id").annotate(t=Sum("amount")):
        assert total == 0, entry_id


def test_the_distributor_sees_the_line_with_the_source_named_and_nothing_more(world, net, api, ui):
    links.set_network(
        actor=world.vendor_admin,
        enrolment=enrolment_of(world.partner_a),
        distributor=world.partner_b,
        distributor_since=date(2026, 1, 1),
        recruited_by=None,
        recruited_on=None,
    )
    sale = sell(world, world.partner_a, "1000.00", invoice_number="INV-SECRET", invoice_line=1)
    b = api(world.b_admin)
    period = JournalEntry.objects.get(organisation=world.partner_b).posted_on.strftime("%Y-%m")
    items = b.get(f"/organisations/{world.partner_b.pk}/statements/{period}/lines").json()["items"]
    assert len(items) == 1
    line = items[0]
    assert (line["earned_as"], line["source_partner"], line["reward"]) == ("distributor", world.partner_a.name, "50.00")
    assert line["customer_name"] == "" and line["invoice_number"] == "" and line["invoice_line"] is None
    assert b.get(f"/sales/{sale.pk}").status_code == 404  # the sale itself stays the reseller's
    page = ui(world.b_admin).get(f"/earnings/{world.partner_b.pk}/statements/{period}/").content.decode()
    assert world.partner_a.name in page and "Тайный" not in page and "INV-SECRET" not in page
    csv = ui(world.b_admin).get(f"/earnings/{world.partner_b.pk}/statements/{period}.csv").content.decode()
    assert world.partner_a.name in csv and "Тайный" not in csv and "INV-SECRET" not in csv
    a_items = api(world.a_admin).get(f"/organisations/{world.partner_a.pk}/statements/{period}/lines").json()
    assert [i["earned_as"] for i in a_items["items"]] == ["own"]  # A does not see B's override


def test_the_network_is_set_by_the_partners_manager_through_the_api_and_the_page(world, net, api, ui):
    e = enrolment_of(world.partner_a)
    body = {"distributor_id": world.partner_b.pk, "distributor_since": "2026-03-01"}
    assert api(world.bdm_b).post(f"/enrolments/{e.pk}/network", body).status_code in (403, 404)
    assert api(world.a_admin).post(f"/enrolments/{e.pk}/network", body).status_code in (403, 404)
    bad = api(world.bdm_a).post(f"/enrolments/{e.pk}/network", {"distributor_id": world.partner_a.pk,
                                                                "distributor_since": "2026-03-01"})  # fmt: skip
    assert bad.status_code == 422
    no_date = api(world.bdm_a).post(f"/enrolments/{e.pk}/network", {"distributor_id": world.partner_b.pk})
    assert no_date.status_code == 422
    r = api(world.bdm_a).post(f"/enrolments/{e.pk}/network", body)
    assert r.status_code == 200 and r.json()["distributor_id"] == world.partner_b.pk
    back = api(world.bdm_b).post(
        f"/enrolments/{enrolment_of(world.partner_b).pk}/network",
        {"distributor_id": world.partner_a.pk, "distributor_since": "2026-03-01"},
    )
    assert back.status_code == 422  # no distributor loops
    client = ui(world.bdm_a)
    page = client.get(f"/enrolments/{e.pk}/").content.decode()
    assert world.partner_b.name in page and 'name="recruited_by"' in page
    posted = client.post(f"/enrolments/{e.pk}/network/", {"distributor": "", "recruited_by_id": world.partner_b.pk,
                                                          "recruited_on": ""})  # fmt: skip
    assert posted.status_code == 422 and "recruitment" in posted.content.decode()
    posted = client.post(f"/enrolments/{e.pk}/network/", {"distributor": "", "recruited_by_id": world.partner_b.pk,
                                                          "recruited_on": "2026-02-01"})  # fmt: skip
    assert posted.status_code == 302
    e.refresh_from_db()
    assert (e.distributor_id, e.recruited_by_id, e.recruited_on) == (None, world.partner_b.pk, date(2026, 2, 1))


# ---------------------------------------------------------------- the property test


def ref_add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def ref_override(base: Decimal, percent: Decimal) -> Decimal:
    return (base * percent / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


days = st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31))
specs = st.fixed_dictionaries({
    "since": days, "recruited_on": days, "months": st.integers(min_value=1, max_value=13),
    "dist_pct": st.sampled_from([Decimal(0), Decimal("0.5"), Decimal(5), Decimal("7.25")]),
    "rec_pct": st.sampled_from([Decimal(0), Decimal("1.5"), Decimal(3)]),
    "sales": st.lists(st.tuples(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999999.99"), places=2),
                                days, st.sampled_from(["software", "hardware"])), min_size=1, max_size=6),
    # override rules by family and/or the seller's tier (A is Certified): (kind, family, tier) -> percent
    "rules": st.dictionaries(
        st.tuples(st.sampled_from(["distributor", "recruiter"]), st.sampled_from([None, "software", "hardware"]),
                  st.sampled_from([None, "certified", "authorized"])).filter(lambda k: k[1] or k[2]),
        st.sampled_from([Decimal(0), Decimal("0.75"), Decimal(4), Decimal("12.5")]), max_size=5),
})  # fmt: skip


def ref_rule(spec: dict, kind: str, family: str, tier: str) -> tuple[Decimal, str]:
    """The most specific rule matching (family 2 + tier 1), else the flat rate; the rule's scope as the line says."""
    flat = spec["dist_pct"] if kind == "distributor" else spec["rec_pct"]
    best = None
    for (k, f, t), pct in spec["rules"].items():
        if k == kind and f in (None, family) and t in (None, tier):
            weight = (2 if f else 0) + (1 if t else 0)
            if best is None or weight > best[0]:
                best = (weight, pct, ",".join(x for x in (f and f"family={f}", t and f"tier={t}") if x))
    return (best[1], f"[{best[2]}]") if best else (flat, "")


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spec=specs)
def test_network_lines_match_a_reference_calculation(world, net, spec):
    families = {f.code: f for f in ProductFamily.objects.all()}
    with transaction.atomic():
        type(net).objects.filter(pk=net.pk).update(distributor_override_percent=spec["dist_pct"],
                                                   recruiter_override_percent=spec["rec_pct"],
                                                   recruiter_override_months=spec["months"])  # fmt: skip
        Enrolment.objects.filter(organisation=world.partner_a).update(
            distributor=world.partner_b, distributor_since=spec["since"], recruited_by=world.customer,
            recruited_on=spec["recruited_on"])  # fmt: skip
        NetworkOverride.objects.bulk_create([
            NetworkOverride(version=net, kind=k, product_family=families.get(f or ""), tier_code=t or "", percent=p)
            for (k, f, t), p in spec["rules"].items()])  # fmt: skip
        sales = [Sale.objects.create(organisation=world.partner_a, customer_name="К", product_family=families[fam],
                                     amount=amount, currency="RUB", sold_on=on)
                 for amount, on, fam in spec["sales"]]  # fmt: skip
        services.rate_pending()
        services.rate_pending()
        expected = {world.partner_b.pk: Decimal(0), world.customer.pk: Decimal(0)}
        for sale in sales:
            got = lines(sale)
            own = got["own"]
            want, rules = {}, {}
            family = sale.product_family.code
            dist_pct, dist_scope = ref_rule(spec, "distributor", family, "certified")
            if dist_pct > 0 and sale.sold_on >= spec["since"]:
                want["distributor"] = ref_override(own.base_amount, dist_pct)
                rules["distributor"] = (f"network:distributor{dist_scope}", dist_pct)
            end = ref_add_months(spec["recruited_on"], spec["months"])
            rec_pct, rec_scope = ref_rule(spec, "recruiter", family, "certified")
            if rec_pct > 0 and spec["recruited_on"] <= sale.sold_on < end:
                want["recruiter"] = ref_override(own.base_amount, rec_pct)
                rules["recruiter"] = (f"network:recruiter:{spec['months']}m{rec_scope}", rec_pct)
            assert {k: v.reward for k, v in got.items() if k != "own"} == want, (sale.sold_on, spec)
            assert {k: (v.rule, v.rate_percent) for k, v in got.items() if k != "own"} == rules, (sale.sold_on, spec)
            expected[world.partner_b.pk] += want.get("distributor", Decimal(0))
            expected[world.customer.pk] += want.get("recruiter", Decimal(0))
        for org_id, total in expected.items():
            got = LedgerLine.objects.filter(organisation_id=org_id, account="accrued").aggregate(t=Sum("amount"))["t"]
            assert -(got or Decimal(0)) == total
        for entry_id, total in LedgerLine.objects.values_list("entry_id").annotate(t=Sum("amount")):
            assert total == 0, entry_id
        transaction.set_rollback(True)


def test_statement_and_sale_pages_query_a_fixed_number_of_times(world, net, ui):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    links.set_network(
        actor=world.vendor_admin,
        enrolment=enrolment_of(world.partner_a),
        distributor=world.partner_b,
        distributor_since=date(2026, 1, 1),
        recruited_by=None,
        recruited_on=None,
    )
    client = ui(world.b_admin)

    def counted(n_sales: int) -> tuple[int, int]:
        sales = [sell(world, world.partner_a, "100.00") for _ in range(n_sales)]
        period = JournalEntry.objects.filter(organisation=world.partner_b).latest("pk").posted_on.strftime("%Y-%m")
        with CaptureQueriesContext(connection) as statement:
            assert client.get(f"/earnings/{world.partner_b.pk}/statements/{period}/").status_code == 200
        with CaptureQueriesContext(connection) as sale_page:
            assert ui(world.finance).get(f"/sales/{sales[-1].pk}/").status_code == 200
        return len(statement.captured_queries), len(sale_page.captured_queries)

    assert counted(2) == counted(10)


def test_draft_settings_validate_and_the_version_page_shows_the_rewards_figures(world, net, ui):
    from django.core.exceptions import ValidationError

    draft = programmes.create_draft_from_published(actor=world.vendor_admin, programme=net.programme)
    with pytest.raises(ValidationError) as exc:
        programmes.update_settings(actor=world.vendor_admin, version=draft, reward_hold_days=400)
    assert "reward_hold_days" in exc.value.message_dict
    done = programmes.update_settings(actor=world.vendor_admin, version=draft, reward_hold_days=None,
                                      recruiter_override_months=6)  # fmt: skip
    assert (done.reward_hold_days, done.recruiter_override_months) == (None, 6)
    page = ui(world.vendor_admin).get(f"/programmes/{net.programme.code}/v{net.number}/").content.decode()
    assert "data-hold-days>14<" in page.replace(" ", "") or "data-hold-days>14" in page
    draft_page = ui(world.vendor_admin).get(f"/programmes/{net.programme.code}/v{draft.number}/").content.decode()
    assert "default" in draft_page  # no hold of its own: the platform's figure, said so
