"""The incentives' cases of the tenancy matrices (tests/test_tenancy_matrix.py, tests/test_tenancy_pages.py)."""

from __future__ import annotations

from datetime import date


def incentives_b(world, enrolment) -> dict:
    """A contest open to B alone (named), in B's programme."""
    from partnerhub.incentives.services import save_incentive

    contest = save_incentive(actor=world.vendor_admin, kind="contest", name="Конкурс Б", metric="sales_volume",
                             programme=enrolment.programme.code, starts_on=date(2026, 1, 1), ends_on=date(2026, 3, 31),
                             partners=[world.partner_b.pk], prizes=[{"rank": 1, "amount": "1000"}])  # fmt: skip
    return {"incentive": contest.pk}


def _body(o):
    return {"kind": "contest", "name": "X", "programme": o["programme"], "metric": "won_deals",
            "starts_on": "2026-01-01", "ends_on": "2026-01-31", "prizes": [{"rank": 1, "amount": "1"}]}  # fmt: skip


API_MATRIX = {
    ("get", "/api/v1/incentives/{incentive_id}"): lambda o: (f"/incentives/{o['incentive']}", None),
    ("put", "/api/v1/incentives/{incentive_id}"): lambda o: (f"/incentives/{o['incentive']}", _body(o)),
    ("get", "/api/v1/incentives/{incentive_id}/standings"): lambda o: (f"/incentives/{o['incentive']}/standings", None),
    ("post", "/api/v1/incentives/{incentive_id}/award"): lambda o: (f"/incentives/{o['incentive']}/award", None),
}

UI_MATRIX = {
    "incentive-detail": lambda o: {"incentive_id": o["incentive"]},
    "incentive-edit": lambda o: {"incentive_id": o["incentive"]},
    "incentive-award": lambda o: {"incentive_id": o["incentive"]},
}
