"""Writes of the marketplace, by process; every function keyword-only, one transaction, audited."""

from .admission import application_decide, application_score, criterion_save, vendor_apply
from .listings import (
    listing_create,
    screenshot_add,
    screenshot_remove,
    set_pricing,
    set_provisioning,
    set_service,
    set_storefronts,
    submission_gaps,
    submit,
)
from .moderation import version_approve, version_reject
from .storefronts import storefront_save

__all__ = [
    "application_decide", "application_score", "criterion_save", "listing_create", "screenshot_add",
    "screenshot_remove", "set_pricing", "set_provisioning", "set_service", "set_storefronts", "storefront_save",
    "submission_gaps", "submit", "vendor_apply", "version_approve", "version_reject",
]  # fmt: skip
