"""A whole programme version as YAML: schema v1, its validator, loader and exporter.

``parse`` reads YAML text and ``validate`` an already loaded document; both check it
completely and return the normalised document (every default filled in, amounts and
percents as two-decimal strings, dates as ISO strings) or every error found, each naming the
file, the key path (``tiers[1].requirements[0].threshold``) and the reason. ``build`` writes a
normalised document as one programme version (or rewrites a draft in place); callers run it
inside their transaction, so an error loads nothing. ``document`` reads a version back as the
normalised document and ``export`` as YAML, so a file survives a round trip.
The schema is documented in docs/programme-schema.md."""

from .schema import (
    AMOUNT_KEYS,
    AMOUNT_MAX,
    ATTRIBUTIONS,
    BENEFIT,
    BENEFIT_KINDS,
    BENEFIT_PARAMETERS,
    BLOCKS,
    CENT,
    COUNTED,
    DEALS,
    FAMILY,
    FAMILY_METRICS,
    INT_MAX,
    LEADS,
    MAX_NODES,
    METRIC_REQ,
    METRICS,
    OBLIGATION_REQ,
    OBLIGATIONS,
    PARAMETERS,
    PERIODS,
    PROGRAMME,
    RATE,
    REFERRALS,
    REQUIRED,
    ROLE,
    SCHEMA_VERSION,
    TIER,
    TOP,
    VERSION,
    K,
    YamlError,
)
from .storage import _field, as_yaml, build, document, export, overrides_of, version_fields
from .validation import parse, validate

__all__ = [
    "AMOUNT_KEYS",
    "AMOUNT_MAX",
    "ATTRIBUTIONS",
    "BENEFIT",
    "BENEFIT_KINDS",
    "BENEFIT_PARAMETERS",
    "BLOCKS",
    "CENT",
    "COUNTED",
    "DEALS",
    "FAMILY",
    "FAMILY_METRICS",
    "INT_MAX",
    "LEADS",
    "MAX_NODES",
    "METRICS",
    "METRIC_REQ",
    "OBLIGATIONS",
    "OBLIGATION_REQ",
    "PARAMETERS",
    "PERIODS",
    "PROGRAMME",
    "RATE",
    "REFERRALS",
    "REQUIRED",
    "ROLE",
    "SCHEMA_VERSION",
    "TIER",
    "TOP",
    "VERSION",
    "K",
    "YamlError",
    "_field",
    "as_yaml",
    "build",
    "document",
    "export",
    "overrides_of",
    "parse",
    "validate",
    "version_fields",
]
