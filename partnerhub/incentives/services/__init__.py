"""Writes of the incentives context: quarterly rebates, and contests and SPIFs with their awards."""

from .awards import award_incentive
from .definitions import save_incentive
from .rebates import RebateLine, post_quarterly_rebates, preview_quarterly_rebates, quarter_bounds

__all__ = [
    "RebateLine",
    "award_incentive",
    "post_quarterly_rebates",
    "preview_quarterly_rebates",
    "quarter_bounds",
    "save_incentive",
]
