"""REST endpoints of the marketplace under /api/v1/marketplace (signed in) and /api/v1/public/marketplace."""

from ninja import Router

from . import admission, callbacks, conformance, listings, orders, storefronts

router = Router()
router.add_router("", admission.router)
router.add_router("", listings.router)
router.add_router("", conformance.router)
router.add_router("", storefronts.router)
router.add_router("", orders.router)
public_router = Router(auth=None)
public_router.add_router("", storefronts.public_router)
public_router.add_router("", callbacks.public_router)

__all__ = ["public_router", "router"]
