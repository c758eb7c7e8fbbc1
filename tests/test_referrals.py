"""Referral links: click tracking, attribution of sign-ups, rewarded purchases, partners' statistics."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone

from partnerhub.core.models import AuditEntry, Notification
from partnerhub.deals import services as deals
from partnerhub.identity.models import Membership, Organisation
from partnerhub.partners import services as partner_services
from partnerhub.referrals import services, tracking
from partnerhub.referrals.models import Conversion, ReferralAttribution, ReferralClick, ReferralLink
from partnerhub.rewards.models import Sale
from tests.deal_builders import register
from tests.factories import valid_inn
from tests.referral_builders import (
    BROWSER,
    ROMASHKA_INN,
    click,
    customer_of,
    purchase,
    referral_version,
    sign_up,
)

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------------------- click tracking


def test_click_is_recorded_before_the_redirect_and_sets_a_signed_cookie(ref):
    r = Client().get(f"/r/{ref.link_a.code}", headers={"User-Agent": BROWSER, "Referer": "https://blog.example/post"})
    assert r.status_code == 302 and r["Location"] == "/pricing/"
    stored = ReferralClick.objects.get()
    assert stored.link == ref.link_a and not stored.is_bot and not stored.is_duplicate
    assert stored.referer_host == "blog.example" and stored.user_agent == BROWSER[:200]
    assert stored.ip_hash and "127.0.0.1" not in stored.ip_hash and len(stored.ip_hash) == 64
    cookie = r.cookies["ph_ref"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and not cookie["secure"]
    assert int(cookie["max-age"]) == 90 * 86400
    visit = tracking.read_cookie(cookie.value)
    assert visit.visitor_id == stored.visitor_id and visit.click_id == stored.pk
    assert r["Cache-Control"].startswith("max-age=0") and "no-cache" in r["Cache-Control"]


def test_the_cookie_is_secure_when_settings_say_so(ref, settings):
    settings.REFERRAL_COOKIE_SECURE = True
    r = Client().get(f"/r/{ref.link_a.code}", headers={"User-Agent": BROWSER})
    assert r.cookies["ph_ref"]["secure"]


def test_the_cookie_lives_as_long_as_the_programmes_window(world):
    version = referral_version(window=30)
    partner_services.enrol(
        actor=None,
        organisation=world.partner_a,
        programme=version.programme,
        role_code="referrer",
        joined_on=date(2020, 1, 2),
        active=True,
    )
    link = services.link_create(actor=world.a_admin, organisation=world.partner_a, target="/")
    r = Client().get(f"/r/{link.code}", headers={"User-Agent": BROWSER})
    assert int(r.cookies["ph_ref"]["max-age"]) == 30 * 86400


@pytest.mark.parametrize(
    "ua",
    [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0 Safari/537.36",
        "TelegramBot (like TwitterBot)",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
        "WhatsApp/2.23.20.0",
        "curl/8.4.0",
        "python-requests/2.31",
        "",
    ],
)
def test_bots_are_recorded_as_bots_and_get_no_cookie(ref, ua):
    r = Client().get(f"/r/{ref.link_a.code}", headers={"User-Agent": ua})
    assert r.status_code == 302 and r["Location"] == "/pricing/"
    assert "ph_ref" not in r.cookies
    assert ReferralClick.objects.get().is_bot


def test_head_requests_and_prefetches_are_not_clicks(ref):
    assert Client().head(f"/r/{ref.link_a.code}", headers={"User-Agent": BROWSER}).status_code == 302
    r = Client().get(f"/r/{ref.link_a.code}", headers={"User-Agent": BROWSER, "Sec-Purpose": "prefetch"})
    assert "ph_ref" not in r.cookies
    assert list(ReferralClick.objects.values_list("is_bot", flat=True)) == [True, True]


def test_browsers_are_not_taken_for_bots():
    for ua in (
        BROWSER,
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 "
        "Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/120 YaBrowser/24.1 Safari/537.36",
    ):
        assert not tracking.is_bot(user_agent=ua, method="GET", headers={})


def test_a_repeat_within_30_minutes_counts_once(ref, world, api):
    start = timezone.now() - timedelta(hours=2)
    first = click(ref.link_a, at=start)
    again = click(ref.link_a, cookie=first.cookie, at=start + timedelta(minutes=10))
    later = click(ref.link_a, cookie=again.cookie, at=start + timedelta(minutes=45))
    assert [first.click.is_duplicate, again.click.is_duplicate, later.click.is_duplicate] == [False, True, False]
    assert first.click.visitor_id == again.click.visitor_id == later.click.visitor_id
    # Without a cookie (refused by the browser), the same address and browser is the same visitor.
    no_cookie = click(ref.link_a, at=start + timedelta(minutes=50))
    assert no_cookie.click.is_duplicate
    # Another person behind another address is not a repeat.
    assert not click(ref.link_a, at=start + timedelta(minutes=50), ip="198.51.100.9").click.is_duplicate
    # A bot is never counted.
    click(ref.link_a, ua="Googlebot/2.1", at=start + timedelta(minutes=51), ip="66.249.66.1")
    body = api(world.a_admin).get(f"/referral-links/{ref.link_a.pk}/stats").json()
    assert body["stats"]["clicks"] == 3


def test_a_flood_from_one_address_is_not_recorded(ref, settings):
    settings.REFERRAL_CLICKS_PER_MINUTE = 3
    at = timezone.now().replace(second=1)
    outcomes = [click(ref.link_a, at=at, ip="192.0.2.1") for _i in range(6)]
    assert ReferralClick.objects.count() == 3
    assert all(o.target == "/pricing/" for o in outcomes)


def test_unknown_or_inactive_code_is_a_404_page(ref, world):
    assert Client().get("/r/nosuchcode", headers={"User-Agent": BROWSER}).status_code == 404
    services.link_update(actor=world.a_admin, link=ref.link_a, is_active=False)
    r = Client().get(f"/r/{ref.link_a.code}", headers={"User-Agent": BROWSER})
    assert r.status_code == 404 and "ph_ref" not in r.cookies
    assert not ReferralClick.objects.exists()
    assert Client().post(f"/r/{ref.link_b.code}").status_code == 405


def test_a_forged_cookie_is_ignored(ref):
    genuine = click(ref.link_b, at=timezone.now() - timedelta(days=1)).cookie
    forged_payload = {"v": str(uuid.uuid4()), "c": ReferralClick.objects.get().pk}
    forgeries = [
        signing.dumps(forged_payload, salt="another-salt"),
        signing.dumps(forged_payload, key="not-our-secret-key-but-long-enough-000000", salt=tracking.COOKIE_SALT),
        genuine[:-2] + ("AA" if not genuine.endswith("AA") else "BB"),
        "not even a cookie",
    ]
    for value in forgeries:
        assert tracking.read_cookie(value) is None
        outcome = click(ref.link_a, cookie=value, ip="198.51.100.20")
        assert outcome.click.visitor_id != ReferralClick.objects.order_by("id").first().visitor_id
    _client, r = sign_up(cookie=forgeries[2])
    assert r.status_code == 302
    assert not ReferralAttribution.objects.exists()


# ---------------------------------------------------------------------------- link targets


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/login",
        "/\\evil.example",
        "javascript:alert(1)",
        "https://www.vendor.test@evil.example/",
        "https://evil.example/?next=https://www.vendor.test/",
        "ftp://www.vendor.test/file",
        "https://www.vendor.test.evil.example/",
        "/pricing/\nSet-Cookie: x=1",
    ],
)
def test_open_redirects_are_refused(world, api, settings, target):
    settings.REFERRAL_ALLOWED_HOSTS = ["www.vendor.test"]
    r = api(world.a_admin).post(f"/organisations/{world.partner_a.pk}/referral-links", {"target": target})
    assert r.status_code == 422, r.json()
    assert r.json()["errors"][0]["field"] == "target"
    assert not ReferralLink.objects.exists()


def test_allowed_vendor_hosts_and_same_site_paths_are_accepted(world, api, settings):
    settings.REFERRAL_ALLOWED_HOSTS = ["www.vendor.test"]
    client = api(world.a_admin)
    for target in ("/pricing/?plan=pro#top", "https://www.vendor.test/trial/", "http://WWW.VENDOR.TEST/x"):
        r = client.post(f"/organisations/{world.partner_a.pk}/referral-links", {"target": target, "campaign": "x"})
        assert r.status_code == 201, r.json()
        assert r.json()["url"].endswith(f"/r/{r.json()['code']}")
    # A host removed from the settings later no longer receives visitors: they land on the home page.
    link = ReferralLink.objects.get(target="https://www.vendor.test/trial/")
    settings.REFERRAL_ALLOWED_HOSTS = []
    assert Client().get(f"/r/{link.code}", headers={"User-Agent": BROWSER})["Location"] == "/"


# ---------------------------------------------------------------------------- attribution at sign-up


def test_signup_with_the_cookie_goes_to_the_last_click(ref, world):
    now = timezone.now()
    first = click(ref.link_a, at=now - timedelta(days=10))
    last = click(ref.link_b, cookie=first.cookie, at=now - timedelta(days=2))
    client, r = sign_up(cookie=last.cookie)
    assert r.status_code == 302 and r["Location"] == "/"
    assert client.get("/").status_code == 200  # signed in
    assert r.cookies["ph_ref"].value == ""  # the referral cookie is spent
    customer = customer_of()
    assert customer.kind == "customer" and customer.inn == ROMASHKA_INN
    assert Membership.objects.get(organisation=customer).role == "customer_admin"
    attribution = ReferralAttribution.objects.get()
    assert (attribution.organisation, attribution.link, attribution.how) == (world.partner_b, ref.link_b, "cookie")
    assert attribution.status == "active" and attribution.customer == customer
    assert attribution.window_ends_on == timezone.localdate() + timedelta(days=90)
    signup = Conversion.objects.get()
    assert (signup.kind, signup.status, signup.organisation, signup.version) == (
        "signup",
        "attributed",
        world.partner_b,
        ref.version,
    )
    assert Notification.objects.filter(user=world.b_admin, kind="referral.signup").exists()
    assert not Notification.objects.filter(user=world.a_admin, kind="referral.signup").exists()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"organisation.signed_up", "referral.attributed", "referral.signup", "referral.registered"} <= actions


def test_the_referral_claim_goes_through_the_claim_registry(ref, world):
    _client, _r = sign_up(cookie=click(ref.link_a).cookie)
    attribution = ReferralAttribution.objects.get()
    claim = attribution.claim
    assert (claim.kind, claim.origin, claim.status) == ("referral", "referral", "protected")
    assert claim.organisation == world.partner_a and claim.customer_organisation == customer_of()
    assert claim.customer_inn == ROMASHKA_INN and claim.domain_key == "romashka.ru"
    assert claim.programme == ref.version.programme
    # Another partner registering a deal on that customer now meets the referral.
    rival = register(world.b_admin, world.partner_b, customer_inn=ROMASHKA_INN, customer_name="Romashka LLC")
    assert rival.status == "held"


@pytest.mark.parametrize(("rule", "winner"), [("first_click", "a"), ("bind_once", "a"), ("last_click", "b")])
def test_the_programmes_rule_picks_the_click(world, rule, winner):
    version = referral_version(rule=rule)
    for org in (world.partner_a, world.partner_b):
        partner_services.enrol(
            actor=None,
            organisation=org,
            programme=version.programme,
            role_code="referrer",
            joined_on=date(2020, 1, 2),
            active=True,
        )
    link_a = services.link_create(actor=world.a_admin, organisation=world.partner_a, target="/")
    link_b = services.link_create(actor=world.b_admin, organisation=world.partner_b, target="/")
    now = timezone.now()
    very_old = click(link_b, at=now - timedelta(days=120))  # outside the window: never counts
    first = click(link_a, cookie=very_old.cookie, at=now - timedelta(days=30))
    last = click(link_b, cookie=first.cookie, at=now - timedelta(days=1))
    sign_up(cookie=last.cookie)
    attribution = ReferralAttribution.objects.get()
    assert attribution.organisation == {"a": world.partner_a, "b": world.partner_b}[winner]
    assert attribution.rule == rule
    expected_first = first.click.at if winner == "a" else last.click.at
    assert attribution.first_click_at == expected_first


def _returning_customer_clicks(world, rule):
    version = referral_version(rule=rule)
    for org in (world.partner_a, world.partner_b):
        partner_services.enrol(
            actor=None,
            organisation=org,
            programme=version.programme,
            role_code="referrer",
            joined_on=date(2020, 1, 2),
            active=True,
        )
    link_a = services.link_create(actor=world.a_admin, organisation=world.partner_a, target="/")
    link_b = services.link_create(actor=world.b_admin, organisation=world.partner_b, target="/")
    client, _r = sign_up(cookie=click(link_a, at=timezone.now() - timedelta(days=3)).cookie)
    assert ReferralAttribution.objects.get().organisation == world.partner_a
    r = client.get(f"/r/{link_b.code}", headers={"User-Agent": BROWSER})  # signed in as the customer
    assert r.status_code == 302
    return ReferralAttribution.objects.order_by("id")


@pytest.mark.parametrize("rule", ["bind_once", "first_click"])
def test_a_bound_customer_stays_with_the_first_partner(world, rule):
    attributions = _returning_customer_clicks(world, rule)
    assert [(a.organisation, a.status) for a in attributions] == [(world.partner_a, "active")]
    assert ReferralClick.objects.filter(customer__isnull=False).count() == 1


def test_bind_once_never_moves_even_after_the_window(world):
    attributions = _returning_customer_clicks(world, "bind_once")
    first = attributions.get()
    first.window_ends_on = timezone.localdate() - timedelta(days=1)
    first.save()
    services.settle_attributions()
    first.refresh_from_db()
    assert first.status == "ended"
    link_b = ReferralLink.objects.get(organisation=world.partner_b)
    client = Client()
    client.force_login(Membership.objects.get(role="customer_admin", user__email="anna@romashka.ru").user)
    client.get(f"/r/{link_b.code}", headers={"User-Agent": BROWSER})
    assert ReferralAttribution.objects.count() == 1


def test_under_last_click_a_later_partner_takes_the_customer_after_the_managers_decision(world):
    attributions = _returning_customer_clicks(world, "last_click")
    old, new = list(attributions)
    assert (old.organisation, old.status) == (world.partner_a, "active")
    # A's referral claim protects the customer: B's claim is held, not silently accepted.
    assert (new.organisation, new.status, new.claim.status) == (world.partner_b, "held", "held")
    conflict = new.claim.conflicts.get()
    deals.resolve_conflict(actor=world.bdm_b, conflict=conflict, resolution="not_a_conflict", reason="moved")
    deals.approve(actor=world.bdm_b, claim=new.claim)  # the decision applies at once, no job needed
    assert services.settle_attributions() == {"confirmed": 0, "ended": 0}
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.status, old.end_reason, new.status) == ("ended", "moved", "active")


def test_a_typed_code_counts_when_no_click_does(ref, world):
    _client, r = sign_up(referral_code=f"  {ref.link_a.code.upper()} ")
    assert r.status_code == 302
    attribution = ReferralAttribution.objects.get()
    assert (attribution.organisation, attribution.how, attribution.link) == (world.partner_a, "code", ref.link_a)
    assert attribution.first_click_at is None


def test_a_click_beats_a_typed_code(ref, world):
    sign_up(cookie=click(ref.link_b).cookie, referral_code=ref.link_a.code)
    assert ReferralAttribution.objects.get().organisation == world.partner_b


def test_an_unknown_code_is_a_field_error_and_creates_nothing(ref):
    _client, r = sign_up(referral_code="nosuchcode")
    assert r.status_code == 422
    assert "No active referral code" in r.content.decode()
    assert not Organisation.objects.filter(inn=ROMASHKA_INN).exists()


def test_a_click_outside_the_window_is_not_attributed(ref):
    old = click(ref.link_a, at=timezone.now() - timedelta(days=91))
    _client, r = sign_up(cookie=old.cookie)
    assert r.status_code == 302
    assert customer_of().kind == "customer"
    assert not ReferralAttribution.objects.exists() and not Conversion.objects.exists()


def test_the_window_is_the_programmes(world):
    version = referral_version(window=14)
    partner_services.enrol(
        actor=None,
        organisation=world.partner_a,
        programme=version.programme,
        role_code="referrer",
        joined_on=date(2020, 1, 2),
        active=True,
    )
    link = services.link_create(actor=world.a_admin, organisation=world.partner_a, target="/")
    sign_up(cookie=click(link, at=timezone.now() - timedelta(days=15)).cookie)
    assert not ReferralAttribution.objects.exists()
    sign_up(
        cookie=click(link, at=timezone.now() - timedelta(days=13)).cookie,
        inn=valid_inn(5002),
        email="boss@lilia.ru",
        company_name="ООО Лилия",
    )
    assert ReferralAttribution.objects.get().window_ends_on == timezone.localdate() + timedelta(days=14)


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"inn": "7700000001"}, "inn"),
        ({"company_name": ""}, "company_name"),
        ({"password": "123"}, "password"),
        ({"email": "not-an-email"}, "email"),
    ],
)
def test_signup_validates_like_identity(ref, over, field):
    _client, r = sign_up(**over)
    assert r.status_code == 422
    assert f'data-field="{field}"' in r.content.decode()
    assert not Organisation.objects.filter(kind="customer", inn=ROMASHKA_INN).exists()


def test_signup_refuses_a_known_company_and_a_known_address(ref, world):
    sign_up()
    _c, r = sign_up(email="other@romashka.ru")
    assert r.status_code == 422 and "already registered" in r.content.decode()
    _c, r = sign_up(inn=valid_inn(5003))
    assert r.status_code == 422 and "sign in instead" in r.content.decode()


def test_a_customer_already_protected_by_another_partners_deal_is_held_not_accepted(ref, world, api):
    deal = register(world.a_admin, world.partner_a, customer_inn=ROMASHKA_INN, customer_name="ООО «Ромашка»")
    sign_up(cookie=click(ref.link_b).cookie)
    attribution = ReferralAttribution.objects.get()
    assert attribution.organisation == world.partner_b
    assert attribution.status == "held" and attribution.claim.status == "held"
    assert attribution.claim.conflicts.get().other == deal
    assert Conversion.objects.get(kind="signup").status == "held"
    # A purchase meanwhile waits with the attribution: no sale for anybody yet.
    customer = customer_of()
    r = api(world.finance).post("/referral-purchases", purchase(customer, reference="INV-H1"))
    assert r.status_code == 201 and r.json()["conversion"]["status"] == "held"
    assert r.json()["conversion"]["reward_amount"] == "15432.10"
    assert not Sale.objects.exists()
    # The partner manager keeps the first registration: the referral ends, its conversions are not credited.
    deals.reject(actor=world.bdm_b, claim=attribution.claim, reason="Partner A registered the deal first")
    assert services.settle_attributions() == {"confirmed": 0, "ended": 0}  # already applied by the decision
    attribution.refresh_from_db()
    assert (attribution.status, attribution.end_reason) == ("ended", "claim_rejected")
    assert set(Conversion.objects.values_list("status", flat=True)) == {"rejected"}
    assert not Sale.objects.exists()


def test_a_held_attribution_confirmed_by_the_manager_releases_its_purchases(ref, world, api):
    register(world.a_admin, world.partner_a, customer_inn=ROMASHKA_INN, customer_name="ООО «Ромашка»")
    sign_up(cookie=click(ref.link_b).cookie)
    attribution = ReferralAttribution.objects.get()
    api(world.finance).post("/referral-purchases", purchase(customer_of(), reference="INV-H2"))
    deals.resolve_conflict(
        actor=world.bdm_b,
        conflict=attribution.claim.conflicts.get(),
        resolution="not_a_conflict",
        reason="another Romashka",
    )
    deals.approve(actor=world.bdm_b, claim=attribution.claim)  # applied at once
    conversion = Conversion.objects.get(kind="purchase")
    assert conversion.status == "attributed" and conversion.sale.organisation == world.partner_b
    assert conversion.sale.amount == Decimal("123456.78") and conversion.sale.source == "referral"
    assert services.settle_attributions() == {"confirmed": 0, "ended": 0}  # idempotent
    assert Sale.objects.count() == 1
