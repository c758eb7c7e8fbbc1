"""Orders, subscriptions and provisioning requests in the tenancy matrices (test_tenancy_matrix, test_tenancy_pages).

B is the partner: B registered a customer of its own and ordered for it a plan of software vendor V's
live listing (provisioned by hand). Partner A, A's manager and customer C see none of it.
"""

from __future__ import annotations


def orders_b(world) -> dict:
    from partnerhub.marketplace.models import Storefront
    from partnerhub.marketplace.services import orders

    from .factories import OrganisationFactory
    from .order_builders import live_listing

    vendor_v = OrganisationFactory(name="Vendor V")
    listing = live_listing(world, vendor_v, admin=world.member(vendor_v, "partner_admin"), programme=False)
    link = orders.partner_customer_create(actor=world.b_admin, partner=world.partner_b, name="ООО Клиент Б",
                                          inn="7736050003")  # fmt: skip
    sub = orders.order_place(actor=world.b_admin, storefront=Storefront.objects.get(code="ru"), listing_id=listing.pk,
                             plan_code="standard", customer=link.customer, partner=world.partner_b,
                             quantities={"seats": 1})  # fmt: skip
    return {"mp_live_listing": listing.pk, "mp_subscription": sub.pk, "mp_request": sub.requests.get().pk,
            "mp_customer": link.customer_id}  # fmt: skip


def _sub(o, tail=""):
    return f"/marketplace/subscriptions/{o['mp_subscription']}{tail}"


def _req(o, tail=""):
    return f"/marketplace/provisioning-requests/{o['mp_request']}{tail}"


API_MATRIX = {
    ("post", "/api/v1/marketplace/storefronts/{code}/orders"): lambda o: (
        "/marketplace/storefronts/ru/orders",
        {
            "listing_id": o["mp_live_listing"],
            "plan": "standard",
            "customer_id": o["mp_customer"],
            "partner_id": o["org"],
            "quantities": {"seats": 1},
        },
    ),
    ("get", "/api/v1/marketplace/subscriptions/{subscription_id}"): lambda o: (_sub(o), None),
    ("post", "/api/v1/marketplace/subscriptions/{subscription_id}/change"): lambda o: (
        _sub(o, "/change"),
        {"quantities": {"seats": 2}},
    ),
    ("post", "/api/v1/marketplace/subscriptions/{subscription_id}/cancel"): lambda o: (_sub(o, "/cancel"), None),
    ("post", "/api/v1/marketplace/subscriptions/{subscription_id}/suspend"): lambda o: (_sub(o, "/suspend"), {}),
    ("post", "/api/v1/marketplace/subscriptions/{subscription_id}/resume"): lambda o: (_sub(o, "/resume"), None),
    ("post", "/api/v1/marketplace/subscriptions/{subscription_id}/usage"): lambda o: (
        _sub(o, "/usage"),
        {"metric": "calls", "quantity": "1"},
    ),
    ("post", "/api/v1/marketplace/organisations/{org_id}/customers"): lambda o: (
        f"/marketplace/organisations/{o['org']}/customers",
        {"name": "X", "inn": "7707083893"},
    ),
    ("get", "/api/v1/marketplace/organisations/{org_id}/customers"): lambda o: (
        f"/marketplace/organisations/{o['org']}/customers",
        None,
    ),
    ("get", "/api/v1/marketplace/provisioning-requests/{request_id}"): lambda o: (_req(o), None),
    ("post", "/api/v1/marketplace/provisioning-requests/{request_id}/retry"): lambda o: (_req(o, "/retry"), None),
    ("post", "/api/v1/marketplace/provisioning-requests/{request_id}/take"): lambda o: (_req(o, "/take"), None),
    ("post", "/api/v1/marketplace/provisioning-requests/{request_id}/complete"): lambda o: (
        _req(o, "/complete"),
        {"parameters": {"a": "b"}},
    ),
    ("post", "/api/v1/marketplace/provisioning-requests/{request_id}/fail"): lambda o: (
        _req(o, "/fail"),
        {"reason": "x"},
    ),
    ("post", "/api/v1/marketplace/provisioning-requests/{request_id}/ask"): lambda o: (
        _req(o, "/ask"),
        {"question": "x"},
    ),
    ("post", "/api/v1/marketplace/provisioning-requests/{request_id}/answer"): lambda o: (
        _req(o, "/answer"),
        {"answer": "x"},
    ),
}

UI_MATRIX = {
    "subscription": lambda o: {"subscription_id": o["mp_subscription"]},
    "marketplace-request": lambda o: {"request_id": o["mp_request"]},
    # B's draft listing is not live: nobody orders it (404)
    "store-order": lambda o: {"code": "ru", "listing_id": o["mp_listing"], "plan_code": "standard"},
}

API_EXEMPT = {
    ("get", "/api/v1/public/marketplace/vendors/{org_id}/products"): (
        "public: a vendor's live listings, as its products in the partner catalogue (test_marketplace_vendor_products)"
    ),
    ("post", "/api/v1/public/marketplace/provisioning-callbacks/{request_id}/{token}"): (
        "public: the vendor's callback, addressed by the request's secret token; any other address is a 404 "
        "and the body is never trusted (test_marketplace_callbacks)"
    ),
}
