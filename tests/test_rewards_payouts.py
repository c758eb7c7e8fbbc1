"""Payout runs: prepare over a minimum, four-eyes approval, exports (CSV, 1C client-bank), mark paid once,
the payout-paid webhook; statement PDFs; partners see only their own payouts and statements."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from partnerhub.core.models import AuditEntry
from partnerhub.rewards.models import JournalEntry, PayoutRun
from partnerhub.rewards.services import payouts
from partnerhub.rewards.services.ledger import balances
from partnerhub.webhooks import services as webhooks
from partnerhub.webhooks.models import WebhookDelivery
from tests.reward_builders import rated_march

pytestmark = pytest.mark.django_db


@pytest.fixture
def payable(world, api):
    """A's 400 RUB payable: March and April closed (the software sale paid in March)."""
    rated_march(world, paid_on=date(2026, 3, 15))
    for period in ("2026-03", "2026-04"):
        assert api(world.finance).post(f"/rewards/periods/{period}/close").status_code == 201
    return world


def test_a_run_is_prepared_approved_by_another_exported_and_paid_once(world, api, payable):
    webhooks.endpoint_create(actor=world.a_admin, organisation=world.partner_a, url="https://hooks.a.example/in",
                             event_types=["payout.paid"])  # fmt: skip
    finance, admin = api(world.finance), api(world.vendor_admin)
    r = finance.post("/rewards/payout-runs", {"currency": "RUB", "minimum": "500"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "minimum"
    r = finance.post("/rewards/payout-runs", {"currency": "RUB", "minimum": "100.00", "key": "dec-1"})
    assert r.status_code == 201, r.content
    run = r.json()
    assert (run["status"], run["total"], run["item_count"]) == ("prepared", "400.00", 1)
    # The same key is the same run; another preparation finds A busy in this unpaid run.
    assert finance.post("/rewards/payout-runs", {"currency": "RUB", "key": "dec-1"}).json()["id"] == run["id"]
    assert finance.post("/rewards/payout-runs", {"currency": "RUB"}).status_code == 422
    assert finance.get(f"/rewards/payout-runs/{run['id']}/csv").status_code == 409  # not approved yet
    assert finance.post(f"/rewards/payout-runs/{run['id']}/pay").status_code == 409
    r = finance.post(f"/rewards/payout-runs/{run['id']}/approve")
    assert r.status_code == 403 and r.json()["code"] == "four_eyes" and "prepared" in r.json()["detail"]
    r = admin.post(f"/rewards/payout-runs/{run['id']}/approve")
    assert r.status_code == 200 and r.json()["status"] == "approved" and r.json()["approved_by"] == "admin@vendor.test"
    rows = list(csv.DictReader(io.StringIO(finance.get(f"/rewards/payout-runs/{run['id']}/csv").content.decode(
        "utf-8-sig")), delimiter=";"))  # fmt: skip
    assert [(row["partner"], row["amount"], row["inn"]) for row in rows] == [("Partner A", "400.00",
                                                                               world.partner_a.inn)]  # fmt: skip
    for _ in range(2):
        r = finance.post(f"/rewards/payout-runs/{run['id']}/pay")
        assert r.status_code == 200 and r.json()["status"] == "paid"
    assert JournalEntry.objects.filter(kind="payout").count() == 1
    b = balances([world.partner_a.pk])[(world.partner_a.pk, "RUB")]
    assert (b["payable"], b["paid"]) == (Decimal("0.00"), Decimal("400.00"))
    [delivery] = WebhookDelivery.objects.filter(event_type="payout.paid")
    assert delivery.payload["data"]["amount"] == "400.00" and delivery.payload["organisation_ids"] == [
        world.partner_a.pk]  # fmt: skip
    assert set(AuditEntry.objects.filter(action__startswith="payout_run.").values_list("action", flat=True)) == {
        "payout_run.prepared", "payout_run.approved", "payout_run.paid"}  # fmt: skip
    mine = api(world.a_admin).get(f"/organisations/{world.partner_a.pk}/payouts").json()["items"]
    assert [(p["amount"], p["status"]) for p in mine] == [("400.00", "paid")]


def test_the_1c_file_is_a_client_bank_exchange_in_windows_1251(world, api, payable, settings):
    settings.REWARDS_PAYER_NAME, settings.REWARDS_PAYER_INN = "ООО Вендор", "7707083893"
    run = payouts.prepare_run(actor=world.finance, currency="RUB", minimum="1")
    payouts.approve_run(actor=world.vendor_admin, run=run)
    r = api(world.finance).get(f"/rewards/payout-runs/{run.pk}/1c")
    assert r.status_code == 200 and "windows-1251" in r["Content-Type"]
    text = r.content.decode("cp1251")
    lines = text.split("\r\n")
    assert lines[0] == "1CClientBankExchange" and "ВерсияФормата=1.03" in lines and "Кодировка=Windows" in lines
    assert lines[-2:] == ["КонецФайла", ""]
    assert "СекцияДокумент=Платежное поручение" in lines and "Сумма=400.00" in lines
    assert f"ПолучательИНН={world.partner_a.inn}" in lines and "Плательщик=ООО Вендор" in lines
    assert "ПлательщикИНН=7707083893" in lines and lines.count("КонецДокумента") == 1


def test_a_run_in_another_currency_exports_csv_only(world, api, payable):
    from partnerhub.rewards.services.ledger import post_by_hand

    post_by_hand(actor=world.finance, organisation=world.partner_a, kind="adjustment", currency="USD", amount="50",
                 reason="Бонус")  # fmt: skip
    post_by_hand(actor=world.finance, organisation=world.partner_a, kind="release", currency="USD", amount="50",
                 reason="К выплате")  # fmt: skip
    run = payouts.prepare_run(actor=world.finance, currency="USD", minimum="10")
    payouts.approve_run(actor=world.vendor_admin, run=run)
    assert api(world.finance).get(f"/rewards/payout-runs/{run.pk}/csv").status_code == 200
    r = api(world.finance).get(f"/rewards/payout-runs/{run.pk}/1c")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "currency"


def test_partners_never_see_runs_and_other_roles_cannot_act(world, api, payable):
    run = payouts.prepare_run(actor=world.finance, currency="RUB")
    assert api(world.a_admin).get(f"/rewards/payout-runs/{run.pk}").status_code == 404
    assert api(world.a_admin).get("/rewards/payout-runs").status_code == 404
    assert api(world.b_admin).get(f"/organisations/{world.partner_a.pk}/payouts").status_code == 404
    assert api(world.bdm_b).get(f"/rewards/payout-runs/{run.pk}").status_code == 404  # no partner of B's in it
    assert api(world.bdm_a).get(f"/rewards/payout-runs/{run.pk}").status_code == 200
    assert api(world.bdm_a).post(f"/rewards/payout-runs/{run.pk}/approve").status_code == 403
    assert api(world.finance).post("/rewards/payout-runs", {"currency": "XXX"}).json()["errors"][0]["field"] == (
        "currency")  # fmt: skip
    assert PayoutRun.objects.get().status == "prepared"


def test_statement_pdf_traces_every_line(world, api, ui, payable):
    from partnerhub.rewards import selectors, selectors_payouts
    from partnerhub.rewards.statement_pdf import html

    r = api(world.a_admin).get(f"/organisations/{world.partner_a.pk}/statements/2026-03/pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
    assert ui(world.a_admin).get(f"/earnings/{world.partner_a.pk}/statements/2026-03.pdf").content[:4] == b"%PDF"
    assert api(world.b_admin).get(f"/organisations/{world.partner_a.pk}/statements/2026-03/pdf").status_code == 404
    org, actor = world.partner_a, world.a_admin
    lines = selectors.statement_lines(actor=actor, organisation=org, period="2026-03")
    period = "2026-03"
    text = html(
        org=org, period=period, rows=selectors.statement_rows(lines, period),
        totals=selectors.statement_totals(actor=actor, organisation=org, period=period),
        settlement=selectors_payouts.statement_settlement(actor=actor, organisation=org, period=period),
    )  # fmt: skip
    for needle in ("tier:certified:software:new", "tier:certified:hardware:new", "INV-1/1", "INV-1/2",
                   "ООО Альфа-Клиент", str(lines[0].version)):  # fmt: skip
        assert needle in text, needle
    assert "300,00" in text or "300.00" in text  # released at the March close


def test_finance_console_pages_run_the_whole_flow(world, ui, payable):
    finance, admin = ui(world.finance), ui(world.vendor_admin)
    html = finance.get("/rewards/finance/periods/").content.decode()
    assert 'data-period="2026-03"' in html
    html = finance.get("/rewards/finance/periods/2026-05/").content.decode()
    assert 'data-testid="close-period"' in html
    assert finance.post("/rewards/finance/periods/2026-05/close/").status_code == 302
    assert "2026-05" in str(finance.get("/rewards/finance/periods/").content.decode())
    r = finance.post("/rewards/finance/payouts/", {"currency": "RUB", "minimum": "abc"})
    assert r.status_code == 422 and 'data-field="minimum"' in r.content.decode()
    r = finance.post("/rewards/finance/payouts/", {"currency": "RUB", "minimum": "0"})
    assert r.status_code == 302
    run = PayoutRun.objects.get()
    assert 'data-testid="four-eyes"' in finance.get(f"/rewards/finance/payouts/{run.pk}/").content.decode()
    finance.post(f"/rewards/finance/payouts/{run.pk}/approve/")
    assert PayoutRun.objects.get().status == "prepared"
    admin.post(f"/rewards/finance/payouts/{run.pk}/approve/")
    assert finance.get(f"/rewards/finance/payouts/{run.pk}-1c.txt").content.startswith(b"1CClientBankExchange")
    finance.post(f"/rewards/finance/payouts/{run.pk}/pay/")
    assert PayoutRun.objects.get().status == "paid"
    assert 'data-status="paid"' in finance.get("/rewards/finance/payouts/").content.decode()
    assert ui(world.a_admin).get("/rewards/finance/payouts/").status_code == 404
    html = ui(world.a_admin).get(f"/earnings/{world.partner_a.pk}/").content.decode()
    assert 'data-testid="partner-payouts"' in html and "data-payout=" in html


def test_run_lists_query_the_same_for_one_run_or_many(world, api, ui, payable):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from partnerhub.rewards.services.ledger import post_by_hand

    def counts():
        out = []
        for get in (lambda: api(world.finance).get("/rewards/payout-runs"),
                    lambda: ui(world.finance).get("/rewards/finance/payouts/"),
                    lambda: api(world.a_admin).get(f"/organisations/{world.partner_a.pk}/payouts")):  # fmt: skip
            with CaptureQueriesContext(connection) as ctx:
                assert get().status_code == 200
            out.append(len(ctx.captured_queries))
        return out

    payouts.prepare_run(actor=world.finance, currency="RUB")
    one = counts()
    for currency in ("USD", "EUR", "CNY"):
        for kind in ("adjustment", "release"):
            post_by_hand(actor=world.finance, organisation=world.partner_a, kind=kind, currency=currency,
                         amount="10", reason="x")  # fmt: skip
        payouts.prepare_run(actor=world.finance, currency=currency)
    assert counts() == one


def test_a_cancelled_run_frees_its_partners_and_a_paid_one_cannot_be_cancelled(world, api, payable):
    finance = api(world.finance)
    run = finance.post("/rewards/payout-runs", {"currency": "RUB"}).json()
    assert finance.post(f"/rewards/payout-runs/{run['id']}/cancel", {"reason": " "}).status_code == 422
    r = finance.post(f"/rewards/payout-runs/{run['id']}/cancel", {"reason": "Неверный минимум"})
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert finance.get(f"/rewards/payout-runs/{run['id']}/csv").status_code == 409
    again = finance.post("/rewards/payout-runs", {"currency": "RUB"}).json()
    assert again["total"] == "400.00"
    api(world.vendor_admin).post(f"/rewards/payout-runs/{again['id']}/approve")
    finance.post(f"/rewards/payout-runs/{again['id']}/pay")
    assert finance.post(f"/rewards/payout-runs/{again['id']}/cancel", {"reason": "x"}).status_code == 409
    assert AuditEntry.objects.filter(action="payout_run.cancelled").count() == 1
