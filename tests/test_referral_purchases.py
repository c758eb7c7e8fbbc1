"""Referral purchases and rewards, partners' link statistics and the vendor's traffic report."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from partnerhub.core.models import AuditEntry, Notification
from partnerhub.deals.models import Claim
from partnerhub.referrals.models import Conversion, ReferralAttribution, ReferralLink
from partnerhub.rewards.models import Sale
from tests.factories import valid_inn
from tests.referral_builders import (
    ROMASHKA_INN,
    click,
    customer_of,
    purchase,
    referral_version,
    sign_up,
)

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------------------- purchases


def test_a_purchase_within_the_window_earns_the_exact_reward_and_a_sale(ref, world, api):
    sign_up(cookie=click(ref.link_a).cookie)
    customer = customer_of()
    r = api(world.finance).post("/referral-purchases", purchase(customer))
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["created"] and body["attributed"] and "Partner A" in body["explanation"]
    c = body["conversion"]
    assert (c["kind"], c["status"], c["organisation_id"], c["link_code"]) == (
        "purchase",
        "attributed",
        world.partner_a.pk,
        ref.link_a.code,
    )
    # 123456.78 × 12.50 % = 15432.0975 → 15432.10, in Decimal.
    assert (c["amount"], c["reward_percent"], c["reward_amount"]) == ("123456.78", "12.50", "15432.10")
    assert c["version_id"] == ref.version.pk
    conversion = Conversion.objects.get(kind="purchase")
    assert conversion.reward_amount == Decimal("15432.10")
    sale = Sale.objects.get()
    assert (sale.organisation, sale.source, sale.external_ref, sale.amount, sale.customer_inn) == (
        world.partner_a,
        "referral",
        "referral-INV-1",
        Decimal("123456.78"),
        ROMASHKA_INN,
    )
    assert conversion.sale == sale
    assert Notification.objects.filter(user=world.a_admin, kind="referral.purchase").exists()
    assert AuditEntry.objects.filter(action="referral.purchase_recorded", object_id=str(conversion.pk)).exists()
    assert AuditEntry.objects.filter(action="sale.recorded", organisation=world.partner_a).exists()


def test_a_purchase_is_recorded_once_per_reference(ref, world, api):
    sign_up(cookie=click(ref.link_a).cookie)
    client = api(world.finance)
    body = purchase(customer_of(), reference="INV-7")
    assert client.post("/referral-purchases", body).status_code == 201
    again = client.post("/referral-purchases", body)
    assert again.status_code == 200 and again.json()["created"] is False
    assert Conversion.objects.filter(kind="purchase").count() == 1 and Sale.objects.count() == 1
    changed = client.post("/referral-purchases", {**body, "amount": "1.00"})
    assert changed.status_code == 422
    assert changed.json()["errors"][0] == {
        "field": "reference",
        "code": "reference_conflict",
        "message": changed.json()["errors"][0]["message"],
    }


def test_the_reward_rate_is_the_version_in_force_on_the_purchase_date(ref, world, api):
    sign_up(cookie=click(ref.link_a).cookie)
    today = timezone.localdate()
    newer = referral_version(programme=ref.version.programme, number=2, percent="20.00", effective_from=today)
    client = api(world.finance)
    before = client.post("/referral-purchases", purchase(customer_of(), reference="NEW", amount="1000.00"))
    assert before.json()["conversion"]["version_id"] == newer.pk
    assert before.json()["conversion"]["reward_amount"] == "200.00"
    attribution = ReferralAttribution.objects.get()
    attribution.attributed_at -= timedelta(days=5)
    attribution.save()
    older = client.post(
        "/referral-purchases",
        purchase(customer_of(), reference="OLDER", amount="1000.00", sold_on=(today - timedelta(days=2)).isoformat()),
    )
    assert older.json()["conversion"]["version_id"] == ref.version.pk
    assert older.json()["conversion"]["reward_amount"] == "125.00"


def test_purchases_outside_the_window_or_without_a_referral_are_unattributed(ref, world, api):
    sign_up(cookie=click(ref.link_a).cookie)
    customer = customer_of()
    attribution = ReferralAttribution.objects.get()
    today = timezone.localdate()
    attribution.attributed_at = timezone.now() - timedelta(days=100)
    attribution.window_ends_on = today - timedelta(days=10)
    attribution.save()
    client = api(world.finance)
    # A purchase dated inside the window but recorded late still counts.
    late = client.post(
        "/referral-purchases", purchase(customer, reference="LATE", sold_on=(today - timedelta(days=20)).isoformat())
    )
    assert late.json()["conversion"]["status"] == "attributed"
    outside = client.post("/referral-purchases", purchase(customer, reference="OUT"))
    body = outside.json()
    assert outside.status_code == 201 and body["attributed"] is False
    assert body["conversion"]["status"] == "unattributed" and body["conversion"]["reason"] == "window_ended"
    assert body["conversion"]["reward_amount"] == "0.00" and body["conversion"]["organisation_id"] is None
    assert "outside the attribution window" in body["explanation"]
    attribution.refresh_from_db()
    assert (attribution.status, attribution.end_reason) == ("ended", "window")
    unreferred = client.post("/referral-purchases", purchase(world.customer, reference="DIRECT"))
    assert unreferred.json()["conversion"]["reason"] == "no_attribution"
    assert "not referred" in unreferred.json()["explanation"].lower()
    assert Sale.objects.count() == 1  # only the late purchase inside the window


def test_only_vendor_finance_and_admins_record_purchases(ref, world, api):
    for user in (world.a_admin, world.bdm_a, world.customer_admin):
        r = api(user).post("/referral-purchases", purchase(world.customer))
        assert r.status_code == 403, user
    assert api(world.vendor_admin).post("/referral-purchases", purchase(world.customer)).status_code == 201


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"amount": "0"}, "amount"),
        ({"amount": "10.001"}, "amount"),
        ({"currency": "XXX"}, "currency"),
        ({"product_family": "nope"}, "product_family"),
        ({"sold_on": "2999-01-01"}, "sold_on"),
        ({"reference": ""}, "reference"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_purchase_input_is_validated(ref, world, api, over, field):
    r = api(world.finance).post("/referral-purchases", purchase(world.customer, **over))
    assert r.status_code == 422 and r.headers["Content-Type"] == "application/problem+json"
    assert field in {e["field"] for e in r.json()["errors"]}
    assert not Conversion.objects.exists()


def test_a_partner_is_not_a_customer(ref, world, api):
    r = api(world.finance).post("/referral-purchases", purchase(world.partner_a))
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "not_a_customer"


def test_conversions_are_published_as_webhooks(ref, monkeypatch):
    webhooks = pytest.importorskip("partnerhub.webhooks.services")
    sent = []
    monkeypatch.setattr(webhooks, "publish_event", lambda **kw: sent.append(kw))
    sign_up(cookie=click(ref.link_a).cookie)
    ours = [e for e in sent if e["event_type"] == "referral.conversion"]
    assert [(e["organisation_ids"], e["payload"]["kind"], e["payload"]["link_code"]) for e in ours] == [
        ([ref.link_a.organisation_id], "signup", ref.link_a.code)
    ]


# ---------------------------------------------------------------------------- partners' views


def test_partner_manages_links_and_reads_its_statistics(ref, world, api):
    client = api(world.a_sales)
    created = client.post(
        f"/organisations/{world.partner_a.pk}/referral-links", {"target": "/demo/", "campaign": "webinar"}
    )
    assert created.status_code == 201
    link_id = created.json()["id"]
    now = timezone.now()
    for i in range(4):
        last = click(ref.link_a, at=now - timedelta(days=1, minutes=i), ip=f"198.51.100.{i}")
    sign_up(cookie=last.cookie)
    api(world.finance).post("/referral-purchases", purchase(customer_of(), reference="S-1", amount="1000.00"))
    api(world.finance).post(
        "/referral-purchases", purchase(customer_of(), reference="S-2", amount="10.00", currency="USD")
    )
    stats = client.get(f"/organisations/{world.partner_a.pk}/referral-stats?interval=month").json()
    assert stats["total"] == {
        "clicks": 4,
        "signups": 1,
        "purchases": 2,
        "conversion_rate": "25.0",
        "rewards": [{"currency": "RUB", "amount": "125.00"}, {"currency": "USD", "amount": "1.25"}],
    }
    by_code = {row["link"]["code"]: row["stats"] for row in stats["links"]}
    assert by_code[ref.link_a.code]["clicks"] == 4
    assert by_code[created.json()["code"]] == {
        "clicks": 0,
        "signups": 0,
        "purchases": 0,
        "conversion_rate": None,
        "rewards": [],
    }
    assert sum(r["clicks"] for r in stats["series"]) == 4
    # Periods: nothing before the clicks.
    empty = client.get(
        f"/organisations/{world.partner_a.pk}/referral-stats?until="
        f"{(timezone.localdate() - timedelta(days=3)).isoformat()}"
    ).json()
    assert empty["total"]["clicks"] == 0
    conversions = client.get(f"/organisations/{world.partner_a.pk}/referral-conversions").json()
    assert {c["kind"] for c in conversions["items"]} == {"signup", "purchase"} and conversions["count"] == 3
    # Deactivate: the link stops working, its history stays.
    r = client.patch(f"/referral-links/{link_id}", {"is_active": False})
    assert r.status_code == 200 and r.json()["is_active"] is False
    assert AuditEntry.objects.filter(action="referral_link.deactivated", object_id=str(link_id)).exists()
    active = client.get(f"/organisations/{world.partner_a.pk}/referral-links?active=true").json()
    assert link_id not in [link["id"] for link in active["items"]]
    assert client.patch(f"/referral-links/{link_id}", {"code": "vanity"}).status_code == 422


def test_an_engineer_reads_but_does_not_manage_links(ref, world, api):
    engineer = world.member(world.partner_a, "engineer")
    client = api(engineer)
    assert client.get(f"/organisations/{world.partner_a.pk}/referral-links").status_code == 200
    r = client.post(f"/organisations/{world.partner_a.pk}/referral-links", {"target": "/"})
    assert r.status_code == 403
    assert client.patch(f"/referral-links/{ref.link_a.pk}", {"is_active": False}).status_code == 403


def test_partner_b_never_sees_partner_as_links_or_statistics(ref, world, api, ui):
    client = api(world.b_admin)
    for path in (
        f"/referral-links/{ref.link_a.pk}",
        f"/referral-links/{ref.link_a.pk}/stats",
        f"/organisations/{world.partner_a.pk}/referral-links",
        f"/organisations/{world.partner_a.pk}/referral-stats",
        f"/organisations/{world.partner_a.pk}/referral-conversions",
    ):
        r = client.get(path)
        assert r.status_code == 404 and r.json()["code"] == "not_found", path
    assert client.patch(f"/referral-links/{ref.link_a.pk}", {"is_active": False}).status_code == 404
    browser = ui(world.b_admin)
    assert browser.get(f"/referral-links/{ref.link_a.pk}/").status_code == 404
    assert browser.get(f"/organisations/{world.partner_a.pk}/referrals/").status_code == 404
    assert browser.post(f"/referral-links/{ref.link_a.pk}/toggle/").status_code == 404
    ref.link_a.refresh_from_db()
    assert ref.link_a.is_active
    own = browser.get(f"/organisations/{world.partner_b.pk}/referrals/").content.decode()
    assert ref.link_b.code in own and ref.link_a.code not in own


def test_partner_pages(ref, world, ui):
    browser = ui(world.a_admin)
    assert browser.get("/referrals/")["Location"] == f"/organisations/{world.partner_a.pk}/referrals/"
    page = browser.get(f"/organisations/{world.partner_a.pk}/referrals/")
    html = page.content.decode()
    assert page.status_code == 200 and f"/r/{ref.link_a.code}" in html and "Copy" in html
    r = browser.post(f"/organisations/{world.partner_a.pk}/referrals/", {"target": "https://evil.example/"})
    assert r.status_code == 422 and not ReferralLink.objects.filter(target__contains="evil").exists()
    r = browser.post(f"/organisations/{world.partner_a.pk}/referrals/", {"target": "/blog/", "campaign": "Q4"})
    assert r.status_code == 302 and ReferralLink.objects.filter(campaign="Q4").exists()
    assert browser.get(f"/referral-links/{ref.link_a.pk}/").status_code == 200
    assert browser.post(f"/referral-links/{ref.link_a.pk}/toggle/").status_code == 302
    ref.link_a.refresh_from_db()
    assert not ref.link_a.is_active
    assert "Referrals" in browser.get("/").content.decode()


def test_public_signup_page(ref):
    r = Client().get(f"/signup/?code={ref.link_a.code}")
    assert r.status_code == 200 and ref.link_a.code in r.content.decode()


# ---------------------------------------------------------------------------- the vendor's traffic report


def _clicks(link, n, *, days_ago):
    at = timezone.now() - timedelta(days=days_ago)
    for i in range(n):
        click(link, at=at - timedelta(minutes=i), ip=f"10.{days_ago}.0.{i}")


def test_falling_traffic_report(ref, world, api, ui):
    _clicks(ref.link_a, 10, days_ago=45)  # A: 10 → 2, down 80 %
    _clicks(ref.link_a, 2, days_ago=5)
    _clicks(ref.link_b, 4, days_ago=40)  # B: 4 → 4, steady
    _clicks(ref.link_b, 4, days_ago=3)
    click(ref.link_a, ua="Googlebot/2.1", at=timezone.now() - timedelta(days=2), ip="66.249.66.1")  # never counts
    body = api(world.vendor_admin).get("/referral-traffic").json()
    rows = {r["organisation_id"]: r for r in body["partners"]}
    assert (rows[world.partner_a.pk]["previous_clicks"], rows[world.partner_a.pk]["clicks"]) == (10, 2)
    assert rows[world.partner_a.pk]["change_percent"] == "-80.0"
    assert rows[world.partner_b.pk]["change_percent"] == "0.0"
    assert [r["organisation_id"] for r in body["falling"]] == [world.partner_a.pk]
    assert body["threshold_percent"] == 50 and body["period_days"] == 30
    assert api(world.vendor_admin).get("/referral-traffic?threshold=90").json()["falling"] == []
    # A partner manager sees the partners assigned to them; partners do not see the report.
    bdm = api(world.bdm_b).get("/referral-traffic").json()
    assert [r["organisation_id"] for r in bdm["partners"]] == [world.partner_b.pk]
    assert api(world.a_admin).get("/referral-traffic").status_code == 403
    page = ui(world.vendor_admin).get("/referrals/traffic/")
    assert page.status_code == 200 and "-80.0%" in page.content.decode()
    assert ui(world.a_admin).get("/referrals/traffic/").status_code == 403
    assert "Referral traffic" in ui(world.vendor_admin).get("/").content.decode()


def test_the_falling_threshold_is_configurable(ref, world, api, settings):
    settings.REFERRAL_FALLING_THRESHOLD_PERCENT = 85
    _clicks(ref.link_a, 10, days_ago=45)
    _clicks(ref.link_a, 2, days_ago=5)
    assert api(world.vendor_admin).get("/referral-traffic").json()["falling"] == []


def test_vendor_records_a_purchase_in_the_ui(ref, world, ui):
    sign_up(cookie=click(ref.link_a).cookie)
    browser = ui(world.finance)
    assert browser.get("/referrals/purchases/new/").status_code == 200
    data = {
        "customer_inn": ROMASHKA_INN,
        "product_family": "software",
        "amount": "1000.00",
        "currency": "RUB",
        "sold_on": timezone.localdate().isoformat(),
        "reference": "UI-1",
    }
    r = browser.post("/referrals/purchases/new/", data, follow=True)
    assert "Credited to Partner A" in r.content.decode()
    assert Conversion.objects.get(kind="purchase").reward_amount == Decimal("125.00")
    r = browser.post("/referrals/purchases/new/", {**data, "customer_inn": valid_inn(5099)})
    assert r.status_code == 422 and "No customer with this INN" in r.content.decode()
    assert ui(world.a_admin).get("/referrals/purchases/new/").status_code == 403


def test_attribution_claim_is_a_referral_claim_in_the_registry(ref, world):
    sign_up(referral_code=ref.link_b.code)
    assert Claim.objects.filter(kind="referral", organisation=world.partner_b).count() == 1
