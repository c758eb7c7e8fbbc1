"""The tier engine: thresholds, explanations, upgrades, delayed downgrades, overrides, versions."""

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest

from partnerhub.core.models import AuditEntry, Notification
from partnerhub.partners import services, tiers
from partnerhub.partners.evaluation import evaluate_enrolment
from partnerhub.partners.models import Enrolment, ObligationRecord, TierChange
from partnerhub.partners.tiers import evaluate_programme

from .programme_builders import certify, security_programme, sell

pytestmark = pytest.mark.django_db
ON = date(2026, 6, 15)


@pytest.fixture
def programme(world):
    return security_programme().programme


@pytest.fixture
def enrolment(world, programme):
    # Partner A files its monthly reports (required of Authorized partners that had sales).
    ObligationRecord.objects.create(organisation=world.partner_a, obligation="monthly_reports",
                                    valid_from=date(2025, 1, 1), status="accepted")  # fmt: skip
    return services.enrol(actor=world.vendor_admin, organisation=world.partner_a, programme=programme,
                          role_code="reseller", joined_on=date(2026, 1, 10), active=True)  # fmt: skip


def test_exact_threshold_of_certified(world, programme, enrolment):
    certify(world.partner_a)
    sell(world.partner_a, "499999.99", date(2026, 3, 1))
    ev = evaluate_enrolment(enrolment, ON)
    assert ev.qualified == "authorized"
    certified = next(t for t in ev.tiers if t.code == "certified")
    sales = next(r for r in certified.requirements if r.code == "sales")
    assert (sales.have, sales.need, sales.met, sales.unit) == (Decimal("499999.99"), Decimal("500000"), False, "RUB")
    assert [r.code for r in certified.missing] == ["sales"]
    sell(world.partner_a, "0.01", date(2026, 3, 2))
    assert evaluate_enrolment(enrolment, ON).qualified == "certified"


def test_other_currencies_and_other_partners_do_not_count(world, programme, enrolment):
    certify(world.partner_a)
    sell(world.partner_a, "600000", date(2026, 3, 1), currency="USD")
    sell(world.partner_b, "600000", date(2026, 3, 1))
    assert evaluate_enrolment(enrolment, ON).qualified == "authorized"


def test_previous_full_year_holds_during_this_year(world, programme, enrolment):
    certify(world.partner_a)
    sell(world.partner_a, "520000", date(2025, 11, 1))
    ev = evaluate_enrolment(enrolment, ON)
    assert ev.qualified == "certified"
    sales = next(r for r in ev.tiers[1].requirements if r.code == "sales")
    assert sales.window == {"from": "2025-01-01", "to": "2025-12-31"}
    assert evaluate_enrolment(enrolment, date(2027, 1, 5)).qualified == "authorized"  # 2025 no longer counts


def test_expired_certificate_stops_counting(world, programme, enrolment):
    certify(world.partner_a, issued=date(2024, 1, 1), expires=date(2026, 6, 1))
    sell(world.partner_a, "700000", date(2026, 2, 1))
    assert evaluate_enrolment(enrolment, date(2026, 5, 31)).qualified == "certified"
    assert evaluate_enrolment(enrolment, date(2026, 6, 1)).qualified == "authorized"


def test_if_had_sales_condition(world, programme, enrolment):
    ObligationRecord.objects.filter(organisation=world.partner_a).delete()
    assert evaluate_enrolment(enrolment, ON).qualified == "authorized"  # no sales: reports not required
    sell(world.partner_a, "1000", date(2026, 2, 1))
    ev = evaluate_enrolment(enrolment, ON)
    assert ev.qualified is None  # had sales, no accepted monthly reports
    ObligationRecord.objects.create(organisation=world.partner_a, obligation="monthly_reports",
                                    valid_from=date(2026, 1, 1), status="accepted")  # fmt: skip
    assert evaluate_enrolment(enrolment, ON).qualified == "authorized"


