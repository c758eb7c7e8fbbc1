"""The Earnings page and statements, the finance console, and their API: every line traced to its sale,
rule, tier and programme version; a corrected sale reverses in the next period, the closed one unchanged."""

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from partnerhub.partners.services import enrol
from partnerhub.programmes import services as programmes
from partnerhub.programmes.models import ProductFamily
from partnerhub.rewards import services
from partnerhub.rewards.models import JournalEntry, Sale

pytestmark = pytest.mark.django_db

DEFINITIONS = Path(programmes.__file__).parent / "definitions"


@pytest.fixture
def rewarded(world):
    """Partner A, Certified in the 002 programme, with two March sales rated in March."""
    version = programmes.import_programme(actor=None, path=DEFINITIONS / "security_002.yaml")
    enrol(actor=None, organisation=world.partner_a, programme=version.programme, role_code="reseller",
          starting_tier_code="certified", joined_on=date(2026, 1, 1), active=True)  # fmt: skip
    sw, hw = ProductFamily.objects.get(code="software"), ProductFamily.objects.get(code="hardware")
    sales = [
        Sale.objects.create(organisation=world.partner_a, customer_name=name, product_family=fam, amount=amount,
                            currency="RUB", sold_on=date(2026, 3, 10), invoice_number="INV-1", invoice_line=n)
        for n, (name, fam, amount) in enumerate([("=cmd", sw, "1000.00"), ("ООО Б", hw, "500.00")], start=1)
    ]  # fmt: skip
    services.rate_pending(on=date(2026, 3, 20))  # rated in March
    return version, sales


def test_partner_reads_balances_months_and_a_statement_traced_line_by_line(world, api, rewarded):
    version, sales = rewarded
    client = api(world.a_admin)
    body = client.get(f"/organisations/{world.partner_a.pk}/earnings").json()
    assert body["balances"] == [{"currency": "RUB", "accrued": "400.00", "held": "0.00", "payable": "0.00",
                                 "paid": "0.00"}]  # fmt: skip
    assert body["months"] == [{"month": "2026-03", "currency": "RUB", "amount": "400.00"}]
    lines = client.get(f"/organisations/{world.partner_a.pk}/statements/2026-03/lines").json()["items"]
    first = next(line for line in lines if line["sale_id"] == sales[0].pk)
    assert (first["rule"], first["tier"], first["programme_version_id"], first["reward"]) == (
        "tier:certified:software:new", "certified", version.pk, "300.00")  # fmt: skip
    assert first["invoice_number"] == "INV-1" and first["kind"] == "accrual"
    totals = client.get(f"/organisations/{world.partner_a.pk}/statements/2026-03").json()["totals"]
    assert totals == [{"currency": "RUB", "accrued": "400.00", "reversed": "0.00", "adjusted": "0.00",
                       "rebates": "0.00", "incentives": "0.00", "fund_claims": "0.00", "total": "400.00"}]  # fmt: skip


def test_a_correction_reverses_in_the_next_period_and_the_closed_statement_stays(world, api, rewarded):
    _version, sales = rewarded
    client = api(world.a_admin)
    march_before = client.get(f"/organisations/{world.partner_a.pk}/statements/2026-03/lines").json()
    r = api(world.finance).post(f"/sales/{sales[0].pk}/correct", {"amount": "2000.00", "reason": "Счёт исправлен"})
    assert r.status_code == 201, r.content  # today: a later period than March
    assert client.get(f"/organisations/{world.partner_a.pk}/statements/2026-03/lines").json() == march_before
    now = timezone.localdate().strftime("%Y-%m")
    april = client.get(f"/organisations/{world.partner_a.pk}/statements/{now}/lines").json()["items"]
    assert sorted((line["kind"], line["reward"]) for line in april) == [("accrual", "600.00"), ("reversal", "-300.00")]
    totals = client.get(f"/organisations/{world.partner_a.pk}/statements/{now}").json()["totals"][0]
    assert (totals["accrued"], totals["reversed"], totals["total"]) == ("600.00", "300.00", "300.00")
    balances = client.get(f"/organisations/{world.partner_a.pk}/earnings").json()["balances"][0]
    assert balances["accrued"] == "700.00"


def test_statement_csv_has_every_line_and_no_formulas(world, ui, rewarded):
    r = ui(world.a_admin).get(f"/earnings/{world.partner_a.pk}/statements/2026-03.csv")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig")), delimiter=";"))
    assert {row["customer"] for row in rows} == {"'=cmd", "ООО Б"}
    assert {row["rule"] for row in rows} == {"tier:certified:software:new", "tier:certified:hardware:new"}
    assert all(row["programme_version"] and row["tier"] == "certified" for row in rows)


