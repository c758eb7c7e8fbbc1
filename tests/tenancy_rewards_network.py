"""The tenancy matrix cases of the rewards network and customer payments (tests/test_tenancy_matrix.py and
tests/test_tenancy_pages.py): B's enrolment (its distributor and recruiter) and B's sale (its payments)."""

from __future__ import annotations

# (method, OpenAPI path) -> (path with B's ids, JSON body); the objects come from test_tenancy_matrix.b_objects.
API_MATRIX = {
    ("post", "/api/v1/enrolments/{enrolment_id}/network"): lambda o: (
        f"/enrolments/{o['enrolment']}/network",
        {"distributor_id": o["org_a"], "distributor_since": "2026-03-01"},
    ),
    ("get", "/api/v1/sales/{sale_id}/payments"): lambda o: (f"/sales/{o['sale']}/payments", None),
    ("post", "/api/v1/sales/{sale_id}/payments"): lambda o: (
        f"/sales/{o['sale']}/payments",
        {"amount": "1.00", "paid_on": "2026-03-20"},
    ),
}

UI_MATRIX = {
    "enrolment-network": lambda o: {"enrolment_id": o["enrolment"]},
    "enrolment-network-pick": lambda o: {"enrolment_id": o["enrolment"]},
    "sale-detail": lambda o: {"sale_id": o["sale"]},
}
