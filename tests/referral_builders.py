"""Referral tests' data: a referral programme, partners with links, clicks, sign-ups, purchases.

The ``ref`` fixture is registered for every test module by ``tests/conftest.py``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from partnerhub.identity.models import Membership, Organisation
from partnerhub.partners import services as partner_services
from partnerhub.programmes.models import Programme, ProgrammeRole, ProgrammeVersion
from partnerhub.referrals import services
from tests.factories import valid_inn
from tests.programme_builders import family

BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36"
PASSWORD = "Tulip-Meadow-2026!"
ROMASHKA_INN = valid_inn(5001)


def referral_version(
    *,
    programme=None,
    code="ref",
    rule="last_click",
    window=90,
    percent="12.50",
    effective_from=date(2020, 1, 1),
    number=1,
) -> ProgrammeVersion:
    programme = programme or Programme.objects.create(code=code, name="Referral partners")
    version = ProgrammeVersion.objects.create(
        programme=programme,
        number=number,
        status="published",
        effective_from=effective_from,
        name="Referral",
        currency="RUB",
        referral_attribution=rule,
        referral_window_days=window,
        referral_reward_percent=Decimal(percent),
    )
    ProgrammeRole.objects.create(version=version, code="referrer", name="Referrer", kind="referral", has_tiers=False)
    return version


@pytest.fixture
def ref(world):
    """A referral programme (last click, 90 days, 12.5 %), partners A and B in it, one link each."""
    version = referral_version()
    for org in (world.partner_a, world.partner_b):
        partner_services.enrol(
            actor=None,
            organisation=org,
            programme=version.programme,
            role_code="referrer",
            joined_on=date(2020, 1, 2),
            active=True,
        )
    family()
    link_a = services.link_create(
        actor=world.a_admin, organisation=world.partner_a, target="/pricing/", campaign="blog"
    )
    link_b = services.link_create(actor=world.b_admin, organisation=world.partner_b, target="/trial/")

    class Ref:
        pass

    r = Ref()
    r.version, r.link_a, r.link_b = version, link_a, link_b
    return r


def click(link, *, cookie=None, at=None, ua=BROWSER, ip="203.0.113.7", method="GET", user=None):
    return services.record_click(
        code=link.code, method=method, headers={"User-Agent": ua}, ip=ip, cookie=cookie, user=user, now=at
    )


def signup_data(**over) -> dict:
    data = {
        "company_name": "ООО «Ромашка»",
        "inn": ROMASHKA_INN,
        "full_name": "Анна Петрова",
        "email": "anna@romashka.ru",
        "password": PASSWORD,
        "referral_code": "",
    }
    data.update(over)
    return data


def sign_up(cookie=None, **over):
    client = Client()
    if cookie:
        client.cookies["ph_ref"] = cookie
    return client, client.post("/signup/", signup_data(**over))


def customer_of(email="anna@romashka.ru") -> Organisation:
    return Membership.objects.get(user__email=email).organisation


def purchase(customer, **over) -> dict:
    body = {
        "customer_id": customer.pk,
        "amount": "123456.78",
        "currency": "RUB",
        "product_family": "software",
        "sold_on": timezone.localdate().isoformat(),
        "reference": "INV-1",
    }
    body.update(over)
    return body
