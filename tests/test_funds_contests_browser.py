"""Development funds and a sales contest in a real browser: a partner requests an activity, finance approves,
the partner claims with a proof file, finance approves the claim and the payment shows on the partner's
Earnings page; a partner reads a running contest's leaderboard without its rivals' amounts."""

from datetime import timedelta

import pytest
from django.utils import timezone

from partnerhub.funds import services as funds
from partnerhub.funds.models import ActivityRequest, Claim
from tests.browser import click_through

from .test_funds import PDF
from .test_incentives import admin_of, contest, field, p002  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_request_approve_claim_with_a_file_approve_and_paid_on_earnings(world, open_as, tmp_path):
    today = timezone.localdate()
    budget = funds.grant_by_hand(actor=world.finance, organisation_id=world.partner_a.pk, kind="mdf", currency="RUB",
                                 period_kind="quarter", period_start=today, amount="100000")  # fmt: skip
    partner = open_as(world.a_admin)
    partner.goto(f"/funds/budgets/{budget.pk}/request/")
    partner.select_option("select[name=kind]", "webinar")
    partner.fill("input[name=title]", "Webinar for customers")
    partner.fill("input[name=starts_on]", budget.period_start.isoformat())
    partner.fill("input[name=ends_on]", budget.period_start.isoformat())
    partner.fill("input[name=planned_cost]", "40000")
    click_through(partner, "form button[type=submit].primary")
    req = ActivityRequest.objects.get()
    assert partner.locator("[data-testid=request-status]").inner_text().strip() == "Awaiting decision"

    finance = open_as(world.finance)
    finance.goto(f"/funds/requests/{req.pk}/")
    finance.select_option("select[name=decision]", "approve")
    click_through(finance, f"form[action='/funds/requests/{req.pk}/decide/'] button[type=submit]")
    assert ActivityRequest.objects.get().status == "approved"

    proof = tmp_path / "proof.pdf"
    proof.write_bytes(PDF)
    partner.goto(f"/funds/requests/{req.pk}/")
    partner.fill("input[name=actual_cost]", "30000")
    partner.set_input_files("input[name=files]", str(proof))
    click_through(partner, f"form[action='/funds/requests/{req.pk}/claim/'] button[type=submit]")
    claim = Claim.objects.get()
    assert [f.name for f in claim.files.all()] == ["proof.pdf"]

    finance.goto(f"/funds/requests/{req.pk}/")
    form = f"form[action='/funds/claims/{claim.pk}/decide/']"
    finance.select_option(f"{form} select[name=decision]", "approve")
    click_through(finance, f"{form} button[type=submit]")
    assert Claim.objects.get().status == "approved"

    partner.goto(f"/earnings/{world.partner_a.pk}/")
    payable = partner.locator("[data-testid=balances] tr[data-currency=RUB] td").nth(3).inner_text()
    assert payable.replace("\xa0", "").replace(" ", "").replace(",", "") == "30000.00"


def test_a_partner_reads_the_live_leaderboard_without_rivals_amounts(world, open_as, p002, field):
    alpha, beta, _gamma = field
    today = timezone.localdate()
    inc = contest(world, p002, period=(today - timedelta(days=40), today + timedelta(days=10)))
    page = open_as(admin_of(alpha))
    page.goto(f"/incentives/{inc.pk}/")
    board = page.locator("[data-testid=leaderboard]")
    own = board.locator(f"tr[data-org='{alpha.pk}']").inner_text()
    rival = board.locator(f"tr[data-org='{beta.pk}']").inner_text()
    assert "400" in own.replace("\xa0", "").replace(" ", "")  # its own figure: 400 000
    assert "hidden" in rival and "450" not in rival.replace("\xa0", "").replace(" ", "")
    assert "Live" in page.locator("#leaderboard").inner_text()
