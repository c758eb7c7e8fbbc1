"""Development funds (MDF/BDF): grant → request → approve → claim with proof → approve less → paid through
the ledger; over-budget refusals, bad input, expiry (idempotent), tier grants, pages."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from partnerhub.core.models import AuditEntry, Notification
from partnerhub.funds import services
from partnerhub.funds.models import ActivityRequest, Budget, Claim
from partnerhub.funds.rules import period_bounds
from partnerhub.rewards.models import JournalEntry, LedgerLine
from partnerhub.rewards.services import ledger
from tests.conftest import FormData

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 20
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def pdf(name="proof.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def _today():
    return timezone.localdate()


def grant(world, amount="100000.00", org=None):
    return services.grant_by_hand(
        actor=world.finance,
        organisation_id=(org or world.partner_a).pk,
        kind="mdf",
        currency="RUB",
        period_kind="quarter",
        period_start=_today(),
        amount=amount,
    )


def request_for(world, budget, cost="40000.00", user=None):
    start = budget.period_start
    return services.submit_request(
        actor=user or world.a_admin,
        budget=budget,
        kind="webinar",
        title="Вебинар",
        starts_on=start,
        ends_on=start,
        planned_cost=cost,
    )


def _figures(budget):
    from partnerhub.funds.rules import with_figures

    b = with_figures(Budget.objects.filter(pk=budget.pk)).get()
    return b.amount, b.reserved, b.used, b.remaining_amount


def test_the_whole_flow_pays_exactly_the_approved_amount_into_payable(world, api):
    budget = grant(world)
    assert (budget.period_start, budget.period_end) == period_bounds("quarter", _today())
    payable_before = ledger.balances([world.partner_a.pk]).get((world.partner_a.pk, "RUB"), {}).get("payable", 0)

    client = api(world.a_admin)
    r = client.post(
        f"/funds/budgets/{budget.pk}/requests",
        {
            "kind": "event",
            "title": "Конференция",
            "starts_on": str(budget.period_start),
            "ends_on": str(budget.period_start),
            "planned_cost": "40000.00",
        },
    )
    assert r.status_code == 201, r.content
    req_id = r.json()["id"]
    r = api(world.finance).post(f"/funds/requests/{req_id}/approve", {})
    assert r.status_code == 200 and r.json()["status"] == "approved"
    assert _figures(budget) == (Decimal("100000.00"), Decimal("40000.00"), Decimal("0.00"), Decimal("60000.00"))
    assert Notification.objects.filter(user=world.a_admin, kind="funds.request_approved").exists()

    r = client.post(f"/funds/requests/{req_id}/claims", FormData(actual_cost="38000.00", files=pdf()))
    assert r.status_code == 201, r.content
    claim_id = r.json()["id"]
    assert [f["name"] for f in r.json()["files"]] == ["proof.pdf"]

    r = api(world.finance).post(f"/funds/claims/{claim_id}/approve", {"amount": "35000.00"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "reason"
    r = api(world.finance).post(f"/funds/claims/{claim_id}/approve", {"amount": "35000.00", "reason": "Без такси"})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "approved" and r.json()["approved_amount"] == "35000.00"

    payable = ledger.balances([world.partner_a.pk])[(world.partner_a.pk, "RUB")]["payable"]
    assert payable - payable_before == Decimal("35000.00")
    entry = JournalEntry.objects.get(pk=r.json()["journal_entry_id"])
    assert entry.kind == "fund_claim"
    assert sorted(LedgerLine.objects.filter(entry=entry).values_list("account", "amount")) == [
        ("payable", Decimal("-35000.00")),
        ("vendor_expense", Decimal("35000.00")),
    ]
    # the reservation ended; the budget used what was paid
    assert _figures(budget) == (Decimal("100000.00"), Decimal("0.00"), Decimal("35000.00"), Decimal("65000.00"))
    assert ActivityRequest.objects.get(pk=req_id).status == "paid"
    assert {
        "funds.budget_granted",
        "funds.request_submitted",
        "funds.request_approved",
        "funds.claim_submitted",
        "funds.claim_approved",
        "ledger.fund_claim",
    } <= set(AuditEntry.objects.values_list("action", flat=True))


def test_a_request_over_what_remains_is_refused_naming_what_remains(world, api):
    budget = grant(world, amount="50000.00")
    first = request_for(world, budget, cost="30000.00")
    services.approve_request(actor=world.finance, request=first)
    r = api(world.a_admin).post(
        f"/funds/budgets/{budget.pk}/requests",
        {
            "kind": "advertising",
            "title": "Баннеры",
            "starts_on": str(budget.period_start),
            "ends_on": str(budget.period_start),
            "planned_cost": "20000.01",
        },
    )
    assert r.status_code == 422
    [error] = r.json()["errors"]
    assert error["field"] == "planned_cost" and error["code"] == "over_budget" and "20" in error["message"]
    assert ActivityRequest.objects.count() == 1


def test_approval_is_refused_when_less_remains_than_when_requested(world):
    budget = grant(world, amount="50000.00")
    a, b = request_for(world, budget, cost="30000.00"), request_for(world, budget, cost="30000.00")
    services.approve_request(actor=world.finance, request=a)
    with pytest.raises(ValidationError) as exc:
        services.approve_request(actor=world.finance, request=b)
    assert exc.value.error_dict["planned_cost"][0].code == "over_budget"
    assert ActivityRequest.objects.get(pk=b.pk).status == "pending"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"planned_cost": "0"}, "planned_cost"),
        ({"planned_cost": "-5"}, "planned_cost"),
        ({"planned_cost": "1.001"}, "planned_cost"),
        ({"ends_on": "2000-01-01"}, "ends_on"),
        ({"kind": "party"}, "kind"),
    ],
)
def test_bad_requests_are_field_errors_and_write_nothing(world, api, changes, field):
    budget = grant(world)
    body = {
        "kind": "event",
        "title": "X",
        "starts_on": str(budget.period_start),
        "ends_on": str(budget.period_start),
        "planned_cost": "10.00",
    } | changes
    r = api(world.a_admin).post(f"/funds/budgets/{budget.pk}/requests", body)
    assert r.status_code == 422, r.content
    assert field in {e["field"] for e in r.json()["errors"]}
    assert not ActivityRequest.objects.exists()


def test_bad_grants_are_field_errors(world, api):
    r = api(world.finance).post(
        "/funds/budgets",
        {
            "organisation_id": world.partner_a.pk,
            "kind": "mdf",
            "currency": "RUB",
            "amount": "0",
            "period_start": "2030-02-01",
            "period_end": "2030-01-01",
        },
    )
    assert r.status_code == 422
    assert {"amount", "period_end"} <= {e["field"] for e in r.json()["errors"]}
    assert (
        api(world.a_admin)
        .post(
            "/funds/budgets",
            {
                "organisation_id": world.partner_a.pk,
                "kind": "mdf",
                "currency": "RUB",
                "amount": "10",
                "period_kind": "quarter",
                "period_start": str(_today()),
            },
        )
        .status_code
        == 403
    )
    assert not Budget.objects.exists()


def test_claims_above_the_approved_amount_or_with_bad_files_are_refused(world, api, settings):
    budget = grant(world)
    req = services.approve_request(actor=world.finance, request=request_for(world, budget, cost="1000.00"))
    client = api(world.a_admin)
    path = f"/funds/requests/{req.pk}/claims"
    r = client.post(path, FormData(actual_cost="1000.01", files=pdf()))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "actual_cost"
    r = client.post(path, FormData(actual_cost="900.00", files=pdf("proof.pdf", EXE)))
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "file_type"
    r = client.post(path, FormData(actual_cost="900.00", files=pdf("proof.png", PDF)))
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "file_type"
    r = client.post(path, FormData(actual_cost="900.00"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "files"
    settings.UPLOAD_MAX_BYTES = 10
    r = client.post(path, FormData(actual_cost="900.00", files=pdf()))
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "file_size"
    settings.UPLOAD_MAX_BYTES = 1024
    assert not Claim.objects.exists() and not (settings.MEDIA_ROOT.exists() and any(settings.MEDIA_ROOT.rglob("*.*")))
    r = client.post(path, FormData(actual_cost="900.00", files=SimpleUploadedFile("photo.png", PNG)))
    assert r.status_code == 201, r.content


def test_a_rejected_claim_leaves_the_activity_claimable(world):
    budget = grant(world)
    req = services.approve_request(actor=world.finance, request=request_for(world, budget, cost="1000.00"))
    claim = services.submit_claim(actor=world.a_admin, request=req, actual_cost="500", files=[pdf()])
    services.reject_claim(actor=world.finance, claim=claim, reason="Нет фото")
    assert Notification.objects.filter(user=world.a_admin, kind="funds.claim_rejected").exists()
    again = services.submit_claim(actor=world.a_admin, request=req, actual_cost="500", files=[pdf()])
    assert again.status == "pending" and not JournalEntry.objects.filter(kind="fund_claim").exists()


def test_expiry_releases_unclaimed_reservations_records_what_expired_and_is_idempotent(world):
    budget = grant(world, amount="10000.00")
    claimed = services.approve_request(actor=world.finance, request=request_for(world, budget, cost="3000.00"))
    services.submit_claim(actor=world.a_admin, request=claimed, actual_cost="3000", files=[pdf()])
    unclaimed = services.approve_request(actor=world.finance, request=request_for(world, budget, cost="2000.00"))
    after_end = budget.period_end + timedelta(days=1)
    assert services.close_expired(on=budget.period_end) == []  # not yet ended
    [closed] = services.close_expired(on=after_end)
    assert closed.status == "closed"
    assert closed.released_amount == Decimal("2000.00")
    assert closed.expired_amount == Decimal("7000.00")  # 10 000 less the 3 000 still awaiting its claim's decision
    assert ActivityRequest.objects.get(pk=unclaimed.pk).status == "expired"
    audit_rows = AuditEntry.objects.filter(action="funds.budget_closed").count()
    assert services.close_expired(on=after_end) == []
    assert AuditEntry.objects.filter(action="funds.budget_closed").count() == audit_rows == 1
    with pytest.raises(ValidationError):
        services.submit_claim(actor=world.a_admin, request=unclaimed, actual_cost="100", files=[pdf()])


def test_tier_grants_follow_the_mdf_benefit_and_the_allowance_table_once_per_period(world):
    from partnerhub.partners.services import enrol
    from partnerhub.programmes.models import Benefit, Tier

    from .programme_builders import security_programme

    version = security_programme(code="mdfprog", effective_from=date(2020, 1, 1))
    Benefit.objects.create(tier=Tier.objects.get(version=version, code="privileged"), kind="mdf", code="mdf")
    for org, tier in ((world.partner_a, "privileged"), (world.partner_b, "authorized")):
        enrol(
            actor=None,
            organisation=org,
            programme=version.programme,
            role_code="reseller",
            joined_on=date(2020, 1, 1),
            starting_tier_code=tier,
            active=True,
        )
    for tier in ("privileged", "authorized"):
        services.set_allowance(
            actor=world.vendor_admin,
            programme_code="mdfprog",
            tier_code=tier,
            kind="mdf",
            period_kind="quarter",
            currency="RUB",
            amount="250000",
        )
    [budget] = services.grant_from_tiers(actor=world.finance, period_kind="quarter")
    assert (budget.organisation_id, budget.amount, budget.tier_code) == (
        world.partner_a.pk,
        Decimal("250000.00"),
        "privileged",
    )
    assert services.grant_from_tiers(period_kind="quarter") == []
    with pytest.raises(ValidationError):
        services.set_allowance(
            actor=world.vendor_admin,
            programme_code="mdfprog",
            tier_code="nope",
            kind="mdf",
            period_kind="quarter",
            currency="RUB",
            amount="1",
        )


def test_partners_see_only_their_own_funds(world, api):
    b_budget = grant(world, org=world.partner_b)
    grant(world)
    items = api(world.a_admin).get("/funds/budgets").json()["items"]
    assert {i["organisation_id"] for i in items} == {world.partner_a.pk}
    assert api(world.a_admin).get(f"/funds/budgets/{b_budget.pk}").status_code == 404


def test_pages_request_decide_claim_and_show_labels(world, ui):
    budget = grant(world)
    partner = ui(world.a_admin)
    page = partner.get("/funds/")
    assert page.status_code == 200 and f'data-budget="{budget.pk}"' in page.content.decode()
    r = partner.post(
        f"/funds/budgets/{budget.pk}/request/",
        {
            "kind": "training",
            "title": "Курс",
            "starts_on": str(budget.period_start),
            "ends_on": str(budget.period_start),
            "planned_cost": "200000",
        },
    )
    assert r.status_code == 422 and "over_budget" not in r.content.decode()
    r = partner.post(
        f"/funds/budgets/{budget.pk}/request/",
        {
            "kind": "training",
            "title": "Курс",
            "starts_on": str(budget.period_start),
            "ends_on": str(budget.period_start),
            "planned_cost": "1000",
        },
    )
    assert r.status_code == 302
    req = ActivityRequest.objects.get()
    vendor = ui(world.finance)
    assert "Курс" in vendor.get("/funds/console/").content.decode()
    assert vendor.post(f"/funds/requests/{req.pk}/decide/", {"decision": "reject"}).status_code == 422
    assert vendor.post(f"/funds/requests/{req.pk}/decide/", {"decision": "approve"}).status_code == 302
    r = partner.post(f"/funds/requests/{req.pk}/claim/", {"actual_cost": "900", "files": [pdf()]})
    assert r.status_code == 302, r.content.decode()[:2000]
    claim = Claim.objects.get()
    assert partner.get(f"/funds/files/{claim.files.get().pk}/").status_code == 200
    assert vendor.post(f"/funds/claims/{claim.pk}/decide/", {"decision": "approve"}).status_code == 302
    detail = partner.get(f"/funds/requests/{req.pk}/").content.decode()
    assert detail.split('data-testid="request-status">')[1].startswith("Paid<")  # the label, not the code


def test_the_console_queue_decides_in_place_with_htmx(world, ui):
    budget = grant(world)
    req = request_for(world, budget, cost="1000.00")
    vendor = ui(world.finance)
    page = vendor.get("/funds/console/").content.decode()
    assert f'hx-post="/funds/requests/{req.pk}/decide/"' in page
    r = vendor.post(f"/funds/requests/{req.pk}/decide/", {"decision": "reject"}, headers={"HX-Request": "true"})
    assert r.status_code == 200 and 'id="fund-request-queue"' in r.content.decode()
    assert 'class="error" data-field="request"' in r.content.decode()
    assert ActivityRequest.objects.get(pk=req.pk).status == "pending"
    r = vendor.post(f"/funds/requests/{req.pk}/decide/", {"decision": "approve"}, headers={"HX-Request": "true"})
    assert r.status_code == 200 and f'data-request="{req.pk}"' not in r.content.decode()
    assert ActivityRequest.objects.get(pk=req.pk).status == "approved"
    assert ui(world.a_admin).get("/funds/console/").status_code == 403


def test_the_demo_budget_is_loaded_once_and_shown_in_russian(db, client):
    from partnerhub.funds.demo import load_demo_funds
    from partnerhub.identity.demo import load_demo
    from partnerhub.identity.models import User

    load_demo()
    first, again = load_demo_funds(), load_demo_funds()
    assert first.pk == again.pk and first.organisation.name == "Альфа Интеграция"
    assert sorted(first.requests.values_list("status", flat=True)) == ["approved", "approved"]
    assert list(Claim.objects.filter(request__budget=first).values_list("status", flat=True)) == ["pending"]
    client.force_login(User.objects.get(email="admin@alpha.demo"))
    html = client.get("/funds/", headers={"Accept-Language": "ru"}).content.decode()
    assert "Фонды развития" in html and "Ждёт решения" in html and "Вебинар" in html
    assert "500\u00a0000\u00a0₽" in html or "500 000" in html


def test_the_daily_job_is_registered_scheduled_and_idempotent(world, settings):
    from partnerhub.funds.tasks import funds_daily

    assert settings.CELERY_BEAT_SCHEDULE["funds-daily"]["task"] == "funds.daily"
    budget = grant(world)
    after_end = (budget.period_end + timedelta(days=1)).isoformat()
    assert funds_daily.delay(on=after_end).get() == {"granted": 0, "closed": 1}
    assert funds_daily.delay(on=after_end).get() == {"granted": 0, "closed": 0}
    assert Budget.objects.get(pk=budget.pk).expired_amount == Decimal("100000.00")
