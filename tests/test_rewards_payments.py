"""Customer payments: a partial payment releases its share of a held reward (cumulative rounding, the remainder
on the final payment, exact to the kopeck); payments through the page, the API and a file import (all rows or
none); a programme's own hold days; corrections keep the payments."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given, settings
from hypothesis import strategies as st

from partnerhub.partners.services import enrol
from partnerhub.programmes import services as programmes
from partnerhub.programmes.models import ProductFamily
from partnerhub.rewards import services
from partnerhub.rewards.models import Sale, SalePayment
from partnerhub.rewards.services import payments, settlement

from .conftest import FormData
from .reward_builders import rated_march
from .test_rewards_network import programme_text

pytestmark = pytest.mark.django_db
MARCH, APRIL = date(2026, 3, 1), date(2026, 4, 1)


def row_of(rows, org):
    return next(r for r in rows if r.organisation_id == org.pk)


def test_partial_payments_release_their_share_and_the_last_one_the_remainder(world, settings):
    settings.REWARDS_HOLD_DAYS = 120  # only the payments release anything in these months
    _version, (sw, _hw) = rated_march(world)  # sw 1000 → 300, hw 500 → 100 (no payment: waits the hold days)
    payments.record_payment(actor=world.finance, sale=sw, amount="400.00", paid_on=date(2026, 3, 15))
    march = row_of(settlement.preview(month=MARCH), world.partner_a)
    assert (march.held_after, march.release) == (Decimal("280.00"), Decimal("120.00"))  # 40 % of 300 released
    settlement.close_period(actor=world.finance, month=MARCH)
    payments.record_payment(actor=world.finance, sale=sw, amount="333.33", paid_on=date(2026, 4, 2))
    april = row_of(settlement.preview(month=APRIL), world.partner_a)
    # 733.33 of 1000 paid: round(300 × 0.73333) = 220.00 released in all, 100.00 of it now; hw still waits
    assert (april.held_before, april.held_after, april.release) == (Decimal("280.00"), Decimal("180.00"),
                                                                    Decimal("100.00"))  # fmt: skip
    settlement.close_period(actor=world.finance, month=APRIL)
    payments.record_payment(actor=world.finance, sale=sw, amount="266.67", paid_on=date(2026, 5, 3))
    sw.refresh_from_db()
    assert sw.paid_on == date(2026, 5, 3)  # paid in full: the final payment carries the remainder
    may = row_of(settlement.preview(month=date(2026, 5, 1)), world.partner_a)
    assert (may.held_after, may.release) == (Decimal("100.00"), Decimal("80.00"))


@settings(max_examples=60, deadline=None)
@given(
    reward=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2),
    total=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2),
    cuts=st.lists(st.integers(min_value=1, max_value=10_000), min_size=1, max_size=6),
)
def test_cumulative_release_sums_exactly_to_the_reward(reward, total, cuts):
    kopecks = int(total * 100)
    parts = [max(1, kopecks * c // sum(cuts)) for c in cuts]
    parts[-1] = kopecks - sum(parts[:-1])
    if parts[-1] <= 0:
        return
    paid, released, increments = Decimal(0), Decimal(0), []
    for p in parts:
        paid += Decimal(p) / 100
        now = payments.released_part(reward=reward, paid=paid, total=total)
        increments.append(now - released)
        assert abs(now - reward * paid / total) <= Decimal("0.005")
        released = now
    assert sum(increments) == reward and all(i >= 0 for i in increments)


def test_payments_through_the_api_with_field_errors_and_tenancy(world, api):
    _version, (sw, _hw) = rated_march(world)
    fin = api(world.finance)
    r = fin.post(f"/sales/{sw.pk}/payments", {"amount": "250.00", "paid_on": "2026-03-20", "reference": "ПП-1"})
    assert r.status_code == 201 and r.json()["source"] == "api"
    over = fin.post(f"/sales/{sw.pk}/payments", {"amount": "750.01", "paid_on": "2026-03-21"})
    assert over.status_code == 422 and over.json()["errors"][0]["field"] == "amount"
    future = fin.post(f"/sales/{sw.pk}/payments", {"amount": "1.00", "paid_on": "2999-01-01"})
    assert future.status_code == 422
    assert (
        api(world.a_admin).post(f"/sales/{sw.pk}/payments", {"amount": "1", "paid_on": "2026-03-21"}).status_code == 403
    )
    body = api(world.a_admin).get(f"/sales/{sw.pk}/payments").json()
    assert (body["paid"], body["paid_on"], len(body["payments"])) == ("250.00", None, 1)
    assert api(world.b_admin).get(f"/sales/{sw.pk}/payments").status_code == 404


def test_a_payment_file_lands_whole_or_not_at_all(world, api):
    _version, (sw, _hw) = rated_march(world)
    inn = world.partner_a.inn
    bad = ("partner_inn;invoice_number;invoice_line;amount;paid_on\n"
           f"{inn};INV-1;1;100,00;2026-03-20\n{inn};INV-1;9;1;2026-03-20\n{inn};INV-1;2;600;2026-03-20\n"
           f"{inn};INV-1;1;10;32.03.2026\n")  # fmt: skip
    r = api(world.finance).post("/sale-payments/import", FormData(file=SimpleUploadedFile("p.csv", bad.encode())))
    assert r.status_code == 422
    fields = {e["field"] for e in r.json()["errors"]}
    assert {"rows[2].invoice_number", "rows[3].amount", "rows[4].paid_on"} <= fields
    assert SalePayment.objects.count() == 0
    good = ("partner_inn;invoice_number;invoice_line;amount;paid_on\n"
            f"{inn};INV-1;1;600;2026-03-20\n{inn};INV-1;1;400;21.03.2026\n")  # fmt: skip
    r = api(world.finance).post("/sale-payments/import", FormData(file=SimpleUploadedFile("p.csv", good.encode())))
    assert r.status_code == 201 and r.json() == {"created": 2}
    sw.refresh_from_db()
    assert sw.paid_on == date(2026, 3, 21)


def test_the_sale_page_shows_payments_and_finance_records_one(world, ui):
    _version, (sw, _hw) = rated_march(world)
    client = ui(world.finance)
    r = client.post(f"/sales/{sw.pk}/", {"amount": "2000", "paid_on": "2026-03-20"})
    assert r.status_code == 422 and "still unpaid" in r.content.decode()
    r = client.post(f"/sales/{sw.pk}/", {"amount": "500", "paid_on": "2026-03-20", "reference": "ПП-7"})
    assert r.status_code == 302
    page = ui(world.a_admin).get(f"/sales/{sw.pk}/").content.decode()
    assert "ПП-7" in page and "150.00" in page.replace("\xa0", "").replace(",", ".") and 'name="amount"' not in page
    assert ui(world.b_admin).get(f"/sales/{sw.pk}/").status_code == 404


def test_a_correction_keeps_the_payments(world):
    _version, (sw, _hw) = rated_march(world)
    payments.record_payment(actor=world.finance, sale=sw, amount="1000.00", paid_on=date(2026, 3, 12))
    new = services.correct_sale(actor=world.finance, sale=sw, amount="1500.00", reason="typo")
    assert new.payments.count() == 1 and new.paid_on is None  # 1000 of 1500: no longer paid in full


def test_a_programmes_own_hold_days_decide_when_an_unpaid_reward_is_released(world):
    version = programmes.import_programme(actor=None, text=programme_text(), source="hold.yaml")  # hold_days: 14
    enrol(actor=None, organisation=world.partner_a, programme=version.programme, role_code="reseller",
          starting_tier_code="certified", joined_on=date(2026, 1, 1), active=True)  # fmt: skip
    software = ProductFamily.objects.get(code="software")
    for day in (10, 20):
        Sale.objects.create(organisation=world.partner_a, customer_name="К", product_family=software, amount=1000,
                            currency="RUB", sold_on=date(2026, 3, day))  # fmt: skip
    services.rate_pending(on=date(2026, 3, 25))
    # 10 March + 14 days = 24 March ≤ 31 March: released (the platform's 30 days would hold it); 20 March waits
    march = row_of(settlement.preview(month=MARCH), world.partner_a)
    assert (march.release, march.held_after) == (Decimal("300.00"), Decimal("300.00"))
