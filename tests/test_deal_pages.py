"""Deal pages: the board, registration form, detail and review pages, and what they read."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from partnerhub.deals import keys, services
from partnerhub.deals.matching import find_matches
from partnerhub.deals.models import Claim, ClaimConflict
from tests.deal_builders import CUSTOMER_INN, register
from tests.factories import valid_inn
from tests.programme_builders import family
from tests.test_deals import OTHER_INN, _protected

# ---------------------------------------------------------------------------- pages


def test_pipeline_board_and_registration_page(world, ui):
    family()
    c = ui(world.a_sales)
    assert c.get("/deals/").status_code == 200
    r = c.post("/deals/new/", {"customer_name": "ООО Ромашка", "customer_inn": "123", "cooperation_model": "resale",
                               "currency": "RUB", "expected_close_on": "2020-01-01", "line1_product_family": "software",
                               "line1_sale_type": "new", "line1_amount": "0", "line2_sale_type": "new",
                               "line3_sale_type": "new"})  # fmt: skip
    assert r.status_code == 200
    html = r.content.decode()
    assert 'data-field="customer_inn"' in html and 'data-field="line1_amount"' in html
    assert not Claim.objects.exists()
    r = c.post("/deals/new/", {"customer_name": "ООО Ромашка", "customer_inn": CUSTOMER_INN,
                               "cooperation_model": "resale", "currency": "RUB",
                               "expected_close_on": (timezone.localdate() + timedelta(days=30)).isoformat(),
                               "line1_product_family": "software", "line1_sale_type": "new", "line1_amount": "1000",
                               "line2_sale_type": "new", "line3_sale_type": "new"})  # fmt: skip
    claim = Claim.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/deals/{claim.pk}/"
    assert "ООО Ромашка" in c.get("/deals/").content.decode()


def test_held_deal_page_hides_the_other_party_and_bdm_decides_on_it(world, ui):
    register(world.a_admin, world.partner_a)
    held = register(world.b_admin, world.partner_b, customer_inn=OTHER_INN)
    page = ui(world.b_admin).get(f"/deals/{held.pk}/").content.decode()
    assert "possible conflict" in page and "Partner A" not in page
    bdm_page = ui(world.bdm_b).get(f"/deals/{held.pk}/").content.decode()
    assert "Partner A" in bdm_page and "data-conflict" in bdm_page
    conflict = ClaimConflict.objects.get(claim=held)
    form = {"action": "resolve", "conflict_id": conflict.pk, "resolve-resolution": "keep_existing"}
    r = ui(world.bdm_b).post(f"/deals/{held.pk}/", {**form, "resolve-reason": ""})
    assert r.status_code == 200 and "Give a reason" in r.content.decode()
    r = ui(world.bdm_b).post(f"/deals/{held.pk}/", {**form, "resolve-reason": "A first"})
    assert r.status_code == 302
    held.refresh_from_db()
    assert held.status == "rejected"
    assert ui(world.bdm_b).get("/deals/review/").status_code == 200
    assert ui(world.vendor_admin).get("/deals/overview/").status_code == 200
    assert ui(world.a_admin).get("/deals/review/").status_code == 404


def test_overview_counts_by_stage_partner_and_region(world, api):
    _protected(world)
    register(world.b_admin, world.partner_b, customer_name="ООО Василёк", customer_inn=OTHER_INN, customer_domain="",
             customer_region="Санкт-Петербург")  # fmt: skip
    o = api(world.vendor_admin).get("/deal-overview").json()
    assert o["by_status"] == {"pending": 1, "protected": 1}
    assert {r["organisation_name"]: r["open"] for r in o["by_partner"]} == {"Partner A": 1, "Partner B": 1}
    assert {r["region"] for r in o["by_region"]} == {"Москва", "Санкт-Петербург"}
    assert api(world.a_admin).get("/deal-overview").status_code == 404
    mine = api(world.bdm_a).get("/deal-overview").json()
    assert [r["organisation_name"] for r in mine["by_partner"]] == ["Partner A"]


@given(st.text(alphabet="абвгдеёжзийклмнопрстуфхцчшщыэюяabcdefghijklmnopqrstuvwxyz0123456789 -", min_size=1))
def test_name_key_ignores_legal_form_quotes_and_case(name):
    for form in ("ООО", "АО", "LLC", "Ltd."):
        assert keys.name_key(f'{form} "{name.upper()}"') == keys.name_key(name)


def test_deal_events_reach_the_partners_own_webhooks_only(world, settings):
    from partnerhub.webhooks import services as webhooks
    from partnerhub.webhooks.models import WebhookDelivery

    settings.WEBHOOKS_ALLOW_HTTP = True
    settings.WEBHOOKS_RETRY_DELAYS = [3600]
    hook_a, _ = webhooks.endpoint_create(actor=world.a_admin, organisation=world.partner_a,
                                         url="http://127.0.0.1:9/a", event_types=["*"])  # fmt: skip
    hook_b, _ = webhooks.endpoint_create(actor=world.b_admin, organisation=world.partner_b,
                                         url="http://127.0.0.1:9/b", event_types=["*"])  # fmt: skip
    first = register(world.a_admin, world.partner_a)
    services.approve(actor=world.bdm_a, claim=first)
    held = register(world.b_admin, world.partner_b, customer_inn=OTHER_INN)
    events_a = list(WebhookDelivery.objects.filter(endpoint=hook_a).values_list("event_type", flat=True))
    events_b = list(WebhookDelivery.objects.filter(endpoint=hook_b).values_list("event_type", flat=True))
    assert sorted(events_a) == ["deal.approved", "deal.registered"]
    assert sorted(events_b) == ["deal.conflict_detected", "deal.registered"]
    for d in WebhookDelivery.objects.filter(endpoint=hook_b):
        assert d.payload["data"]["id"] == held.pk and "Partner A" not in str(d.payload)


def test_demo_deals_load_once_and_show_each_situation(db):
    from partnerhub.deals.demo import load_demo_deals
    from partnerhub.identity.demo import load_demo

    load_demo()
    family()
    assert load_demo_deals() == 4
    assert load_demo_deals() == 0
    assert sorted(Claim.objects.values_list("status", flat=True)) == ["held", "pending", "protected", "protected"]


def _many_deals(world, start: int, count: int) -> None:
    for n in range(start, start + count):
        name = hashlib.sha256(str(n).encode()).hexdigest()[:12]
        register(world.a_admin, world.partner_a, customer_name=f"ООО {name}", customer_inn=valid_inn(5000 + n),
                 customer_domain=f"{name}.example", title=f"Deal {n}")  # fmt: skip


def test_the_deals_page_is_paginated_in_sql_and_its_queries_do_not_grow(world, ui):
    client = ui(world.a_admin)
    _many_deals(world, 0, 3)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/deals/").status_code == 200
    _many_deals(world, 3, 30)
    with CaptureQueriesContext(connection) as many:
        html = client.get("/deals/").content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)
    table = html.split("<table")[1]
    assert table.count('href="/deals/') == 25  # one page of the list, newest first
    assert "Deal 32<" in table and "Deal 7<" not in table
    assert ">33<" in html  # the board counts every open deal of the stage, though it shows 12 cards
    assert html.split("<table")[0].count("board-card") == 12
    second = client.get("/deals/?page=2").content.decode().split("<table")[1]
    assert second.count('href="/deals/') == 8 and "Deal 0<" in second
    assert client.get("/deals/?page=99999999999999999999").status_code == 200


def test_the_conflict_check_is_one_round_trip(world, django_assert_num_queries):
    first = register(world.a_admin, world.partner_a)
    key = keys.name_key("ООО «Ромашка»")
    with django_assert_num_queries(1):
        found = find_matches(name_key=key, inn=CUSTOMER_INN, domain_key="romashka.ru",
                             exclude_organisation_id=world.partner_b.pk)  # fmt: skip
    assert [(m.claim_id, sorted(r["key"] for r in m.reasons)) for m in found] == [(first.pk, ["domain", "inn", "name"])]


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("ИП «Кудряшов»", "ИП «Кудряшова»", False),  # two people, two firms
        ("Белоусов Лтд", "Belousov LLC", True),  # a foreign legal form in Cyrillic is still a legal form
        ("РАО «Гуляев»", "Гуляев", True),
        ("ООО «Филиппова Групп»", "Филпипова Групп", True),  # a typo
    ],
)
def test_names_that_are_and_are_not_the_same_customer(a, b, same, settings):
    from partnerhub.deals.matching import name_score

    assert (name_score(keys.name_key(a), keys.name_key(b)) >= settings.DEALS_NAME_MATCH_THRESHOLD) is same