def test_upgrade_at_once_downgrade_after_grace(world, programme, enrolment):
    certify(world.partner_a)
    sale = sell(world.partner_a, "600000", date(2026, 2, 1))
    s = evaluate_programme(programme=programme, on=ON)
    enrolment.refresh_from_db()
    assert (s.upgraded, enrolment.tier_code, enrolment.tier_since) == (1, "certified", ON)
    change = TierChange.objects.get(enrolment=enrolment, to_tier_code="certified")
    assert change.from_tier_code is None and change.cause == "evaluation"
    assert AuditEntry.objects.filter(action="tier.changed", object_id=str(enrolment.pk)).exists()
    assert Notification.objects.filter(user=world.a_admin, kind="tier.changed").exists()

    # The sale is refunded (removed from the facts): the downgrade waits for the period end + grace.
    sale.delete()
    s = evaluate_programme(programme=programme, on=ON + timedelta(days=1))
    enrolment.refresh_from_db()
    assert enrolment.tier_code == "certified" and s.downgrade_scheduled == 1
    assert enrolment.downgrade_due_on == date(2026, 12, 31) + timedelta(days=30)
    assert Notification.objects.filter(user=world.a_admin, kind="tier.at_risk").exists()
    evaluate_programme(programme=programme, on=date(2027, 1, 29))
    enrolment.refresh_from_db()
    assert enrolment.tier_code == "certified"
    s = evaluate_programme(programme=programme, on=date(2027, 1, 30))
    enrolment.refresh_from_db()
    assert (s.downgraded, enrolment.tier_code, enrolment.downgrade_due_on) == (1, "authorized", None)


def test_recovering_before_the_due_date_cancels_the_downgrade(world, programme, enrolment):
    certify(world.partner_a)
    sale = sell(world.partner_a, "600000", date(2026, 2, 1))
    evaluate_programme(programme=programme, on=ON)
    sale.delete()
    evaluate_programme(programme=programme, on=ON + timedelta(days=1))
    sell(world.partner_a, "650000", date(2026, 7, 1))
    evaluate_programme(programme=programme, on=date(2026, 7, 2))
    enrolment.refresh_from_db()
    assert enrolment.tier_code == "certified" and enrolment.downgrade_due_on is None


def test_daily_run_is_idempotent(world, programme, enrolment):
    certify(world.partner_a)
    sell(world.partner_a, "600000", date(2026, 2, 1))
    evaluate_programme(programme=programme, on=ON)
    counts = (TierChange.objects.count(), AuditEntry.objects.count(), Notification.objects.count())
    s = evaluate_programme(programme=programme, on=ON)
    assert s.upgraded == s.downgraded == 0 and s.unchanged == 1
    assert counts == (TierChange.objects.count(), AuditEntry.objects.count(), Notification.objects.count())


def test_roles_without_tiers_are_not_evaluated(world, programme):
    agent = services.enrol(actor=world.vendor_admin, organisation=world.partner_b, programme=programme,
                           role_code="agent", joined_on=date(2026, 1, 10), active=True)  # fmt: skip
    assert evaluate_enrolment(agent, ON) is None
    evaluate_programme(programme=programme, on=ON)
    agent.refresh_from_db()
    assert agent.tier_code is None and agent.evaluated_on is None


def test_override_holds_until_its_end(world, programme, enrolment):
    tiers.override_tier(actor=world.bdm_a, enrolment=enrolment, tier_code="privileged",
                        until=date.today() + timedelta(days=10), reason="Strategic account")  # fmt: skip
    enrolment.refresh_from_db()
    assert enrolment.tier_code == "privileged"
    assert TierChange.objects.filter(enrolment=enrolment, cause="override", reason="Strategic account").exists()
    evaluate_programme(programme=programme, on=date.today())
    enrolment.refresh_from_db()
    assert enrolment.tier_code == "privileged" and enrolment.evaluated_tier_code == "authorized"
    evaluate_programme(programme=programme, on=date.today() + timedelta(days=11))
    enrolment.refresh_from_db()
    assert enrolment.tier_code == "authorized" and enrolment.override_tier_code is None
    assert TierChange.objects.filter(enrolment=enrolment, cause="override_ended").exists()


def test_override_rules(world, programme, enrolment):
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(PermissionDenied):
        tiers.override_tier(actor=world.bdm_b, enrolment=enrolment, tier_code="privileged",
                            until=date.today() + timedelta(days=3), reason="x")  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        tiers.override_tier(actor=world.bdm_a, enrolment=enrolment, tier_code="diamond",
                            until=date.today() - timedelta(days=1), reason=" ")  # fmt: skip
    assert set(exc.value.message_dict) == {"tier_code", "until", "reason"}
    enrolment.refresh_from_db()
    assert enrolment.override_tier_code is None


def test_end_override_applies_evaluation_at_once(world, programme, enrolment):
    tiers.override_tier(actor=world.vendor_admin, enrolment=enrolment, tier_code="privileged",
                        until=date.today() + timedelta(days=10), reason="Pilot")  # fmt: skip
    e = tiers.end_override(actor=world.vendor_admin, enrolment=enrolment)
    assert e.override_tier_code is None and e.tier_code == "authorized"