def test_finance_posts_by_hand_and_moves_balances(world, api, rewarded):
    finance = api(world.finance)
    url = f"/organisations/{world.partner_a.pk}/ledger"
    r = finance.post(url, {"kind": "release", "currency": "RUB", "amount": "350.00", "reason": "Март"})
    assert r.status_code == 201 and r.json()["kind"] == "release"
    r = finance.post(url, {"kind": "release", "currency": "RUB", "amount": "100.00", "reason": "Ещё"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "amount"  # only 50 is left accrued
    r = finance.post(url, {"kind": "adjustment", "currency": "RUB", "amount": "-10.00", "reason": "Ошибка"})
    assert r.status_code == 201
    assert (
        api(world.a_admin)
        .post(url, {"kind": "adjustment", "currency": "RUB", "amount": "1", "reason": "x"})
        .status_code
        == 403
    )
    b = api(world.a_admin).get(f"/organisations/{world.partner_a.pk}/earnings").json()["balances"][0]
    assert (b["accrued"], b["payable"]) == ("40.00", "350.00")
    assert JournalEntry.objects.filter(organisation=world.partner_a).count() == 3


def test_roles_without_reward_rights_and_customers_are_refused(world, api, rewarded):
    engineer = world.member(world.partner_a, "engineer")
    assert api(engineer).get(f"/organisations/{world.partner_a.pk}/earnings").status_code == 403
    assert api(world.customer_admin).get("/rewards/balances").status_code == 403
    assert api(world.a_admin).get("/rewards/balances").status_code == 403


def test_finance_console_and_balances_api(world, api, ui, rewarded, django_assert_max_num_queries):
    body = api(world.finance).get("/rewards/balances").json()
    assert body["items"] == [{"organisation_id": world.partner_a.pk, "name": "Partner A", "balances": [
        {"currency": "RUB", "accrued": "400.00", "held": "0.00", "payable": "0.00", "paid": "0.00"}]}]  # fmt: skip
    assert api(world.bdm_b).get("/rewards/balances").json()["count"] == 0  # B's manager does not see A
    client = ui(world.finance)
    with django_assert_max_num_queries(20):
        html = client.get("/rewards/finance/").content.decode()
    assert f'data-org="{world.partner_a.pk}"' in html
    assert client.post("/rewards/finance/rate/").status_code == 302
    assert ui(world.a_admin).post("/rewards/finance/rate/").status_code == 403


def test_earnings_pages(world, ui, rewarded, django_assert_max_num_queries):
    client = ui(world.a_admin)
    assert client.get("/earnings/").url == f"/earnings/{world.partner_a.pk}/"
    with django_assert_max_num_queries(20):
        html = client.get(f"/earnings/{world.partner_a.pk}/").content.decode()
    assert 'data-currency="RUB"' in html and "400.00" in html and "Post by hand" not in html
    with django_assert_max_num_queries(20):
        html = client.get(f"/earnings/{world.partner_a.pk}/statements/2026-03/").content.decode()
    assert "tier:certified:software:new" in html and 'data-kind="accrual"' in html
    assert client.get(f"/earnings/{world.partner_a.pk}/statements/2026-13/").status_code == 404
    r = ui(world.finance).post(f"/earnings/{world.partner_a.pk}/", {"kind": "hold", "currency": "RUB",
                                                                      "amount": "5000", "reason": "x"})  # fmt: skip
    assert r.status_code == 422 and 'data-field="amount"' in r.content.decode()


def test_statement_lines_list_holds_its_query_count(world, api, rewarded, django_assert_max_num_queries):
    for n in range(3, 30):
        services.record_sale(
            actor=world.finance,
            organisation=world.partner_a,
            customer_name=f"К{n}",
            product_family="software",
            amount="10.00",
            currency="RUB",
            sold_on=date(2026, 3, 11),
        )
    client = api(world.a_admin)
    period = timezone.localdate().strftime("%Y-%m")
    with django_assert_max_num_queries(12):
        r = client.get(f"/organisations/{world.partner_a.pk}/statements/{period}/lines?page_size=50")
    assert r.json()["count"] == 27
    assert Decimal(r.json()["items"][0]["reward"]) == Decimal("3.00")
