"""The marketplace's cases of the tenancy matrices (tests/test_tenancy_matrix.py, tests/test_tenancy_pages.py)."""

from __future__ import annotations

from tests.conftest import FormData


def _png():
    from .marketplace_builders import png

    return png()


def marketplace_b(world) -> dict:
    """B as a software vendor: its admitted application, a listing with a draft, a screenshot of the draft."""
    from partnerhub.marketplace.models import Screenshot

    from .marketplace_builders import admitted, draft_listing, storefronts

    storefronts()  # open, with nothing of B's on them
    application = admitted(world.partner_b)
    listing = draft_listing(world.b_admin, world.partner_b, complete=False)
    shot = Screenshot.objects.create(version=listing.working_version, image="marketplace/screenshots/b.png",
                                     thumbnail="marketplace/thumbnails/b.png", width=640, height=400)  # fmt: skip
    return {"mp_application": application.pk, "mp_listing": listing.pk, "mp_version": listing.working_version_id,
            "mp_screenshot": shot.pk}  # fmt: skip


API_MATRIX = {
    ("post", "/api/v1/marketplace/organisations/{org_id}/vendor-applications"): lambda o: (
        f"/marketplace/organisations/{o['org']}/vendor-applications",
        {
            "software_description": "x",
            "focus_industries": ["it"],
            "implementation_stories": "x",
            "company_profile": "x",
        },
    ),
    ("get", "/api/v1/marketplace/vendor-applications/{application_id}"): lambda o: (
        f"/marketplace/vendor-applications/{o['mp_application']}",
        None,
    ),
    ("post", "/api/v1/marketplace/vendor-applications/{application_id}/scores"): lambda o: (
        f"/marketplace/vendor-applications/{o['mp_application']}/scores",
        {"criterion_code": "demand", "score": 5},
    ),
    ("post", "/api/v1/marketplace/vendor-applications/{application_id}/decision"): lambda o: (
        f"/marketplace/vendor-applications/{o['mp_application']}/decision",
        {"admit": False, "note": "x"},
    ),
    ("post", "/api/v1/marketplace/organisations/{org_id}/listings"): lambda o: (
        f"/marketplace/organisations/{o['org']}/listings",
        None,
    ),
    ("get", "/api/v1/marketplace/listings/{listing_id}"): lambda o: (f"/marketplace/listings/{o['mp_listing']}", None),
    ("put", "/api/v1/marketplace/listings/{listing_id}/service"): lambda o: (
        f"/marketplace/listings/{o['mp_listing']}/service",
        {"texts": {"en": {"name": "X", "short_description": "x", "long_description": "x"}}, "category": "crm"},
    ),
    ("post", "/api/v1/marketplace/listings/{listing_id}/screenshots"): lambda o: (
        f"/marketplace/listings/{o['mp_listing']}/screenshots",
        FormData(caption="x", image=_png()),
    ),
    ("delete", "/api/v1/marketplace/screenshots/{screenshot_id}"): lambda o: (
        f"/marketplace/screenshots/{o['mp_screenshot']}",
        None,
    ),
    ("put", "/api/v1/marketplace/listings/{listing_id}/pricing"): lambda o: (
        f"/marketplace/listings/{o['mp_listing']}/pricing",
        {"plans": []},
    ),
    ("put", "/api/v1/marketplace/listings/{listing_id}/provisioning"): lambda o: (
        f"/marketplace/listings/{o['mp_listing']}/provisioning",
        {"mode": "manual", "email": "x@y.test"},
    ),
    ("put", "/api/v1/marketplace/listings/{listing_id}/storefronts"): lambda o: (
        f"/marketplace/listings/{o['mp_listing']}/storefronts",
        {"codes": []},
    ),
    ("post", "/api/v1/marketplace/listings/{listing_id}/submit"): lambda o: (
        f"/marketplace/listings/{o['mp_listing']}/submit",
        None,
    ),
    ("get", "/api/v1/marketplace/versions/{version_id}/diff"): lambda o: (
        f"/marketplace/versions/{o['mp_version']}/diff",
        None,
    ),
    ("post", "/api/v1/marketplace/versions/{version_id}/approve"): lambda o: (
        f"/marketplace/versions/{o['mp_version']}/approve",
        None,
    ),
    ("post", "/api/v1/marketplace/versions/{version_id}/reject"): lambda o: (
        f"/marketplace/versions/{o['mp_version']}/reject",
        {"comments": {"category": "x"}},
    ),
}

_PUBLIC = "public: only listings live on the storefront and their vendors, everyone else 404 (test_marketplace_*)"
API_EXEMPT = {
    ("get", "/api/v1/public/marketplace/storefronts/{code}/listings"): "public: a storefront addressed by its code",
    ("get", "/api/v1/public/marketplace/storefronts/{code}/listings/{listing_id}"): _PUBLIC,
    ("get", "/api/v1/public/marketplace/storefronts/{code}/vendors/{org_id}"): _PUBLIC,
}

UI_MATRIX = {
    "marketplace-application": lambda o: {"application_id": o["mp_application"]},
    "marketplace-listing": lambda o: {"listing_id": o["mp_listing"]},
    "marketplace-listing-service": lambda o: {"listing_id": o["mp_listing"]},
    "marketplace-listing-pricing": lambda o: {"listing_id": o["mp_listing"]},
    "marketplace-listing-provisioning": lambda o: {"listing_id": o["mp_listing"]},
    "marketplace-listing-storefronts": lambda o: {"listing_id": o["mp_listing"]},
    "marketplace-screenshot-remove": lambda o: {"screenshot_id": o["mp_screenshot"]},
    "marketplace-screenshot": lambda o: {"screenshot_id": o["mp_screenshot"], "kind": "thumb"},
    "marketplace-review": lambda o: {"version_id": o["mp_version"]},
    # public pages: B's listing is a draft and B has nothing live, so 404 for everyone
    "store-listing": lambda o: {"code": "ru", "listing_id": o["mp_listing"]},
    "store-vendor": lambda o: {"code": "ru", "org_id": o["org"]},
}
