"""Closing months and a payout run in a real browser: finance closes, prepares; another approves; paid."""

from datetime import date

import pytest

from partnerhub.rewards.models import PayoutRun, RewardPeriod
from tests.reward_builders import rated_march

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_finance_closes_months_and_runs_a_payout_with_four_eyes(world, open_as):
    rated_march(world, paid_on=date(2026, 3, 15))
    finance = open_as(world.finance)
    for period in ("2026-03", "2026-04"):
        finance.goto(f"/rewards/finance/periods/{period}/")
        assert finance.locator(f"[data-org='{world.partner_a.pk}']").count() == 1
        finance.click("[data-testid=close-period]")
        finance.wait_for_url("**/rewards/finance/periods/")
    assert RewardPeriod.objects.count() == 2

    finance.goto("/rewards/finance/payouts/")
    finance.select_option("select[name=currency]", "RUB")
    finance.fill("input[name=minimum]", "100")
    finance.click("[data-testid=prepare-run]")
    finance.wait_for_url("**/rewards/finance/payouts/*/")
    assert finance.locator("[data-testid=four-eyes]").count() == 1  # the preparer cannot approve
    run = PayoutRun.objects.get()

    admin = open_as(world.vendor_admin)
    admin.goto(f"/rewards/finance/payouts/{run.pk}/")
    admin.click("[data-testid=approve-run]")
    admin.wait_for_selector("[data-testid=pay-run]")
    admin.click("[data-testid=pay-run]")
    admin.wait_for_selector("[data-testid=run-1c]")
    assert PayoutRun.objects.get().status == "paid"

    partner = open_as(world.a_admin)
    partner.goto(f"/earnings/{world.partner_a.pk}/")
    assert "400" in partner.locator("[data-testid=partner-payouts]").inner_text()
