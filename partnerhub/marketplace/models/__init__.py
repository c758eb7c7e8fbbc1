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
from .orders import CustomerLink, ProvisioningRequest, Subscription, UsageRecord
from .provisioning import ConformanceRun
from .storefronts import Storefront

__all__ = [
    "ApplicationScore",
    "Charge",
    "ConformanceRun",
    "CustomerLink",
    "Listing",
    "ListingText",
    "ListingVersion",
    "ModerationComment",
    "Plan",
    "Price",
    "ProvisioningRequest",
    "Resource",
    "ScoreCriterion",
    "Screenshot",
    "Storefront",
    "Subscription",
    "UsageRecord",
    "VendorApplication",
    "VersionIndustry",
]  # fmt: skip
