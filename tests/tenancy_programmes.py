"""The programmes' cases of the tenancy matrix (tests/test_tenancy_matrix.py)."""

from __future__ import annotations

# Programmes: a partner reads those it is enrolled in (B is, in "matrix"); vendor staff read every
# programme, so a BDM is no outsider to them (see VENDOR_WIDE) and only vendor administrators change them.
API_MATRIX = {
    ("get", "/api/v1/programmes/{code}"): lambda o: (f"/programmes/{o['programme']}", None),
    ("get", "/api/v1/programmes/{code}/versions/{number}"): lambda o: (
        f"/programmes/{o['programme']}/versions/1",
        None,
    ),
    ("get", "/api/v1/programmes/{code}/versions/{number}/yaml"): lambda o: (
        f"/programmes/{o['programme']}/versions/1/yaml",
        None,
    ),
    ("post", "/api/v1/programmes/{code}/drafts"): lambda o: (f"/programmes/{o['programme']}/drafts", None),
    ("put", "/api/v1/programmes/{code}/versions/{number}"): lambda o: (
        f"/programmes/{o['programme']}/versions/1",
        {"yaml": "x: 1"},
    ),
    ("post", "/api/v1/programmes/{code}/versions/{number}/publish"): lambda o: (
        f"/programmes/{o['programme']}/versions/1/publish",
        {},
    ),
    ("post", "/api/v1/programmes/{code}/versions/{number}/retire"): lambda o: (
        f"/programmes/{o['programme']}/versions/1/retire",
        {},
    ),
    ("patch", "/api/v1/programmes/{code}/versions/{number}/settings"): lambda o: (
        f"/programmes/{o['programme']}/versions/1/settings",
        {"deal_protection_days": 1},
    ),
    ("post", "/api/v1/programmes/{code}/versions/{number}/tiers"): lambda o: (
        f"/programmes/{o['programme']}/versions/1/tiers",
        {"code": "elite", "name": "Elite"},
    ),
    ("patch", "/api/v1/programmes/{code}/versions/{number}/tiers/{tier_code}"): lambda o: (
        f"/programmes/{o['programme']}/versions/1/tiers/certified",
        {"name": "X"},
    ),
    ("delete", "/api/v1/programmes/{code}/versions/{number}/tiers/{tier_code}"): lambda o: (
        f"/programmes/{o['programme']}/versions/1/tiers/certified",
        None,
    ),
    ("post", "/api/v1/programmes/{code}/versions/{number}/tiers/{tier_code}/requirements"): lambda o: (
        f"/programmes/{o['programme']}/versions/1/tiers/certified/requirements",
        {"code": "deals", "metric": "registered_deals", "threshold": "1"},
    ),
    ("patch", "/api/v1/programmes/{code}/versions/{number}/tiers/{tier_code}/requirements/{req_code}"): lambda o: (
        f"/programmes/{o['programme']}/versions/1/tiers/certified/requirements/sales",
        {"threshold": "1"},
    ),
    ("delete", "/api/v1/programmes/{code}/versions/{number}/tiers/{tier_code}/requirements/{req_code}"): lambda o: (
        f"/programmes/{o['programme']}/versions/1/tiers/certified/requirements/sales",
        None,
    ),
    ("post", "/api/v1/programmes/{code}/versions/{number}/tiers/{tier_code}/benefits"): lambda o: (
        f"/programmes/{o['programme']}/versions/1/tiers/certified/benefits",
        {"code": "mgr", "kind": "dedicated_manager"},
    ),
    ("patch", "/api/v1/programmes/{code}/versions/{number}/tiers/{tier_code}/benefits/{benefit_code}"): lambda o: (
        f"/programmes/{o['programme']}/versions/1/tiers/certified/benefits/leads",
        {"label": "x"},
    ),
    ("delete", "/api/v1/programmes/{code}/versions/{number}/tiers/{tier_code}/benefits/{benefit_code}"): lambda o: (
        f"/programmes/{o['programme']}/versions/1/tiers/certified/benefits/leads",
        None,
    ),
    ("put", "/api/v1/programmes/{code}/versions/{number}/tiers/{tier_code}/reward-rates"): lambda o: (
        f"/programmes/{o['programme']}/versions/1/tiers/certified/reward-rates",
        {"rates": [{"product_family": "software", "sale_type": "new", "percent": "1"}]},
    ),
    ("get", "/api/v1/programmes/{code}/versions/{number}/overrides"): lambda o: (
        f"/programmes/{o['programme']}/versions/1/overrides",
        None,
    ),
    ("put", "/api/v1/programmes/{code}/versions/{number}/overrides"): lambda o: (
        f"/programmes/{o['programme']}/versions/1/overrides",
        {"overrides": [{"kind": "distributor", "family": "software", "percent": "1"}]},
    ),
}
