"""Leads: routing (eligibility, the widening area search, the score), the partner's answer, the expiry job,
manual routing, the vendor's and the partner's pages, and who sees what."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from celery.schedules import crontab
from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from partnerhub.core.models import AuditEntry, Notification
from partnerhub.deals.models import Claim
from partnerhub.identity.roles import Role
from partnerhub.leads import routing, services
from partnerhub.leads.models import Lead, LeadOffer
from partnerhub.leads.tasks import expire_lead_offers

from .deal_builders import register
from .factories import MembershipFactory, UserFactory, valid_inn
from .lead_builders import admin_of, lead_fields, leads_programme, new_lead, partner
from .programme_builders import sell

pytestmark = pytest.mark.django_db
SW = ["software"]


@pytest.fixture
def prog(db):
    return leads_programme().programme


@pytest.fixture
def net(world, prog):
    """Certified partners across Russia, and A (Moscow, Certified) and B (St Petersburg, Authorized) of the world."""
    return {
        "a": partner(prog, "A", org=world.partner_a, competences=["SIEM"], families=["software"]),
        "b": partner(prog, "B", org=world.partner_b, tier="authorized"),
        "tver": partner(prog, "Tver", region="Тверская область", city="Тверь", competences=["SIEM"], families=SW),
        "kazan": partner(prog, "Kazan", region="Республика Татарстан", city="Казань", tier="privileged", families=SW),
        "nsk": partner(prog, "Novosib", region="Новосибирская область", city="Новосибирск", families=SW),
    }


def promote_b(world):
    """B becomes Certified (its tier now receives vendor leads) and declares software."""
    world.partner_b.enrolments.update(tier_code="certified")
    world.partner_b.profile.__class__.objects.filter(organisation=world.partner_b).update(product_families=SW)


def offered_to(lead) -> LeadOffer:
    return LeadOffer.objects.get(lead=lead, status="offered")


def errors_of(response) -> dict[str, str]:
    assert response.status_code == 422, response.content
    return {e["field"]: e["code"] for e in response.json()["errors"]}


# ------------------------------------------------------------------ routing


def test_routing_picks_the_nearest_eligible_partner_and_widens_step_by_step(world, net):
    # Same city: Partner A sits in Moscow, though Kazan (Privileged) scores higher.
    lead = new_lead(world.vendor_admin, region="Москва", city="Москва")
    assert lead.status == "offered"
    assert (offered_to(lead).organisation, offered_to(lead).area_level) == (world.partner_a, "city")
    # Same region: a town in the Tver region, spelled the short way.
    lead = new_lead(world.vendor_admin, region="Тверская обл.", city="Торжок")
    assert lead.region == "Тверская область"
    assert (offered_to(lead).organisation, offered_to(lead).area_level) == (net["tver"], "region")
    # Same federal district: Yaroslavl is in the Central district, like Moscow and Tver.
    lead = new_lead(world.vendor_admin, region="Ярославская область", city="Ярославль")
    offer = offered_to(lead)
    assert offer.area_level == "macro_region" and offer.organisation in (world.partner_a, net["tver"])
    # A region given by its city only: Kazan → Tatarstan (Volga district).
    lead = new_lead(world.vendor_admin, region="", city="Набережные Челны")
    assert lead.region == "Республика Татарстан"
    assert (offered_to(lead).organisation, offered_to(lead).area_level) == (net["kazan"], "region")
    # Nobody in the Far East: the whole country, and there the higher tier wins.
    lead = new_lead(world.vendor_admin, region="Магаданская область", city="Магадан")
    assert (offered_to(lead).organisation, offered_to(lead).area_level) == (net["kazan"], "country")


def test_a_region_served_counts_as_the_region_and_districts_count_as_macro_regions(world, prog):
    msk = partner(prog, "Serves", region="Москва", city="Москва", regions=["Тверская область"], families=SW)
    far = partner(prog, "Far", region="Москва", city="Москва", regions=["ДФО"], families=SW)
    lead = new_lead(world.vendor_admin, region="Тверская область", city="Ржев")
    assert (offered_to(lead).organisation, offered_to(lead).area_level) == (msk, "region")
    lead = new_lead(world.vendor_admin, region="Приморский край", city="Находка")
    assert (offered_to(lead).organisation, offered_to(lead).area_level) == (far, "macro_region")


def test_tiers_without_the_vendor_leads_benefit_are_never_offered(world, prog, api):
    b = partner(prog, "B", org=world.partner_b, tier="authorized", families=SW)
    lead = new_lead(world.vendor_admin, region="Санкт-Петербург", city="Санкт-Петербург")
    assert lead.status == "unassigned" and not LeadOffer.objects.filter(organisation=b).exists()
    assert Notification.objects.filter(user=world.vendor_admin, kind="lead.unassigned").exists()
    # Not by hand either.
    r = api(world.vendor_admin).post(f"/leads/{lead.pk}/route", {"organisation_id": b.pk})
    assert errors_of(r) == {"organisation_id": "invalid"}
    # An override to a tier with the benefit makes it eligible.
    b.enrolments.update(override_tier_code="certified")
    r = api(world.vendor_admin).post(f"/leads/{lead.pk}/route", {})
    assert r.status_code == 200 and r.json()["current_offer"]["organisation_id"] == b.pk


def test_competence_and_product_family_must_match_when_the_lead_names_them(world, net, prog):
    lead = new_lead(world.vendor_admin, region="Магаданская область", city="", competence="siem")
    assert offered_to(lead).organisation in (world.partner_a, net["tver"])  # not Kazan, who lists no SIEM
    # Product family: declared in the profile (A: software) or sold in the last year (Novosib: hardware).
    lead = new_lead(world.vendor_admin, region="Магаданская область", city="", product_family="hardware")
    assert lead.status == "unassigned"
    sell(net["nsk"], "100000", timezone.localdate() - timedelta(days=30), family_code="hardware")
    lead = new_lead(world.vendor_admin, region="Магаданская область", city="", product_family="hardware")
    assert offered_to(lead).organisation == net["nsk"]


def test_score_weighs_tier_and_recent_performance(world, prog):
    good = partner(prog, "Good", region="Омская область", city="Омск", families=SW)
    poor = partner(prog, "Poor", region="Омская область", city="Омск", families=SW)
    earlier = new_lead(world.vendor_admin, region="Омская область", city="Омск")
    # History: Good accepted two leads, Poor declined two.
    now = timezone.now()
    for org, status in [(good, "accepted"), (good, "accepted"), (poor, "declined"), (poor, "expired")]:
        old = Lead.objects.create(customer_name="Old", status="closed")
        LeadOffer.objects.create(lead=old, organisation=org, status=status, offered_at=now - timedelta(days=10),
                                 due_at=now - timedelta(days=8))  # fmt: skip
    ranked = routing.rank(Lead(customer_name="X", region="Омская область", city="Омск"))
    assert [c.organisation for c in ranked[:2]] == [good, poor]
    assert ranked[0].acceptance_rate == Decimal("1.00") and ranked[1].acceptance_rate == Decimal("0.00")
    assert ranked[0].score > ranked[1].score
    assert earlier.offers.count() == 1


def test_bad_input_gives_field_errors_and_writes_nothing(world, net, api):
    client = api(world.vendor_admin)
    before = AuditEntry.objects.count()
    r = client.post("/leads", {"customer_name": "X", "customer_inn": "7707083894", "product_family": "nope"})
    assert errors_of(r) == {
        "customer_inn": "inn_checksum", "email": "contact_required", "phone": "contact_required",
        "product_family": "unknown_product",
    }  # fmt: skip
    r = client.post("/leads", {"customer_name": "", "email": "nobody", "region": "Нарния", "amount": "-5",
                               "programme": "nope", "source": "fax"})  # fmt: skip
    assert errors_of(r) == {"source": "enum"}
    r = client.post("/leads", {"customer_name": "", "email": "nobody", "region": "Нарния", "amount": "-5",
                               "programme": "nope"})  # fmt: skip
    assert errors_of(r) == {"customer_name": "required", "email": "invalid", "region": "unknown_region",
                            "amount": "not_positive", "programme": "unknown_programme"}  # fmt: skip
    assert client.post("/leads", {**lead_fields(), "surprise": 1}).status_code == 422
    assert Lead.objects.count() == 0 and AuditEntry.objects.count() == before


# ------------------------------------------------------------------ the partner's answer


def test_accept_creates_a_protected_deal(world, net, api, monkeypatch):
    published = []
    monkeypatch.setattr("partnerhub.webhooks.services.publish_event",
                        lambda **kw: published.append((kw["event_type"], kw["organisation_ids"])))  # fmt: skip
    lead = new_lead(world.vendor_admin, customer_inn=valid_inn(4242), domain="romashka.ru", contact_name="Анна")
    offer = offered_to(lead)
    assert offer.organisation == world.partner_a and ("lead.offered", [world.partner_a.pk]) in published
    assert Notification.objects.filter(user=world.a_sales, kind="lead.offered").exists()
    seen = api(world.a_sales).get(f"/lead-offers/{offer.pk}").json()
    assert seen["lead"]["email"] is None and seen["seconds_left"] > 47 * 3600  # contact only once accepted

    r = api(world.a_sales).post(f"/lead-offers/{offer.pk}/accept", {})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == "accepted" and body["lead"]["email"] == "buyer@romashka.ru"
    claim = Claim.objects.get(pk=body["deal_id"])
    assert (claim.status, claim.origin, claim.kind) == ("protected", "lead", "deal")
    assert claim.organisation == world.partner_a
    assert claim.customer_inn == valid_inn(4242) and claim.registered_by == world.a_sales
    assert [(li.product_family.code, li.amount) for li in claim.lines.all()] == [("software", Decimal("500000.00"))]
    assert claim.protected_until is not None
    lead.refresh_from_db()
    assert (lead.status, lead.claim) == ("accepted", claim)
    assert AuditEntry.objects.filter(action="lead.accepted", actor=world.a_sales).exists()
    assert ("lead.accepted", [world.partner_a.pk]) in published
    # Accepting twice is refused.
    r = api(world.a_sales).post(f"/lead-offers/{offer.pk}/accept", {})
    assert r.status_code == 409 and r.json()["code"] == "offer_closed"


def test_accept_is_held_when_the_claim_registry_finds_a_conflict(world, net, api):
    register(world.b_admin, world.partner_b, customer_inn=valid_inn(5151))  # B's pending deal on this customer
    lead = new_lead(world.vendor_admin, customer_inn=valid_inn(5151))
    r = api(world.a_admin).post(f"/lead-offers/{offered_to(lead).pk}/accept", {})
    assert r.status_code == 200
    claim = Claim.objects.get(pk=r.json()["deal_id"])
    assert claim.status == "held" and "conflict" in claim.hold_reasons and claim.origin == "lead"


def test_accept_asks_for_product_and_amount_when_the_lead_does_not_say(world, net, api):
    lead = new_lead(world.vendor_admin, product_family=None, amount=None)
    offer = offered_to(lead)
    r = api(world.a_admin).post(f"/lead-offers/{offer.pk}/accept", {})
    assert errors_of(r) == {"product_family": "required", "amount": "required"}
    r = api(world.a_admin).post(f"/lead-offers/{offer.pk}/accept", {"product_family": "nope", "amount": "10"})
    assert errors_of(r) == {"product_family": "unknown_product"}
    assert not Claim.objects.exists()
    r = api(world.a_admin).post(f"/lead-offers/{offer.pk}/accept", {"product_family": "hardware", "amount": "75000"})
    assert r.status_code == 200
    assert Claim.objects.get().lines.get().product_family.code == "hardware"


def test_decline_moves_the_lead_on_and_never_back(world, net, api):
    lead = new_lead(world.vendor_admin, region="Ярославская область", city="Ярославль")
    first = offered_to(lead)
    client = api(admin_of(first.organisation) if first.organisation != world.partner_a else world.a_admin)
    assert errors_of(client.post(f"/lead-offers/{first.pk}/decline", {})) == {"reason": "required"}
    r = client.post(f"/lead-offers/{first.pk}/decline", {"reason": "No capacity this month"})
    assert r.status_code == 200 and r.json()["status"] == "declined"
    second = offered_to(lead)
    assert second.organisation != first.organisation and second.area_level == "macro_region"
    manager = first.organisation.partner_manager or world.vendor_admin
    assert Notification.objects.filter(user=manager, kind="lead.declined").exists()
    # The second passes too: the search widens to the country (Kazan, Novosibirsk), never back to the first.
    api(admin_of(second.organisation) if second.organisation != world.partner_a else world.a_admin).post(
        f"/lead-offers/{second.pk}/decline", {"reason": "Not our field"})  # fmt: skip
    third = offered_to(lead)
    assert third.area_level == "country" and third.organisation in (net["kazan"], net["nsk"])
    api(admin_of(third.organisation)).post(f"/lead-offers/{third.pk}/decline", {"reason": "No"})
    fourth = offered_to(lead)
    api(admin_of(fourth.organisation)).post(f"/lead-offers/{fourth.pk}/decline", {"reason": "No"})
    lead.refresh_from_db()
    assert lead.status == "unassigned" and lead.offers.count() == 4
    assert {o.organisation_id for o in lead.offers.all()} == {first.organisation_id, second.organisation_id,
                                                              net["kazan"].pk, net["nsk"].pk}  # fmt: skip
    r = api(world.vendor_admin).post(f"/leads/{lead.pk}/route", {"organisation_id": first.organisation_id})
    assert errors_of(r) == {"organisation_id": "invalid"}
    api(world.vendor_admin).post(f"/leads/{lead.pk}/route", {})
    lead.refresh_from_db()
    assert lead.status == "unassigned" and lead.offers.count() == 4


def test_expiry_job_moves_the_lead_on_and_is_idempotent(world, net):
    lead = new_lead(world.vendor_admin, region="Ярославская область", city="Ярославль")
    first = offered_to(lead)
    assert first.due_at == first.offered_at + timedelta(hours=48)  # ProgrammeVersion.lead_accept_hours
    assert services.expire_lead_offers(now=first.due_at - timedelta(minutes=1)) == {
        "expired": 0, "offered": 0, "unassigned": 0}  # fmt: skip
    later = first.due_at + timedelta(minutes=1)
    assert services.expire_lead_offers(now=later) == {"expired": 1, "offered": 1, "unassigned": 0}
    first.refresh_from_db()
    second = offered_to(lead)
    assert first.status == "expired" and second.organisation != first.organisation
    assert second.offered_at == later and second.due_at == later + timedelta(hours=48)
    assert AuditEntry.objects.filter(action="lead.offer_expired", object_id=str(first.pk)).count() == 1
    manager = first.organisation.partner_manager or world.vendor_admin
    assert Notification.objects.filter(user=manager, kind="lead.expired").exists()
    assert services.expire_lead_offers(now=later) == {"expired": 0, "offered": 0, "unassigned": 0}
    # Never back to the one that let it expire.
    assert first.organisation_id not in {c.organisation.pk for c in routing.rank(lead)}


def test_the_expiry_job_is_a_celery_task_on_the_beat_schedule(world, net):
    entry = django_settings.CELERY_BEAT_SCHEDULE["leads-expire-offers"]
    assert entry["task"] == "leads.expire_offers" and entry["schedule"] == crontab(minute="*/15")
    lead = new_lead(world.vendor_admin)
    LeadOffer.objects.filter(lead=lead).update(due_at=timezone.now() - timedelta(minutes=1))
    assert expire_lead_offers.delay().get()["expired"] == 1
    assert expire_lead_offers.delay().get()["expired"] == 0


def test_a_stale_accept_after_expiry_fails_clearly_and_writes_nothing(world, net, api):
    lead = new_lead(world.vendor_admin)
    offer = offered_to(lead)
    LeadOffer.objects.filter(pk=offer.pk).update(due_at=timezone.now() - timedelta(seconds=1))
    client = api(world.a_admin)
    state = (AuditEntry.objects.count(), Claim.objects.count(), Notification.objects.count())
    r = client.post(f"/lead-offers/{offer.pk}/accept", {})
    assert r.status_code == 409 and r.json()["code"] == "offer_expired"
    assert "ran out" in r.json()["detail"]
    assert (AuditEntry.objects.count(), Claim.objects.count(), Notification.objects.count()) == state
    offer.refresh_from_db()
    assert offer.status == "offered"  # the job expires it, not the refused accept
    services.expire_lead_offers()
    r = api(world.a_admin).post(f"/lead-offers/{offer.pk}/accept", {})
    assert r.status_code == 409 and r.json()["code"] == "offer_expired"
    assert Claim.objects.count() == 0


# ------------------------------------------------------------------ permissions and tenancy


def test_a_partner_sees_only_its_own_offers(world, net, prog, api):
    promote_b(world)
    lead_a = new_lead(world.vendor_admin, region="Москва", city="Москва")
    lead_b = new_lead(world.vendor_admin, region="Санкт-Петербург", city="Санкт-Петербург")
    offer_a, offer_b = offered_to(lead_a), offered_to(lead_b)
    assert (offer_a.organisation, offer_b.organisation) == (world.partner_a, world.partner_b)
    a = api(world.a_admin)
    assert [o["id"] for o in a.get("/lead-offers").json()["items"]] == [offer_a.pk]
    assert a.get(f"/lead-offers/{offer_b.pk}").status_code == 404
    assert a.post(f"/lead-offers/{offer_b.pk}/decline", {"reason": "x"}).status_code == 404
    assert a.get(f"/leads/{lead_a.pk}").status_code == 404  # leads are the vendor's view; partners use offers
    assert a.get("/leads").status_code == 403
    assert api(world.customer_admin).get("/lead-offers").json()["items"] == []
    # A partner that declined still reads its own offer, never who got the lead next.
    a.post(f"/lead-offers/{offer_a.pk}/decline", {"reason": "busy"})
    mine = a.get(f"/lead-offers/{offer_a.pk}").json()
    assert mine["status"] == "declined" and mine["deal_id"] is None and mine["lead"]["email"] is None


def test_partner_managers_see_their_partners_leads_and_unassigned_ones(world, net, prog, api):
    promote_b(world)
    lead_a = new_lead(world.vendor_admin, region="Москва", city="Москва")
    lead_b = new_lead(world.vendor_admin, region="Санкт-Петербург", city="Санкт-Петербург")
    orphan = new_lead(world.vendor_admin, product_family="hardware", region="Москва")
    assert orphan.status == "unassigned"
    ids = {row["id"] for row in api(world.bdm_a).get("/leads").json()["items"]}
    assert ids == {lead_a.pk, orphan.pk}
    assert api(world.bdm_a).get(f"/leads/{lead_b.pk}").status_code == 404
    assert {row["id"] for row in api(world.vendor_admin).get("/leads").json()["items"]} == {
        lead_a.pk, lead_b.pk, orphan.pk}  # fmt: skip
    # A BDM routes only to partners it manages.
    r = api(world.bdm_a).post(f"/leads/{orphan.pk}/route", {"organisation_id": world.partner_b.pk})
    assert r.status_code == 404


def test_who_may_do_what(world, net, api):
    assert api(world.finance).post("/leads", lead_fields()).status_code == 403
    assert api(world.a_admin).post("/leads", lead_fields()).status_code == 403
    bdm_lead = api(world.bdm_a).post("/leads", lead_fields())
    assert bdm_lead.status_code == 201, bdm_lead.content
    offer = LeadOffer.objects.get(lead_id=bdm_lead.json()["id"])
    engineer = world.member(world.partner_a, Role.ENGINEER)
    assert api(engineer).post(f"/lead-offers/{offer.pk}/accept", {}).status_code == 403
    with pytest.raises(PermissionDenied):  # the vendor does not answer for the partner
        services.accept_offer(actor=world.vendor_admin, offer=offer)
    with pytest.raises(ValidationError):
        services.create_lead(actor=world.vendor_admin, customer_name="X", email="a@b.ru", nonsense=1)


def test_manual_routing_withdraws_the_open_offer(world, net, api):
    lead = new_lead(world.vendor_admin)
    first = offered_to(lead)
    r = api(world.vendor_admin).post(f"/leads/{lead.pk}/route", {"organisation_id": net["nsk"].pk, "reason": "VIP"})
    assert r.status_code == 200, r.content
    first.refresh_from_db()
    now = offered_to(lead)
    assert first.status == "withdrawn" and (now.organisation, now.manual, now.offered_by) == (
        net["nsk"], True, world.vendor_admin)  # fmt: skip
    assert r.json()["current_offer"]["organisation_id"] == net["nsk"].pk
    assert [o["status"] for o in r.json()["offers"]] == ["offered", "withdrawn"]
    # A withdrawn partner is not barred; automatic re-routing needs no open offer.
    assert errors_of(api(world.vendor_admin).post(f"/leads/{lead.pk}/route", {})) == {"organisation_id": "invalid"}
    r = api(world.vendor_admin).post(f"/leads/{lead.pk}/close", {"reason": "Customer bought elsewhere"})
    assert r.json()["status"] == "closed" and r.json()["close_reason"] == "Customer bought elsewhere"
    assert not LeadOffer.objects.filter(lead=lead, status="offered").exists()
    r = api(world.vendor_admin).post(f"/leads/{lead.pk}/route", {})
    assert r.status_code == 409 and r.json()["code"] == "lead_closed"


def test_ageing_and_acceptance_statistics(world, net, api):
    accepted = new_lead(world.vendor_admin)
    api(world.a_admin).post(f"/lead-offers/{offered_to(accepted).pk}/accept", {})
    declined = new_lead(world.vendor_admin)
    api(world.a_admin).post(f"/lead-offers/{offered_to(declined).pk}/decline", {"reason": "busy"})
    stats = api(world.vendor_admin).get("/lead-stats").json()
    a = next(p for p in stats["partners"] if p["organisation_id"] == world.partner_a.pk)
    assert (a["offered"], a["accepted"], a["declined"], a["acceptance_rate"]) == (2, 1, 1, 0.5)
    assert stats["overall"]["offered"] == 3 and stats["overall"]["open"] == 1
    assert stats["ageing"]["open_leads"] == 1 and stats["ageing"]["average_time_in_offer_hours"] is not None
    assert stats["ageing"]["by_status"] == {"accepted": 1, "offered": 1}
    row = next(r for r in api(world.vendor_admin).get("/leads?status=offered").json()["items"])
    assert row["current_offer"]["hours_in_offer"] >= 0 and row["age_hours"] >= 0
    assert api(world.a_admin).get("/lead-stats").status_code == 403


# ------------------------------------------------------------------ pages


def test_vendor_pages_create_list_and_route(world, net, ui):
    client = ui(world.vendor_admin)
    assert "Leads" in client.get("/").content.decode()
    r = client.post(reverse("lead-create"), {"source": "tender", "customer_name": "АО Лес", "email": "",
                                             "phone": "", "currency": "RUB", "customer_inn": "123"})  # fmt: skip
    page = r.content.decode()
    assert r.status_code == 200 and 'data-field="email"' in page and 'data-field="customer_inn"' in page
    r = client.post(reverse("lead-create"), {"source": "tender", "customer_name": "АО Лес", "email": "ceo@les.ru",
                                             "region": "Москва", "city": "Москва", "currency": "RUB"})  # fmt: skip
    lead = Lead.objects.get(customer_name="АО Лес")
    assert r.status_code == 302 and r["Location"] == reverse("lead-detail", args=[lead.pk])
    listing = client.get(reverse("lead-list")).content.decode()
    assert "АО Лес" in listing and 'data-testid="lead-age"' in listing and 'data-testid="lead-acceptance"' in listing
    detail = client.get(reverse("lead-detail", args=[lead.pk])).content.decode()
    assert 'data-testid="offer-history"' in detail and "Partner A" in detail and 'data-testid="route-form"' in detail
    r = client.post(reverse("lead-route", args=[lead.pk]), {"organisation_id": net["kazan"].pk})
    assert r.status_code == 302 and offered_to(lead).organisation == net["kazan"]


def test_partner_inbox_accept_and_decline(world, net, ui):
    lead = new_lead(world.vendor_admin, product_family=None, amount=None)
    offer = offered_to(lead)
    client = ui(world.a_sales)
    assert reverse("lead-inbox") in client.get("/").content.decode()
    inbox = client.get(reverse("lead-inbox")).content.decode()
    assert "ООО «Ромашка»" in inbox and 'data-testid="countdown"' in inbox and "left" in inbox
    page = client.get(reverse("lead-offer-detail", args=[offer.pk])).content.decode()
    assert "buyer@romashka.ru" not in page and 'data-testid="accept-form"' in page
    r = client.post(reverse("lead-offer-decline", args=[offer.pk]), {"reason": ""})
    assert r.status_code == 200 and 'data-field="reason"' in r.content.decode()
    r = client.post(reverse("lead-offer-accept", args=[offer.pk]), {"product_family": "software", "amount": "9000"})
    claim = Claim.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("deal-detail", args=[claim.pk])
    page = client.get(reverse("lead-offer-detail", args=[offer.pk])).content.decode()
    assert "buyer@romashka.ru" in page and 'data-testid="accept-form"' not in page
    assert client.get(reverse("lead-list")).status_code == 302  # partners go to their inbox
    assert client.get(reverse("lead-detail", args=[lead.pk])).status_code == 404


def test_an_expired_offer_in_the_ui_says_so(world, net, ui):
    offer = offered_to(new_lead(world.vendor_admin))
    LeadOffer.objects.filter(pk=offer.pk).update(due_at=timezone.now() - timedelta(minutes=5))
    client = ui(world.a_admin)
    assert "time is up" in client.get(reverse("lead-inbox")).content.decode()
    r = client.post(reverse("lead-offer-accept", args=[offer.pk]), {})
    assert r.status_code == 200 and "ran out" in r.content.decode() and not Claim.objects.exists()


def test_engineers_and_unknown_users_get_no_inbox_entry(world, net, ui):
    engineer = UserFactory()
    MembershipFactory(user=engineer, organisation=world.partner_a, role=Role.ENGINEER)
    assert reverse("lead-inbox") not in ui(engineer).get("/").content.decode()
    assert ui(None).get(reverse("lead-inbox")).status_code == 302  # to the sign-in page
