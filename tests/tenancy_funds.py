"""The development funds' cases of the tenancy matrix (tests/test_tenancy_matrix.py)."""

from __future__ import annotations

from datetime import date

from tests.conftest import FormData


def funds_b(world) -> dict:
    """A development-funds budget of B: a pending request, an approved one with a pending claim and its file."""
    from partnerhub.funds import services as funds
    from partnerhub.funds.models import Claim, ProofFile

    budget = funds.grant_by_hand(actor=world.finance, organisation_id=world.partner_b.pk, kind="mdf", currency="RUB",
                                 period_kind="quarter", period_start=date.today(), amount="100000")  # fmt: skip
    ask = {"kind": "webinar", "title": "B", "starts_on": budget.period_start, "ends_on": budget.period_start}
    pending = funds.submit_request(actor=world.b_admin, budget=budget, planned_cost="10", **ask)
    approved = funds.approve_request(actor=world.finance, request=funds.submit_request(
        actor=world.b_admin, budget=budget, planned_cost="20", **ask))  # fmt: skip
    claim = Claim.objects.create(organisation=world.partner_b, request=approved, actual_cost=20)
    proof = ProofFile.objects.create(organisation=world.partner_b, claim=claim, file="funds/proof/b.pdf", name="b.pdf")
    return {"fund_budget": budget.pk, "fund_request": pending.pk, "fund_request_approved": approved.pk,
            "fund_claim": claim.pk, "fund_file": proof.pk}  # fmt: skip


# Development funds: B's budget, requests, claim.
API_MATRIX = {
    ("get", "/api/v1/funds/budgets/{budget_id}"): lambda o: (f"/funds/budgets/{o['fund_budget']}", None),
    ("post", "/api/v1/funds/budgets/{budget_id}/requests"): lambda o: (
        f"/funds/budgets/{o['fund_budget']}/requests",
        {"kind": "event", "title": "X", "starts_on": "2026-01-01", "ends_on": "2026-01-01", "planned_cost": "1"},
    ),
    ("get", "/api/v1/funds/requests/{request_id}"): lambda o: (f"/funds/requests/{o['fund_request']}", None),
    ("post", "/api/v1/funds/requests/{request_id}/approve"): lambda o: (
        f"/funds/requests/{o['fund_request']}/approve",
        {},
    ),
    ("post", "/api/v1/funds/requests/{request_id}/reject"): lambda o: (
        f"/funds/requests/{o['fund_request']}/reject",
        {"reason": "x"},
    ),
    ("post", "/api/v1/funds/requests/{request_id}/claims"): lambda o: (
        f"/funds/requests/{o['fund_request_approved']}/claims",
        FormData(actual_cost="1"),
    ),
    ("get", "/api/v1/funds/claims/{claim_id}"): lambda o: (f"/funds/claims/{o['fund_claim']}", None),
    ("post", "/api/v1/funds/claims/{claim_id}/approve"): lambda o: (f"/funds/claims/{o['fund_claim']}/approve", {}),
    ("post", "/api/v1/funds/claims/{claim_id}/reject"): lambda o: (
        f"/funds/claims/{o['fund_claim']}/reject",
        {"reason": "x"},
    ),
}
