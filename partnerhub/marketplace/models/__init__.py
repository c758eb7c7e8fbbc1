"""The marketplace's tables, by process: storefronts, vendor admission, listings and their versions."""

from .admission import ApplicationScore, ScoreCriterion, VendorApplication
from .listings import (
    Charge,
    Listing,
    ListingText,
    ListingVersion,
    ModerationComment,
    Plan,
    Price,
    Resource,
    Screenshot,
    VersionIndustry,
)
from .storefronts import Storefront

__all__ = [
    "ApplicationScore", "Charge", "Listing", "ListingText", "ListingVersion", "ModerationComment", "Plan", "Price",
    "Resource", "ScoreCriterion", "Screenshot", "Storefront", "VendorApplication", "VersionIndustry",
]  # fmt: skip
