"""Benefit requests' cases of the tenancy matrix (tests/test_tenancy_matrix.py, tests/test_tenancy_pages.py):
B's request and B's entitlements are 404 to every outsider, through the API and the pages."""

from __future__ import annotations

from tests.support_builders import enrol_in_tier


def benefits_b(world) -> dict:
    """Partner B, Privileged in the 002 programme, with a pending NFR request."""
    from partnerhub.benefits import services

    enrol_in_tier(world.partner_b, "privileged")
    req = services.submit_request(actor=world.b_admin, organisation=world.partner_b, kind="nfr_licences")
    return {"benefit_request": req.pk, "benefit_org": world.partner_b.pk}


API_MATRIX = {
    ("get", "/api/v1/benefits/organisations/{org_id}/entitlements"): lambda o: (
        f"/benefits/organisations/{o['benefit_org']}/entitlements", None),
    ("get", "/api/v1/benefits/requests/{request_id}"): lambda o: (f"/benefits/requests/{o['benefit_request']}", None),
    ("post", "/api/v1/benefits/requests/{request_id}/approve"): lambda o: (
        f"/benefits/requests/{o['benefit_request']}/approve", {}),
    ("post", "/api/v1/benefits/requests/{request_id}/reject"): lambda o: (
        f"/benefits/requests/{o['benefit_request']}/reject", {"reason": "x"}),
    ("post", "/api/v1/benefits/requests/{request_id}/fulfil"): lambda o: (
        f"/benefits/requests/{o['benefit_request']}/fulfil", {"licence_key": "X"}),
}  # fmt: skip

UI_MATRIX = {
    "benefits-detail": lambda o: {"request_id": o["benefit_request"]},
    "benefits-decide": lambda o: {"request_id": o["benefit_request"]},
    "benefits-fulfil": lambda o: {"request_id": o["benefit_request"]},
}
