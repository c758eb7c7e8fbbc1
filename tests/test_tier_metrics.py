"""Every documented tier metric is measured, and the programme validator refuses one that is not."""

from datetime import date, timedelta

import pytest
import yaml
from django.core.exceptions import ValidationError
from django.utils import timezone

from partnerhub.deals import services as deals
from partnerhub.deals.models import Claim
from partnerhub.partners import metrics
from partnerhub.partners import services as partner_services
from partnerhub.partners.evaluation import evaluate_enrolment
from partnerhub.programmes import services
from partnerhub.programmes.models import Requirement

from .deal_builders import register
from .factories import valid_inn
from .programme_builders import certify, family, sell

pytestmark = pytest.mark.django_db


def _cloud(world):
    v = services.import_programme(actor=None, path=services.DEFINITIONS / "cloud_003.yaml")
    return partner_services.enrol(actor=None, organisation=world.partner_b, programme=v.programme,
                                  role_code="white-label", joined_on=date(2026, 1, 1), active=True)  # fmt: skip


def _deals(world, n, *, approve=True):
    claims = []
    for i in range(n):
        claim = register(world.b_admin, world.partner_b, customer_name=f"ООО «Клиент {i}»",
                         customer_inn=valid_inn(7100 + i), customer_domain=f"client{i}.ru",
                         lines=[{"product_family": "cloud", "amount": "1000.00"}])  # fmt: skip
        claims.append(deals.approve(actor=world.bdm_b, claim=claim) if approve else claim)
    return claims


def test_white_label_partner_reaches_gold_of_the_shipped_003_with_registered_deals(world):
    """3 M RUB, 2 cloud architects and 5 registered deals: Gold, as cloud_003.yaml says (was Silver)."""
    enrolment = _cloud(world)
    today = timezone.localdate()
    sell(world.partner_b, "3000000", today - timedelta(days=30), family_code="cloud")
    for name in ("Architect 1", "Architect 2"):
        certify(world.partner_b, issued=today - timedelta(days=60), type_code="cloud-architect", name=name)
    _deals(world, 4)
    assert evaluate_enrolment(enrolment, today).qualified == "silver"  # 4 of 5 deals
    _deals(world, 1, approve=False)
    ev = evaluate_enrolment(enrolment, today)
    assert ev.qualified == "silver"  # awaiting approval does not count yet
    Claim.objects.filter(organisation=world.partner_b, status="pending").update(status="protected")
    ev = evaluate_enrolment(enrolment, today)
    assert ev.qualified == "gold"
    gold = next(t for t in ev.tiers if t.code == "gold")
    deals_req = next(r for r in gold.requirements if r.code == "deals")
    assert (deals_req.have, deals_req.met, deals_req.measured) == (5, True, True)


def test_won_deals_count_by_closing_date(world):
    enrolment = _cloud(world)
    claims = _deals(world, 2)
    Claim.objects.filter(pk=claims[0].pk).update(status="won", closed_on=date(2026, 3, 1))
    Claim.objects.filter(pk=claims[1].pk).update(status="won", closed_on=date(2024, 3, 1))  # outside 12 months
    spec = metrics.MetricSpec("won_deals", "rolling_12_months")
    values = metrics.measure_batch([spec], enrolment.organisation.__class__.objects.filter(pk=world.partner_b.pk)
                                   .values("pk"), date(2026, 6, 15))  # fmt: skip
    assert values.best(spec, world.partner_b.pk)[0] == 1


def test_every_metric_the_validator_accepts_is_measured():
    accepted = set()
    for metric in Requirement.Metric.values:
        family()
        req = {"code": "m", "metric": metric, "threshold": 1}
        if metric == "sales_volume":
            req["currency"] = "RUB"
        if metric == "certified_staff":
            req["certification"] = "tech"
        doc = {"schema_version": 1, "programme": {"code": f"p-{metric}".replace("_", "-"), "name": "P"},
               "version": {"effective_from": "2026-01-01", "name": "P", "currency": "RUB"},
               "roles": [{"code": "r", "name": "R", "kind": "resale"}],
               "tiers": [{"code": "t", "name": "T", "requirements": [req]}]}  # fmt: skip
        try:
            services.import_programme(actor=None, text=yaml.safe_dump(doc), source="m.yaml")
        except ValidationError:
            continue
        accepted.add(metric)
    assert accepted == set(Requirement.Metric.values)  # every documented metric is accepted…
    assert accepted <= metrics.measured_metrics()  # …and measured


def test_validator_refuses_a_metric_nobody_measures(monkeypatch):
    from partnerhub.programmes import measures

    monkeypatch.setattr(measures, "_MEASURED", measures.measured() - {"won_deals"})
    text = (
        (services.DEFINITIONS / "cloud_003.yaml")
        .read_text(encoding="utf-8")
        .replace("metric: registered_deals", "metric: won_deals")
    )
    with pytest.raises(ValidationError) as exc:
        services.import_programme(actor=None, text=text, source="cloud.yaml")
    assert any("won_deals is not measured" in m for msgs in exc.value.message_dict.values() for m in msgs)


def test_sales_count_in_the_requirements_currency_at_each_sales_date_rate(world):
    """A USD threshold counts rouble and tenge sales, a rouble one counts dollar sales (issue 9: currencies);
    a refunded sale does not count; a sale without a known rate does not count until its rate is known."""
    from decimal import Decimal

    from partnerhub.rewards.models import ExchangeRate, Sale

    ExchangeRate.objects.create(currency="USD", on=date(2026, 2, 27), value=Decimal("90.5000"))  # a Friday
    ExchangeRate.objects.create(currency="KZT", on=date(2026, 2, 27), value=Decimal("18.2000"), nominal=100)
    org = world.partner_a
    sell(org, "90500", date(2026, 3, 1))  # Sunday: Friday's rates
    sell(org, "10", date(2026, 3, 1), currency="USD")
    sell(org, "100000", date(2026, 3, 2), currency="KZT")  # 18,200.00 roubles
    sell(org, "5000", date(2026, 3, 3), currency="EUR")  # no EUR rate yet
    refunded = sell(org, "200000", date(2026, 3, 4))
    Sale.objects.filter(pk=refunded.pk).update(status=Sale.Status.REFUNDED)

    def measured(currency: str) -> Decimal:
        spec = metrics.MetricSpec("sales_volume", "rolling_12_months", currency=currency)
        return metrics.measure_batch([spec], [org.pk], date(2026, 6, 1)).best(spec, org.pk)[0]

    assert measured("USD") == Decimal("1211.10")  # 1,000.00 + 10 + 201.10 (18,200 / 90.5, to the cent)
    assert measured("RUB") == Decimal("109605.00")  # 90,500 + 905.00 + 18,200.00
    ExchangeRate.objects.create(currency="EUR", on=date(2026, 3, 3), value=Decimal("100.0000"))
    assert measured("RUB") == Decimal("609605.00")
    count = metrics.MetricSpec("purchase_count", "rolling_12_months")
    assert metrics.measure_batch([count], [org.pk], date(2026, 6, 1)).best(count, org.pk)[0] == 4