def test_each_date_uses_the_version_in_force(world, programme, enrolment):
    certify(world.partner_a)
    sell(world.partner_a, "600000", date(2026, 2, 1))
    security_programme(programme=programme, number=2, effective_from=date(2026, 7, 1),
                       certified_threshold=Decimal("800000"))  # fmt: skip
    before = evaluate_enrolment(enrolment, date(2026, 6, 30))
    after = evaluate_enrolment(enrolment, date(2026, 7, 1))
    assert (before.version_number, before.qualified) == (1, "certified")
    assert (after.version_number, after.qualified) == (2, "authorized")


def _thirty(programme):
    from .factories import OrganisationFactory

    orgs = []
    for i in range(30):
        org = OrganisationFactory(name=f"P{i}")
        services.enrol(actor=None, organisation=org, programme=programme, role_code="reseller",
                       joined_on=date(2026, 1, 1), active=True)  # fmt: skip
        sell(org, 100000 * i + 1, date(2026, 2, 1))
        certify(org)
        ObligationRecord.objects.create(organisation=org, obligation="monthly_reports", valid_from=date(2026, 1, 1),
                                        status="accepted")  # fmt: skip
        orgs.append(org)
    return orgs


def test_evaluation_is_set_based(world, programme, django_assert_max_num_queries):
    _thirty(programme)
    with django_assert_max_num_queries(40):
        s = evaluate_programme(programme=programme, on=ON)
    assert s.evaluated == 30
    # 500,000 RUB and more (i >= 5) is Certified; Privileged also needs joint promotion, which nobody has.
    assert Enrolment.objects.filter(tier_code="certified").count() == 25
    assert Enrolment.objects.filter(tier_code="authorized").count() == 5


def test_a_rerun_writes_only_the_partners_whose_inputs_changed(world, programme):
    orgs = _thirty(programme)
    first = evaluate_programme(programme=programme, on=ON)
    assert first.written == 30
    sell(orgs[3], "200000", date(2026, 3, 1))  # 300,001 + 200,000 RUB: now Certified
    stamp = {e.pk: e.explanation for e in Enrolment.objects.all()}
    again = evaluate_programme(programme=programme, on=ON)
    assert (again.evaluated, again.written, again.upgraded, again.unchanged) == (30, 1, 1, 29)
    changed = Enrolment.objects.get(organisation=orgs[3])
    assert changed.tier_code == "certified" and changed.explanation != stamp[changed.pk]
    assert all(e.explanation == stamp[e.pk] for e in Enrolment.objects.exclude(pk=changed.pk))
    # The next day every explanation carries the new date: all are written, none changes tier.
    nxt = evaluate_programme(programme=programme, on=ON + timedelta(days=1))
    assert (nxt.written, nxt.upgraded, nxt.downgraded) == (30, 0, 0)


def test_batches_give_the_same_result_as_one_run(world, programme):
    _thirty(programme)
    s = evaluate_programme(programme=programme, on=ON, batch_size=7)
    assert (s.batches, s.evaluated) == (5, 30)
    tiers_batched = dict(Enrolment.objects.values_list("organisation_id", "tier_code"))
    Enrolment.objects.update(tier_code=None, evaluation_digest="", explanation={})
    evaluate_programme(programme=programme, on=ON)
    assert dict(Enrolment.objects.values_list("organisation_id", "tier_code")) == tiers_batched


def test_the_stored_explanation_says_what_is_missing(world, programme, enrolment):
    certify(world.partner_a)
    sell(world.partner_a, "450000", date(2026, 2, 1))
    evaluate_programme(programme=programme, on=ON)
    enrolment.refresh_from_db()
    certified = next(t for t in enrolment.explanation["tiers"] if t["code"] == "certified")
    assert certified["met"] is False and certified["figures"] == {"sales": "450000.00", "staff": "1"}
    assert certified["missing"] == [{"code": "sales", "kind": "metric", "have": "450000.00", "need": "500000.00"}]


def test_the_stored_explanation_is_the_evaluation_as_json(world, programme):
    """A run writes each explanation as JSON assembled from shared pieces: it must read back as the evaluation."""
    _thirty(programme)
    evaluate_programme(programme=programme, on=ON)
    seen = set()
    for e in Enrolment.objects.filter(programme=programme):
        ev = evaluate_enrolment(e, ON)
        assert json.loads(ev.stored_json()) == ev.stored() == e.explanation
        seen.add((ev.qualified, tuple(len(t["missing"]) for t in e.explanation["tiers"])))
    assert len(seen) > 2  # partners in different tiers, missing different things
