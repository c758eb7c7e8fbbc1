"""Deal registration: the claim registry, conflicts, protection and the deal's progress."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from partnerhub.core.models import AuditEntry, Notification
from partnerhub.deals import keys, services
from partnerhub.deals.models import Claim, ClaimConflict
from partnerhub.partners import services as partner_services
from partnerhub.programmes.models import Benefit
from partnerhub.rewards.models import Sale
from tests.conftest import FormData
from tests.deal_builders import CUSTOMER_INN, deal_fields, register
from tests.factories import valid_inn
from tests.programme_builders import security_programme

OTHER_INN = valid_inn(9002)


def api_body(**over) -> dict:
    body = deal_fields(**over)
    body["expected_close_on"] = body["expected_close_on"].isoformat()
    return body


# ---------------------------------------------------------------------------- normalised keys


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("ООО «Яндекс»", "Yandex LLC"),
        ("ПАО Сбербанк", "Sberbank PJSC"),
        ('ООО "Хлеб-Щит"', "Khleb Shchit Ltd."),
        ("Общество с ограниченной ответственностью «Ёлка»", "ООО Елка"),
        ("АО  «Ромашка»", "ромашка, ao"),
    ],
)
def test_name_keys_fold_legal_forms_case_punctuation_and_script(a, b):
    assert keys.name_key(a) == keys.name_key(b) != ""


def test_domain_keys_ignore_public_mail_and_subdomains():
    assert keys.domain_key("ivan@mail.ru") == ""
    assert keys.domain_key("petrov@gmail.com") == ""
    assert keys.domain_key("https://www.shop.romashka.ru/catalogue") == "romashka.ru"
    assert keys.domain_key("buh@romashka.ru") == "romashka.ru"
    assert keys.domain_key("a@b.romashka.com.ru") == "romashka.com.ru"


# ---------------------------------------------------------------------------- registration and conflicts


def test_first_registration_waits_for_approval_with_a_clock(world, api):
    r = api(world.a_sales).post(f"/organisations/{world.partner_a.pk}/deals", api_body())
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["status"] == "pending" and body["stage"] == "registered"
    assert body["amount"] == "1200000.00" and body["currency"] == "RUB"
    assert body["approval_due_at"] and body["partner_manager_id"] == world.bdm_a.pk
    assert Notification.objects.filter(user=world.bdm_a, kind="deal.review").exists()
    assert AuditEntry.objects.filter(action="deal.registered", object_id=str(body["id"])).exists()


def test_second_partner_on_same_customer_learns_only_that_a_conflict_exists(world, api):
    first = register(world.a_admin, world.partner_a)
    r = api(world.b_admin).post(
        f"/organisations/{world.partner_b.pk}/deals",
        api_body(customer_name="Romashka LLC", customer_inn=OTHER_INN, customer_domain=""),
    )
    assert r.status_code == 201
    body = r.json()
    assert body["status"] == "held" and body["review_reason"] == "possible_conflict"
    assert body["hold_reasons"] == []  # the partner never learns the details
    assert "Partner A" not in r.content.decode()
    assert api(world.b_admin).get(f"/deals/{first.pk}").status_code == 404
    assert api(world.b_admin).get(f"/deals/{body['id']}/conflicts").status_code == 404
    # The BDM sees the candidates with the match reasons.
    candidates = api(world.bdm_b).get(f"/deals/{body['id']}/conflicts").json()
    assert [(c["other_id"], c["other_organisation"]) for c in candidates] == [(first.pk, "Partner A")]
    assert candidates[0]["reasons"] == [{"key": "name", "score": 100}]
    assert api(world.bdm_b).get(f"/deals/{body['id']}").json()["hold_reasons"] == ["conflict"]


def test_inn_and_domain_match_whatever_the_name(world):
    register(world.a_admin, world.partner_a)
    by_inn = register(world.b_admin, world.partner_b, customer_name="Совсем другое имя", customer_domain="")
    assert by_inn.status == "held"
    assert ClaimConflict.objects.get(claim=by_inn).reasons == [{"key": "inn", "score": 100}]
    by_domain = register(world.b_admin, world.partner_b, customer_name="Иное", customer_inn=valid_inn(777),
                         customer_domain="director@romashka.ru")  # fmt: skip
    assert ClaimConflict.objects.get(claim=by_domain).reasons == [{"key": "domain", "score": 100}]


def test_public_mail_domains_and_different_companies_do_not_conflict(world):
    register(world.a_admin, world.partner_a, customer_domain="ivan@mail.ru")
    other = register(world.b_admin, world.partner_b, customer_name="ООО «Василёк»", customer_inn=OTHER_INN,
                     customer_domain="petr@mail.ru")  # fmt: skip
    assert other.status == "pending" and not other.conflicts.exists()


def test_fuzzy_threshold_is_tunable(world, settings):
    register(world.a_admin, world.partner_a, customer_name="ООО Ромашка Плюс", customer_domain="")
    settings.DEALS_NAME_MATCH_THRESHOLD = 99
    loose = register(world.b_admin, world.partner_b, customer_name="Romashka Plus Group", customer_inn=OTHER_INN,
                     customer_domain="")  # fmt: skip
    assert loose.status == "pending"
    settings.DEALS_NAME_MATCH_THRESHOLD = 70
    tight = register(world.b_admin, world.partner_b, customer_name="Romashka Plus Grp", customer_inn=valid_inn(31),
                     customer_domain="")  # fmt: skip
    assert tight.status == "held"


def test_a_typo_in_a_short_name_is_still_caught(world):
    """A slip in a short name: the candidate is found by a one-deletion key, and the name score decides."""
    register(world.a_admin, world.partner_a, customer_name="ООО «Новикова»", customer_domain="")
    typo = register(world.b_admin, world.partner_b, customer_name="Новиква", customer_inn=OTHER_INN,
                    customer_domain="")  # fmt: skip
    assert typo.status == "held"
    other = register(world.b_admin, world.partner_b, customer_name="ООО «Новиков»", customer_inn=valid_inn(32),
                     customer_domain="")  # fmt: skip
    assert other.status == "pending"  # the husband's firm, not the wife's


def test_vendor_direct_customer_holds_a_partner_claim(world, api):
    r = api(world.vendor_admin).post(
        "/direct-opportunities", {"customer_name": "ООО Ромашка", "customer_inn": CUSTOMER_INN}
    )
    assert r.status_code == 201 and r.json()["status"] == "protected" and r.json()["kind"] == "direct"
    claim = register(world.a_admin, world.partner_a)
    assert claim.status == "held" and claim.hold_reasons == ["direct_customer"]
    body = api(world.a_admin).get(f"/deals/{claim.pk}").json()
    assert body["review_reason"] == "possible_conflict"
    assert api(world.a_admin).get(f"/deals/{r.json()['id']}").status_code == 404
    assert r.json()["id"] not in [d["id"] for d in api(world.a_admin).get("/deals").json()["items"]]


def test_suspicious_claims_are_held(world):
    world.partner_a.website = "https://romashka.ru"
    world.partner_a.save()
    own = register(world.a_admin, world.partner_a)
    assert own.status == "held" and own.hold_reasons == ["own_domain"]
    v = security_programme()
    v.deal_burst_limit = 2
    v.save()
    e = partner_services.enrol(actor=world.vendor_admin, organisation=world.partner_b, programme=v.programme,
                               role_code="reseller", starting_tier_code="authorized", joined_on=date(2026, 1, 1),
                               active=True)  # fmt: skip
    assert e.status == "active"
    statuses = [register(world.b_admin, world.partner_b, customer_name=f"Клиент {n}", customer_inn=valid_inn(500 + n),
                         customer_domain="").hold_reasons for n in range(3)]  # fmt: skip
    assert statuses == [[], [], ["burst"]]


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"customer_inn": ""}, "customer_inn"),
        ({"customer_inn": "7700000001"}, "customer_inn"),
        ({"expected_close_on": date(2020, 1, 1)}, "expected_close_on"),
        ({"lines": [{"product_family": "software", "amount": "0"}]}, "lines[0].amount"),
        ({"lines": [{"product_family": "software", "amount": "-5"}]}, "lines[0].amount"),
        ({"lines": [{"product_family": "spaceships", "amount": "10"}]}, "lines[0].product_family"),
        ({"lines": []}, "lines"),
        ({"customer_name": "ООО"}, "customer_name"),
    ],
)
def test_bad_registration_names_the_field_and_writes_nothing(world, api, over, field):
    body = api_body(**over)
    if isinstance(body["expected_close_on"], str) is False:
        body["expected_close_on"] = body["expected_close_on"].isoformat()
    r = api(world.a_admin).post(f"/organisations/{world.partner_a.pk}/deals", body)
    assert r.status_code == 422, r.content
    assert field in {e["field"] for e in r.json()["errors"]}
    assert not Claim.objects.exists() and not AuditEntry.objects.filter(action="deal.registered").exists()


def test_a_partner_cannot_register_for_another_partner_or_read_its_deals(world, api):
    assert api(world.a_admin).post(f"/organisations/{world.partner_b.pk}/deals", api_body()).status_code == 404
    b = register(world.b_admin, world.partner_b)
    for path in (f"/deals/{b.pk}", f"/deals/{b.pk}/activity"):
        assert api(world.a_admin).get(path).status_code == 404
    assert api(world.a_admin).post(f"/deals/{b.pk}/notes", {"text": "x"}).status_code == 404
    assert api(world.a_admin).patch(f"/deals/{b.pk}", {"title": "mine"}).status_code == 404
    assert api(world.bdm_a).get(f"/deals/{b.pk}").status_code == 404  # not this BDM's partner
    assert api(world.customer_admin).get(f"/deals/{b.pk}").status_code == 404


# ---------------------------------------------------------------------------- decisions


def test_bdm_keeps_first_registration(world, api):
    first = register(world.a_admin, world.partner_a)
    second = register(world.b_admin, world.partner_b, customer_inn=OTHER_INN)
    conflict = ClaimConflict.objects.get(claim=second)
    assert api(world.bdm_b).post(f"/deals/{second.pk}/approve", {}).status_code == 422  # conflicts first
    r = api(world.bdm_b).post(
        f"/deal-conflicts/{conflict.pk}/resolve", FormData(resolution="keep_existing", reason="A was first")
    )
    assert r.status_code == 200, r.content
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.status == "rejected" and first.status == "pending"
    assert Notification.objects.filter(user=world.b_admin, kind="deal.rejected").exists()


def test_customer_written_choice_overrides_first_to_file(world):
    first = register(world.a_admin, world.partner_a)
    services.approve(actor=world.bdm_a, claim=first)
    second = register(world.b_admin, world.partner_b, customer_inn=OTHER_INN)
    conflict = ClaimConflict.objects.get(claim=second)
    with pytest.raises(ValidationError) as exc:
        services.resolve_conflict(actor=world.bdm_b, conflict=conflict, resolution="customer_choice", reason="letter")
    assert "evidence" in exc.value.error_dict
    letter = SimpleUploadedFile("letter.pdf", b"%PDF-1.4 choice", content_type="application/pdf")
    services.resolve_conflict(actor=world.bdm_b, conflict=conflict, resolution="customer_choice",
                              reason="The customer chose partner B in writing", evidence=letter)  # fmt: skip
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("expired", "protected")
    assert second.protected_until == timezone.localdate() + timedelta(days=180)


def test_second_partner_gets_the_reduced_share_the_programme_defines(world):
    v = security_programme()
    for org, _admin in ((world.partner_a, world.a_admin), (world.partner_b, world.b_admin)):
        partner_services.enrol(actor=world.vendor_admin, organisation=org, programme=v.programme, role_code="reseller",
                               starting_tier_code="authorized", joined_on=date(2026, 1, 1), active=True)  # fmt: skip
    register(world.a_admin, world.partner_a)
    second = register(world.b_admin, world.partner_b, customer_inn=OTHER_INN)
    conflict = ClaimConflict.objects.get(claim=second)
    with pytest.raises(ValidationError):  # the programme gives a second partner nothing
        services.resolve_conflict(actor=world.bdm_b, conflict=conflict, resolution="second_partner")
    v.deal_second_partner_percent = Decimal("50")
    v.save()
    services.resolve_conflict(actor=world.bdm_b, conflict=conflict, resolution="second_partner", reason="shared")
    second.refresh_from_db()
    assert second.status == "protected" and second.benefit_share_percent == Decimal("50.00")


def test_tier_benefit_drives_protection_clock_and_uplift(world):
    v = security_programme()
    Benefit.objects.create(tier=v.tiers.get(code="certified"), kind="deal_protection", code="dr", days=180, hours=8,
                           percent=Decimal("5"))  # fmt: skip
    partner_services.enrol(actor=world.vendor_admin, organisation=world.partner_a, programme=v.programme,
                           role_code="reseller", starting_tier_code="certified", joined_on=date(2026, 1, 1),
                           active=True)  # fmt: skip
    claim = register(world.a_admin, world.partner_a)
    assert claim.version == v and claim.tier_code == "certified"
    assert claim.uplift_percent == Decimal("5")
    assert claim.approval_due_at == services.business_deadline(claim.registered_at, 8)
    services.approve(actor=world.bdm_a, claim=claim)
    claim.refresh_from_db()
    assert claim.protected_until == timezone.localdate() + timedelta(days=180)


def test_the_approval_clock_stops_for_the_new_year_holidays_of_the_programmes_calendar(world, monkeypatch):
    v = security_programme(effective_from=date(2025, 1, 1))
    partner_services.enrol(actor=world.vendor_admin, organisation=world.partner_a, programme=v.programme,
                           role_code="reseller", starting_tier_code="authorized", joined_on=date(2025, 1, 1),
                           active=True)  # fmt: skip
    registered = msk(2025, 12, 30, 15)  # Tuesday; 31 December and 1–11 January are days off in Russia
    monkeypatch.setattr(timezone, "now", lambda: registered)
    claim = register(world.a_admin, world.partner_a)
    assert claim.status == "pending" and services.claim_rules(claim).calendar == "RU"
    assert claim.approval_due_at == msk(2026, 1, 12, 15 + v.deal_approval_hours - 24)
    # Another programme's country: in Germany 31 December is a working day.
    v.deal_calendar = "DE"
    v.save()
    other = register(world.a_admin, world.partner_a, customer_inn=OTHER_INN, customer_name="ООО «Василёк»",
                     customer_domain="vasilek.ru")  # fmt: skip
    assert other.approval_due_at == services.business_deadline(registered, v.deal_approval_hours, country="DE")
    assert other.approval_due_at < msk(2026, 1, 2)


def test_business_clock_skips_the_weekend():
    msk = ZoneInfo("Europe/Moscow")
    friday = datetime(2026, 11, 20, 15, 0, tzinfo=msk)
    assert services.business_deadline(friday, 24) == datetime(2026, 11, 23, 15, 0, tzinfo=msk)
    saturday = datetime(2026, 11, 21, 10, 0, tzinfo=msk)
    assert services.business_deadline(saturday, 24) == datetime(2026, 11, 24, 0, 0, tzinfo=msk)


def test_overdue_approval_escalates_to_the_bdms_manager_once(world):
    boss = world.member(world.vendor, "partner_manager")
    world.bdm_a.reports_to = boss
    world.bdm_a.save()
    claim = register(world.a_admin, world.partner_a)
    later = claim.approval_due_at + timedelta(minutes=1)
    assert services.escalate_overdue(now=claim.approval_due_at - timedelta(minutes=1)) == 0
    assert services.escalate_overdue(now=later) == 1
    assert services.escalate_overdue(now=later) == 0
    assert Notification.objects.filter(user=boss, kind="deal.escalated").count() == 1


# ---------------------------------------------------------------------------- the deal's progress


def _protected(world):
    claim = register(world.a_admin, world.partner_a)
    return services.approve(actor=world.bdm_a, claim=claim)


def test_stages_follow_the_process_and_a_win_records_the_sale(world, api):
    pending = register(world.a_admin, world.partner_a)
    r = api(world.a_admin).post(f"/deals/{pending.pk}/stage", {"stage": "qualified"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "stage"  # not protected yet
    claim = services.approve(actor=world.bdm_a, claim=pending)
    r = api(world.a_admin).post(f"/deals/{claim.pk}/stage", {"stage": "won"})
    assert r.status_code == 422  # no jump from registered to won
    for stage in ("qualified", "proposal"):
        r = api(world.a_sales).post(f"/deals/{claim.pk}/stage", {"stage": stage})
        assert r.status_code == 200 and r.json()["stage"] == stage
    r = api(world.a_sales).post(f"/deals/{claim.pk}/stage", {"stage": "won"})
    assert r.json()["status"] == "won"
    sale = Sale.objects.get(organisation=world.partner_a)
    assert (sale.amount, sale.source, sale.customer_inn) == (Decimal("1200000.00"), "deal", CUSTOMER_INN)
    assert sale.external_ref.startswith(f"deal-{claim.pk}-")


def test_stale_form_and_closed_deal_cannot_change_anything(world, api):
    claim = _protected(world)
    stale = claim.lock_version
    assert (
        api(world.a_admin).post(f"/deals/{claim.pk}/stage", {"stage": "qualified", "lock_version": stale}).status_code
        == 200
    )
    r = api(world.a_admin).post(f"/deals/{claim.pk}/stage", {"stage": "proposal", "lock_version": stale})
    assert r.status_code == 409 and r.json()["code"] == "stale_version"
    assert api(world.a_admin).post(f"/deals/{claim.pk}/withdraw", {"reason": "customer postponed"}).status_code == 200
    r = api(world.a_admin).post(f"/deals/{claim.pk}/stage", {"stage": "proposal"})
    assert r.status_code == 409 and r.json()["code"] == "deal_closed"
    assert api(world.a_admin).patch(f"/deals/{claim.pk}", {"title": "revived"}).status_code == 409
    claim.refresh_from_db()
    assert (claim.status, claim.stage, claim.title) == ("withdrawn", "qualified", "Firewall for HQ")


def test_bad_updates_are_refused(world, api):
    claim = _protected(world)
    r = api(world.a_admin).patch(f"/deals/{claim.pk}", {"expected_close_on": "2020-01-01"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "expected_close_on"
    r = api(world.a_admin).patch(f"/deals/{claim.pk}", {"customer_inn": OTHER_INN})
    assert r.status_code == 422  # customer keys cannot change after the match
    assert Claim.objects.get(pk=claim.pk).customer_inn == CUSTOMER_INN


# ---------------------------------------------------------------------------- protection over time


def _idle_since(claim, when: datetime):
    # (protected long enough for any date these tests look at)
    Claim.objects.filter(pk=claim.pk).update(last_activity_at=when, protected_until=date(2099, 1, 1))
    claim.refresh_from_db()
    return claim


def test_no_movement_warns_then_flags_then_bdm_withdraws(world):
    claim = _protected(world)
    with pytest.raises(ValidationError):  # not yet 3 months without movement
        services.withdraw_protection(actor=world.bdm_a, claim=claim, reason="idle")
    # Last movement 1 March: 3 calendar months end on 1 June; the partner is warned 14 days before.
    claim = _idle_since(claim, msk(2026, 3, 1))
    assert services.sweep_protection(now=msk(2026, 5, 18)).warned == 0
    assert services.sweep_protection(now=msk(2026, 5, 19)).warned == 1
    assert services.sweep_protection(now=msk(2026, 5, 20)).warned == 0  # once
    assert Notification.objects.filter(user=world.a_admin, kind="deal.protection_expiring").count() == 1
    sweep = services.sweep_protection(now=msk(2026, 6, 2))
    assert sweep.flagged == 1 and sweep.lapsed == 0
    claim.refresh_from_db()
    assert claim.status == "protected" and claim.stale_flagged_at
    Claim.objects.filter(pk=claim.pk).update(last_activity_at=timezone.now() - timedelta(days=93))
    services.withdraw_protection(actor=world.bdm_a, claim=claim, reason="No news for three months")
    claim.refresh_from_db()
    assert claim.status == "expired"
    entry = AuditEntry.objects.get(action="deal.protection_withdrawn", object_id=str(claim.pk))
    assert entry.before["status"] == "protected" and entry.after["status"] == "expired" and entry.actor == world.bdm_a


def msk(year: int, month: int, day: int, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, 0, tzinfo=ZoneInfo("Europe/Moscow"))


@pytest.mark.parametrize(
    ("last_movement", "now", "stale"),
    [
        # Idle 91 days on 31 May: 3 calendar months end on 1 June, so not yet (90 days used to flag it).
        (msk(2026, 3, 1), msk(2026, 5, 31), False),
        (msk(2026, 3, 1), msk(2026, 6, 1, 13), True),
        # February makes 3 months 89 days: 1 February + 3 months = 1 May; a day later it is stale (90 days idle).
        (msk(2026, 2, 1), msk(2026, 5, 1), False),
        (msk(2026, 2, 1), msk(2026, 5, 2), True),
        # A month-end clamps: 30 November + 3 months = 28 February.
        (msk(2025, 11, 30), msk(2026, 2, 28), False),
        (msk(2025, 11, 30), msk(2026, 2, 28, 13), True),
        # A leap year: 30 November 2027 + 3 months = 29 February 2028.
        (msk(2027, 11, 30), msk(2028, 2, 29), False),
        (msk(2027, 11, 30), msk(2028, 3, 1), True),
    ],
)
def test_no_movement_is_counted_in_calendar_months(world, last_movement, now, stale):
    claim = _idle_since(_protected(world), last_movement)
    assert services.sweep_protection(now=now).flagged == int(stale)
    claim.refresh_from_db()
    assert bool(claim.stale_flagged_at) is stale


def test_the_inactivity_limit_is_the_programmes_months(world):
    v = security_programme()
    v.deal_inactivity_months = 2
    v.save()
    partner_services.enrol(actor=world.vendor_admin, organisation=world.partner_a, programme=v.programme,
                           role_code="reseller", starting_tier_code="authorized", joined_on=date(2026, 1, 1),
                           active=True)  # fmt: skip
    claim = _idle_since(_protected(world), msk(2026, 3, 1))
    assert services.claim_rules(claim).inactivity_months == 2
    assert services.sweep_protection(now=msk(2026, 5, 1)).flagged == 0
    assert services.sweep_protection(now=msk(2026, 5, 2)).flagged == 1


def test_withdrawing_protection_waits_for_the_calendar_months(world):
    from dateutil.relativedelta import relativedelta

    claim = _idle_since(_protected(world), timezone.now() - relativedelta(months=3) + timedelta(hours=1))
    with pytest.raises(ValidationError, match="3 months"):
        services.withdraw_protection(actor=world.bdm_a, claim=claim, reason="idle")
    claim = _idle_since(claim, timezone.now() - relativedelta(months=3) - timedelta(hours=1))
    assert services.withdraw_protection(actor=world.bdm_a, claim=claim, reason="idle").status == "expired"


def test_programme_may_let_protection_lapse_by_itself(world):
    v = security_programme()
    v.deal_lapse_automatic = True
    v.save()
    partner_services.enrol(actor=world.vendor_admin, organisation=world.partner_a, programme=v.programme,
                           role_code="reseller", starting_tier_code="authorized", joined_on=date(2026, 1, 1),
                           active=True)  # fmt: skip
    claim = _idle_since(_protected(world), msk(2026, 3, 1))
    assert services.sweep_protection(now=msk(2026, 6, 2)).lapsed == 1
    claim.refresh_from_db()
    assert claim.status == "expired"


def test_partner_movement_keeps_protection_alive(world, api):
    claim = _protected(world)
    Claim.objects.filter(pk=claim.pk).update(last_activity_at=timezone.now() - timedelta(days=80))
    assert api(world.a_sales).post(f"/deals/{claim.pk}/notes", {"text": "Demo done"}).status_code == 201
    claim.refresh_from_db()
    assert timezone.now() - claim.last_activity_at < timedelta(minutes=1)
    assert services.sweep_protection(now=timezone.now() + timedelta(days=30)).flagged == 0


def test_extension_with_evidence(world, api):
    claim = _protected(world)
    until = claim.protected_until
    r = api(world.a_admin).post(f"/deals/{claim.pk}/extensions", FormData(reason="Tender postponed by the customer"))
    assert r.status_code == 201, r.content
    ext = r.json()["id"]
    assert api(world.a_admin).post(f"/deal-extensions/{ext}/decision", {"grant": True}).status_code == 403
    r = api(world.bdm_a).post(f"/deal-extensions/{ext}/decision", {"grant": True})
    assert r.status_code == 200 and r.json()["days"] == 30
    claim.refresh_from_db()
    assert claim.protected_until == until + timedelta(days=30)
