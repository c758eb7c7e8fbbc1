"""Reward periods: the settlement preview, closing (holds, releases, the lock), the hold rule, the
statement-ready webhook; a later posting dated in a closed month lands in the next open one and the closed
statement stays as it was."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import timezone

from partnerhub.core.models import AuditEntry
from partnerhub.rewards import services
from partnerhub.rewards.models import JournalEntry, RewardPeriod, Sale
from partnerhub.rewards.services import settlement
from partnerhub.rewards.services.ledger import balances
from partnerhub.webhooks import services as webhooks
from partnerhub.webhooks.models import WebhookDelivery
from tests.reward_builders import rated_march

pytestmark = pytest.mark.django_db

MARCH, APRIL, MAY = date(2026, 3, 1), date(2026, 4, 1), date(2026, 5, 1)


def _bal(world):
    return balances([world.partner_a.pk])[(world.partner_a.pk, "RUB")]


def test_preview_shows_what_a_close_would_post_and_posts_nothing(world, api):
    rated_march(world, paid_on=date(2026, 3, 15))
    before = JournalEntry.objects.count()
    body = api(world.finance).get("/rewards/periods/2026-03/preview").json()
    assert body["closable"] is True
    [row] = body["rows"]
    # The paid software sale (300) is released; the hardware sale (100, no payment) waits its 30 days.
    assert (row["accrued"], row["hold"], row["held_after"], row["release"], row["carried"]) == (
        "400.00", "100.00", "100.00", "300.00", "0.00")  # fmt: skip
    assert JournalEntry.objects.count() == before


def test_closing_months_holds_then_releases_and_the_statement_ready_webhook_is_published(world, api):
    rated_march(world, paid_on=date(2026, 3, 15))
    webhooks.endpoint_create(actor=world.a_admin, organisation=world.partner_a, url="https://hooks.a.example/in",
                             event_types=["statement.ready"])  # fmt: skip
    finance = api(world.finance)
    r = finance.post("/rewards/periods/2026-03/close")
    assert r.status_code == 201 and r.json()["closed"] is True, r.content
    b = _bal(world)
    assert (b["accrued"], b["held"], b["payable"]) == (Decimal("0.00"), Decimal("100.00"), Decimal("300.00"))
    assert set(JournalEntry.objects.filter(key__startswith="period:2026-03").values_list("posted_on", flat=True)) == {
        date(2026, 3, 31)}  # fmt: skip
    [delivery] = WebhookDelivery.objects.filter(event_type="statement.ready")
    data = delivery.payload["data"]
    assert data["period"] == "2026-03" and data["currencies"] == [
        {"currency": "RUB", "earned": "400.00", "released": "300.00", "on_hold": "100.00"}]  # fmt: skip
    # April: the hardware sale's 30 days are over (9 April): unhold and release.
    assert finance.post("/rewards/periods/2026-04/close").status_code == 201
    b = _bal(world)
    assert (b["accrued"], b["held"], b["payable"]) == (Decimal("0.00"), Decimal("0.00"), Decimal("400.00"))
    assert AuditEntry.objects.filter(action="period.closed").count() == 2
    assert settlement.quarter_closed(year=2026, quarter=2) is False


def test_months_close_in_order_once_and_only_after_they_end(world, api):
    rated_march(world)
    finance = api(world.finance)
    r = finance.post("/rewards/periods/2099-01/close")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "period"
    assert finance.post("/rewards/periods/2026-03/close").status_code == 201
    r = finance.post("/rewards/periods/2026-03/close")
    assert r.status_code == 422 and "closed already" in r.json()["errors"][0]["message"]
    r = finance.post("/rewards/periods/2026-05/close")
    assert r.status_code == 422 and "2026-04" in r.json()["errors"][0]["message"]
    assert finance.get("/rewards/periods/2026-05/preview").json()["closable"] is False
    assert finance.post("/rewards/periods/2026-13/close").status_code == 404
    assert RewardPeriod.objects.count() == 1


def test_hold_days_are_a_setting_and_a_sale_without_payment_waits_them(world):
    rated_march(world)  # no payment information at all
    [row] = settlement.preview(month=MARCH)
    assert (row.held_after, row.release) == (Decimal("400.00"), Decimal("0.00"))
    with override_settings(REWARDS_HOLD_DAYS=10):  # 10 March + 10 days is before the end of March
        [row] = settlement.preview(month=MARCH)
    assert (row.held_after, row.release) == (Decimal("0.00"), Decimal("400.00"))


def test_a_reversal_after_the_close_lands_in_the_open_month_and_the_closed_statement_stays(world, api):
    _version, sales = rated_march(world)
    client, finance = api(world.a_admin), api(world.finance)
    assert finance.post("/rewards/periods/2026-03/close").status_code == 201
    march = client.get(f"/organisations/{world.partner_a.pk}/statements/2026-03/lines").json()
    march_totals = client.get(f"/organisations/{world.partner_a.pk}/statements/2026-03").json()
    # A late sale rated "on" 31 March, and a correction: both post after the closed month.
    late = Sale.objects.create(organisation=world.partner_a, customer_name="Поздно", amount="100.00", currency="RUB",
                               product_family=sales[0].product_family, sold_on=date(2026, 3, 30))  # fmt: skip
    services.rate_pending(on=date(2026, 3, 31), sale_ids=[late.pk])
    assert JournalEntry.objects.get(ratings__sale=late).posted_on == APRIL
    r = finance.post(f"/sales/{sales[1].pk}/end", {"status": "refunded", "reason": "Возврат"})
    assert r.status_code == 200
    assert client.get(f"/organisations/{world.partner_a.pk}/statements/2026-03/lines").json() == march
    assert client.get(f"/organisations/{world.partner_a.pk}/statements/2026-03").json() == march_totals
    april = client.get(f"/organisations/{world.partner_a.pk}/statements/2026-04/lines").json()["items"]
    assert [(line["kind"], line["reward"]) for line in april] == [("accrual", "30.00")]
    # April is settled as it stood at its end: the refund came later (today), so April releases all that
    # waited; the reversal stays accrued (negative), a clawback set against the next earnings, never paid.
    assert finance.post("/rewards/periods/2026-04/close").status_code == 201
    b = _bal(world)
    assert (b["held"], b["payable"], b["accrued"]) == (Decimal("0.00"), Decimal("430.00"), Decimal("-100.00"))


def test_a_reversal_before_the_close_nets_a_held_reward_to_nothing(world, api):
    _version, sales = rated_march(world)
    finance = api(world.finance)
    assert finance.post("/rewards/periods/2026-03/close").status_code == 201  # both wait: 400 on hold
    services.end_sale(actor=world.finance, sale=sales[1], status="cancelled", reason="Отмена")  # posted today
    [row] = settlement.preview(month=timezone.localdate().replace(day=1))  # this month: the reversal is in it
    # Off hold: 400; the reversal took 100 from accrued; released: only the software sale's 300.
    assert (row.accrued, row.hold, row.release, row.carried) == (
        Decimal("-100.00"), Decimal("-400.00"), Decimal("300.00"), Decimal("0.00"))  # fmt: skip


def test_partners_and_other_staff_cannot_preview_or_close(world, api):
    rated_march(world)
    assert api(world.a_admin).get("/rewards/periods/2026-03/preview").status_code == 404
    assert api(world.a_admin).post("/rewards/periods/2026-03/close").status_code == 404
    assert api(world.bdm_a).post("/rewards/periods/2026-03/close").status_code == 403
    assert api(world.a_admin).get("/rewards/periods").status_code == 404
    assert len(api(world.finance).get("/rewards/periods").json()) == 12
    assert RewardPeriod.objects.count() == 0


def test_finance_records_the_customer_payment_and_the_close_releases(world, api):
    _version, sales = rated_march(world)
    finance = api(world.finance)
    r = finance.post(f"/sales/{sales[1].pk}/paid", {"paid_on": "2026-03-20"})
    assert r.status_code == 200 and r.json()["paid_on"] == "2026-03-20"
    assert finance.post(f"/sales/{sales[1].pk}/paid", {"paid_on": "2999-01-01"}).json()["errors"][0]["field"] == (
        "paid_on")  # fmt: skip
    assert api(world.a_admin).post(f"/sales/{sales[1].pk}/paid", {"paid_on": "2026-03-20"}).status_code == 403
    assert AuditEntry.objects.filter(action="sale.paid").count() == 1
    [row] = settlement.preview(month=MARCH)
    assert (row.held_after, row.release) == (Decimal("300.00"), Decimal("100.00"))  # the paid hardware sale


def test_an_import_may_carry_the_payment_date_and_a_bad_one_is_a_row_error(world, api):
    from django.core.files.uploadedfile import SimpleUploadedFile

    rated_march(world)
    header = "partner_inn;customer_name;product_family;sale_type;amount;currency;sold_on;invoice_number;paid_on"
    good = f"{world.partner_a.inn};ООО Плательщик;software;new;100;RUB;12.03.2026;INV-9;20.03.2026"
    bad = f"{world.partner_a.inn};ООО Должник;software;new;100;RUB;12.03.2026;INV-10;вчера"
    client = api(world.finance)

    def upload(*rows):
        f = SimpleUploadedFile("s.csv", "\n".join([header, *rows]).encode(), content_type="text/csv")
        return client.client.post("/api/v1/sales/import", {"file": f}, headers=client.headers)

    r = upload(good, bad)
    assert r.status_code == 422 and [e["field"] for e in r.json()["errors"]] == ["rows[2].paid_on"]
    assert upload(good).status_code == 201
    assert Sale.objects.get(invoice_number="INV-9").paid_on == date(2026, 3, 20)
