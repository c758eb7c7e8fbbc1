"""Orders, subscriptions and provisioning through the vendor's API (the sample service on loopback)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from partnerhub.marketplace import billing
from partnerhub.marketplace.models import CustomerLink, ProvisioningRequest, Storefront, Subscription
from partnerhub.marketplace.provisioning.sample_service import SampleService
from partnerhub.marketplace.services import orders, provisioning
from partnerhub.marketplace.services.states import move
from partnerhub.rewards.models import Sale

from .order_builders import live_listing

R = ProvisioningRequest.Status
S = Subscription.Status


@pytest.fixture
def fast(settings):
    settings.PROVISIONING_ALLOW_PRIVATE_NETWORKS = True
    settings.PROVISIONING_TIMEOUT_SECONDS = 1
    settings.MARKETPLACE_PROVISIONING_MAX_ATTEMPTS = 3
    settings.MARKETPLACE_PROVISIONING_RETRY_SECONDS = 60
    return settings


@pytest.fixture
def sample():
    with SampleService(hang_seconds=2.0) as service:
        yield service


def _order(world, listing, plan="standard", seats=2, **kw):
    sf = Storefront.objects.get(code="ru")
    return orders.order_place(actor=kw.pop("actor", world.customer_admin), storefront=sf, listing_id=listing.pk,
                              plan_code=plan, customer=kw.pop("customer", world.customer),
                              quantities={"seats": seats} if plan != "trial" else {}, **kw)  # fmt: skip


def _work(now=None):
    return provisioning.process_due(now=now or timezone.now())


def test_a_customer_orders_and_the_sample_service_provisions_it(world, fast, sample):
    listing = live_listing(world, api_url=sample.base_url)
    sub = _order(world, listing, seats=3)
    assert sub.status == S.PENDING and not sub.billable
    assert sub.recurring_amount == Decimal("1900.00") and sub.currency == "RUB"  # 1000 + 3 × 300
    assert _work() == {"approved": 1}
    sub.refresh_from_db()
    assert sub.status == S.ACTIVE and sub.billable and sub.vendor_subscription_id
    assert sub.period_end == billing.add_period(sub.period_start, "monthly")
    [held] = sample.subscriptions_of(sub.vendor_customer_id)
    assert held["plan"] == "standard" and held["quantities"] == {"seats": 3}
    # The customer bought it itself: the vendor's sale through the marketplace, and no partner's.
    [sale] = Sale.objects.all()
    assert sale.organisation == world.partner_b and sale.source == Sale.Source.MARKETPLACE
    assert sale.amount == Decimal("1900.00") and sale.currency == "RUB" and sale.customer_name == world.customer.name
    assert _work() == {}  # nothing due: the sale stays one
    sub.refresh_from_db()
    provisioning._record_sales(sub, sub.requests.get(), amount=sale.amount, sold_on=sale.sold_on, actor=None)  # replay
    assert Sale.objects.count() == 1


def test_upgrade_is_prorated_and_provisioned_then_cancel(world, fast, sample):
    listing = live_listing(world, api_url=sample.base_url)
    sub = _order(world, listing, seats=2)
    _work()
    sub.refresh_from_db()
    start = timezone.localdate() - timedelta(days=10)
    Subscription.objects.filter(pk=sub.pk).update(period_start=start, period_end=billing.add_period(start, "monthly"))
    sub.refresh_from_db()
    req = orders.subscription_change(actor=world.customer_admin, subscription=sub, quantities={"seats": 5})
    days = (sub.period_end - sub.period_start).days
    left = (sub.period_end - timezone.localdate()).days
    expected = (Decimal("900") * left / days).quantize(Decimal("0.01"))  # (2500 − 1600) × left / days
    assert req.proration == expected
    assert _work() == {"approved": 1}
    sub.refresh_from_db()
    assert sub.quantities == {"seats": 5} and sub.recurring_amount == Decimal("2500.00")
    assert sample.subscriptions_of(sub.vendor_customer_id)[0]["quantities"] == {"seats": 5}
    orders.subscription_cancel(actor=world.customer_admin, subscription=sub)
    sub.refresh_from_db()
    assert sub.status == S.TERMINATING
    _work()
    sub.refresh_from_db()
    assert sub.status == S.TERMINATED
    assert sample.subscriptions_of(sub.vendor_customer_id)[0]["status"] == "cancelled"


def test_proration_rule_is_exact():
    # 31-day January, change on the 21st: 11 days left of 31.
    assert billing.prorate(old=Decimal("1000"), new=Decimal("2000"), period_start=date(2026, 1, 1),
                           period_end=date(2026, 2, 1), on=date(2026, 1, 21)) == Decimal("354.84")  # fmt: skip
    assert billing.prorate(old=Decimal("2000"), new=Decimal("1000"), period_start=date(2026, 1, 1),
                           period_end=date(2026, 2, 1), on=date(2026, 1, 1)) == Decimal("-1000.00")  # fmt: skip
    assert billing.add_period(date(2026, 1, 31), "monthly") == date(2026, 2, 28)
    assert billing.add_period(date(2028, 2, 29), "annual") == date(2029, 2, 28)


def test_a_plan_change_that_would_orphan_usage_is_refused_with_the_reason(world, fast, sample):
    listing = live_listing(world, api_url=sample.base_url)
    sub = _order(world, listing, plan="payg", seats=1)
    _work()
    sub.refresh_from_db()
    orders.usage_report(actor=world.b_admin, subscription=sub, metric="calls", quantity="12.5")
    with pytest.raises(ValidationError) as exc:
        orders.subscription_change(actor=world.customer_admin, subscription=sub, plan_code="standard")
    [message] = exc.value.message_dict["plan"]
    assert "calls" in message and "12.5" in message
    assert not sub.requests.filter(kind="change").exists()


def test_a_partner_orders_for_its_customer_and_the_sale_is_the_partners_once_provisioned(world, fast, sample):
    from .marketplace_builders import vendor_programme

    vendor_programme()
    listing = live_listing(world, api_url=sample.base_url)
    link = orders.partner_customer_create(actor=world.a_admin, partner=world.partner_a, name="ООО Клиент",
                                          inn="7707083893")  # fmt: skip
    sub = _order(world, listing, actor=world.a_sales, customer=link.customer, partner=world.partner_a, seats=1)
    assert not Sale.objects.exists()  # not before the vendor provisioned it
    _work()
    [sale] = Sale.objects.filter(organisation=world.partner_a)
    assert sale.amount == Decimal("1300.00") and sale.currency == "RUB" and sale.source == "marketplace"
    [vendors] = Sale.objects.filter(organisation=world.partner_b)  # the listing's vendor sold it too
    assert vendors.amount == sale.amount and vendors.external_ref == sale.external_ref
    assert sale.product_family.code == "marketplace-services"
    sub.refresh_from_db()
    assert sub.status == S.ACTIVE
    # another partner cannot order for that customer
    with pytest.raises(Exception):  # noqa: B017 - 404
        _order(world, listing, actor=world.b_admin, customer=link.customer, partner=world.partner_b)
    assert CustomerLink.objects.filter(partner=world.partner_a).count() == 1


def test_failures_retry_with_backoff_then_dead_letter_and_no_bill_until_an_operator_recovers(world, fast, sample):
    listing = live_listing(world, api_url=sample.base_url)
    sample.failures = {"error500": set()}
    sub = _order(world, listing)
    req = sub.requests.get()
    now = timezone.now()
    assert _work(now) == {"scheduled": 1}
    req.refresh_from_db()
    assert req.attempts == 1 and req.next_attempt_at == now + timedelta(seconds=60)
    assert req.last_error["kind"] == "server"
    assert _work(now + timedelta(seconds=30)) == {}  # not due yet
    assert _work(now + timedelta(seconds=61)) == {"scheduled": 1}
    req.refresh_from_db()
    assert req.attempts == 2 and req.next_attempt_at == now + timedelta(seconds=61 + 120)  # doubled
    assert _work(now + timedelta(seconds=200)) == {"failed": 1}
    req.refresh_from_db()
    sub.refresh_from_db()
    assert req.status == R.FAILED and req.attempts == 3 and len(req.call_log) == 3
    assert sub.status == S.PENDING and not sub.billable
    with pytest.raises(PermissionDenied):
        provisioning.request_retry(actor=world.customer_admin, request=req)
    sample.failures = {}
    provisioning.request_retry(actor=world.vendor_admin, request=req)
    assert _work() == {"approved": 1}
    sub.refresh_from_db()
    assert sub.status == S.ACTIVE and sub.billable


def test_garbage_answers_go_to_the_dead_letter_at_once(world, fast, sample):
    listing = live_listing(world, api_url=sample.base_url)
    sample.failures = {"garbage": {"create_subscription"}}
    sub = _order(world, listing)
    assert _work() == {"failed": 1}
    req = sub.requests.get()
    assert req.last_error["kind"] == "invalid_response" and req.attempts == 1


def test_a_lost_answer_is_retried_with_the_same_key_and_provisions_once(world, fast, sample):
    listing = live_listing(world, api_url=sample.base_url)
    sample.failures = {"lost_response": {"create_subscription"}}
    sub = _order(world, listing)
    now = timezone.now()
    assert _work(now) == {"scheduled": 1}
    assert _work(now + timedelta(minutes=2)) == {"approved": 1}
    sub.refresh_from_db()
    assert len(sample.subscriptions_of(sub.vendor_customer_id)) == 1
    keys = [key for method, path, key in sample.requests_seen() if path.endswith("/subscriptions")]
    assert len(keys) == 2 and len(set(keys)) == 1


def test_a_dead_workers_claim_expires_and_the_request_is_taken_again(world, fast, sample):
    listing = live_listing(world, api_url=sample.base_url)
    sub = _order(world, listing)
    req = sub.requests.get()
    now = timezone.now()
    assert provisioning._claim(req.pk, now=now) is not None  # a worker claimed it, then died
    assert _work(now + timedelta(seconds=10)) == {}
    assert _work(now + timedelta(seconds=301)) == {"approved": 1}


def test_cancelling_a_pending_order_revokes_its_request(world, fast, sample):
    listing = live_listing(world, api_url=sample.base_url)
    sub = _order(world, listing)
    orders.subscription_cancel(actor=world.customer_admin, subscription=sub)
    sub.refresh_from_db()
    assert sub.status == S.TERMINATED and sub.requests.get().status == R.REVOKED
    assert _work() == {}


def test_the_state_machine_refuses_what_it_does_not_allow(world, fast, sample):
    listing = live_listing(world, api_url=sample.base_url)
    sub = _order(world, listing)
    with pytest.raises(ValidationError):
        move(sub, S.PAUSED)
    with pytest.raises(ValidationError):
        orders.subscription_change(actor=world.customer_admin, subscription=sub, quantities={"seats": 3})
    _work()
    sub.refresh_from_db()
    orders.subscription_suspend(actor=world.customer_admin, subscription=sub)
    with pytest.raises(ValidationError):  # one open request at a time
        orders.subscription_cancel(actor=world.customer_admin, subscription=sub)
    _work()
    sub.refresh_from_db()
    assert sub.status == S.PAUSED and not sub.billable
    with pytest.raises(PermissionDenied):
        orders.subscription_suspend(actor=world.customer_admin, subscription=sub, unpaid=True)
    orders.subscription_resume(actor=world.customer_admin, subscription=sub)
    _work()
    sub.refresh_from_db()
    assert sub.status == S.ACTIVE


def test_trial_then_upgrade_starts_a_paid_period(world, fast, sample):
    listing = live_listing(world, api_url=sample.base_url)
    sub = _order(world, listing, plan="trial")
    _work()
    sub.refresh_from_db()
    assert sub.status == S.TRIAL and sub.trial_ends_on == timezone.localdate() + timedelta(days=14)
    assert not sub.billable
    req = orders.subscription_change(actor=world.customer_admin, subscription=sub, plan_code="standard",
                                     quantities={"seats": 1})  # fmt: skip
    assert req.proration == Decimal("1300.00")
    _work()
    sub.refresh_from_db()
    assert sub.status == S.ACTIVE and sub.billable and sub.plan_code == "standard"


def test_prices_of_a_charge_priced_only_in_a_base_currency_are_converted_or_refused(world, fast, sample):
    from partnerhub.marketplace.models import Price
    from partnerhub.rewards.models import ExchangeRate

    listing = live_listing(world, api_url=sample.base_url)
    Price.objects.filter(charge__plan__version=listing.live_version, currency="RUB").delete()
    with pytest.raises(ValidationError) as exc:
        _order(world, listing, seats=1)
    assert "KZT" in str(exc.value) and timezone.localdate().isoformat() in str(exc.value)
    ExchangeRate.objects.create(currency="KZT", on=timezone.localdate(), value=Decimal("17.5"), nominal=100)
    sub = _order(world, listing, seats=1)
    assert sub.recurring_amount == Decimal("1365.00")  # (6000 + 1800) KZT × 0.175


def test_a_storefront_shows_base_currency_prices_converted_and_a_missing_rate_blocks_submission(world, client):
    import copy

    from partnerhub.marketplace import services
    from partnerhub.rewards.models import ExchangeRate

    from .marketplace_builders import draft_listing
    from .order_builders import PRICING

    listing = draft_listing(world.b_admin, world.partner_b)
    kzt_only = copy.deepcopy(PRICING)
    for plan in kzt_only["plans"]:
        for charge in plan.get("charges", []):
            charge["prices"] = [p for p in charge["prices"] if p["currency"] == "KZT"]
    services.set_pricing(actor=world.b_admin, listing=listing, document=kzt_only)
    today = timezone.localdate().isoformat()
    gaps = services.submission_gaps(listing.working_version)
    assert any("KZT" in m and today in m for messages in gaps.values() for m in messages), gaps
    with pytest.raises(ValidationError):
        services.submit(actor=world.b_admin, listing=listing)
    ExchangeRate.objects.create(currency="KZT", on=timezone.localdate(), value=Decimal("17.5"), nominal=100)
    version = services.submit(actor=world.b_admin, listing=listing)
    services.version_approve(actor=world.vendor_admin, version=version)
    page = client.get(f"/store/ru/listings/{listing.pk}/").content.decode()
    assert "₽1,050" in page and "₽315 / seat" in page  # 6000 KZT × 0.175, 1800 KZT × 0.175
    ExchangeRate.objects.all().delete()
    page = client.get(f"/store/ru/listings/{listing.pk}/").content.decode()
    assert "KZT" in page and today in page and "order-standard" not in page


def test_an_accepted_operation_is_polled_until_it_completes(world, fast):
    with SampleService(completion="async") as service:
        listing = live_listing(world, api_url=service.base_url)
        sub = _order(world, listing)
        now = timezone.now()
        assert _work(now) == {"scheduled": 1}  # 202: the status URL is kept and polled
        req = sub.requests.get()
        assert req.operation_url.startswith(service.base_url) and req.attempts == 0
        assert _work(now + timedelta(seconds=settings_poll())) == {"approved": 1}
        sub.refresh_from_db()
        assert sub.status == S.ACTIVE and sub.vendor_subscription_id


def settings_poll() -> int:
    from django.conf import settings

    return settings.MARKETPLACE_PROVISIONING_POLL_SECONDS


def test_an_order_cancelled_while_the_vendor_creates_it_is_cancelled_at_the_vendor(world, fast, sample):
    listing = live_listing(world, api_url=sample.base_url)
    sub = _order(world, listing)
    req = sub.requests.get()
    now = timezone.now()
    claimed = provisioning._claim(req.pk, now=now)  # a worker is calling the vendor…
    orders.subscription_cancel(actor=world.customer_admin, subscription=sub)  # …when the customer cancels
    client = provisioning._client(Subscription.objects.get(pk=sub.pk), None)
    result = provisioning._call(claimed, Subscription.objects.get(pk=sub.pk), client)
    assert provisioning._record(req.pk, result, None, calls=client.calls, now=now) == R.REVOKED
    cancel = sub.requests.get(kind="cancel")
    assert _work() == {"approved": 1}
    sub.refresh_from_db()
    assert sub.status == S.TERMINATED and not sub.billable
    assert sample.subscriptions_of(sub.vendor_customer_id)[0]["status"] == "cancelled"
    assert cancel.pk
