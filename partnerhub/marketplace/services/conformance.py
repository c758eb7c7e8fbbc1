"""Step 3's gate: the conformance suite run against a listing's provisioning API, kept with its report.

The suite (:mod:`partnerhub.marketplace.provisioning.conformance`) plays a subscription's life against the
vendor's API with the token the listing holds. Its report — every check with its calls, requests,
answers and verdicts — is stored, so the vendor reads exactly what failed. A listing in API mode is
submitted only when the latest run for its current address and token passed (:func:`passed_for`).
"""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from partnerhub.core import audit
from partnerhub.identity.models import User

from ..choices import ProvisioningMode
from ..models import ConformanceRun, Listing, ListingVersion
from ..provisioning.conformance import run_conformance
from .access import require_seller


def token_digest(token: str) -> str:
    return hashlib.sha256((token or "").encode()).hexdigest() if token else ""


def latest_run(version: ListingVersion) -> ConformanceRun | None:
    return ConformanceRun.objects.filter(listing_id=version.listing_id).order_by("-ran_at", "-id").first()


def passed_for(version: ListingVersion) -> bool:
    """The latest run of the listing tested this version's address with this version's token, and passed."""
    run = latest_run(version)
    return bool(run and run.passed and run.url == version.provisioning_url
                and run.token_digest == token_digest(version.provisioning_token))  # fmt: skip


def _edited(listing: Listing) -> ListingVersion | None:
    return listing.working_version or listing.live_version


def run_check(*, actor: User, listing: Listing, allow_private: bool | None = None) -> ConformanceRun:
    """Run the suite against the address and token of the version being edited (or the live one).

    ``allow_private`` (the demo, against the sample service on loopback) overrides
    ``PROVISIONING_ALLOW_PRIVATE_NETWORKS``. Not one transaction: the suite talks to the vendor for up
    to a minute, and its report is written when it ends (one row, audited). Nothing else changes.
    """
    require_seller(actor=actor, organisation=listing.organisation)
    listing = Listing.objects.select_related("working_version", "live_version").get(pk=listing.pk)  # as saved now
    version = _edited(listing)
    if version is None or version.provisioning_mode != ProvisioningMode.API or not version.provisioning_url:
        raise ValidationError({"url": [_("Save the provisioning API's address first (vendor API mode).")]})
    if not version.provisioning_token:
        raise ValidationError({"token": [_("Save the token the platform sends to the provisioning API first.")]})
    plan = version.plans.order_by("position", "id").values_list("code", flat=True).first() or "conformance"
    resource = version.resources.order_by("id").values_list("code", flat=True).first() or "seats"
    report = run_conformance(version.provisioning_url, version.provisioning_token, plan=plan, resource=resource,
                             allow_private=allow_private)  # fmt: skip
    run = ConformanceRun.objects.create(listing=listing, url=version.provisioning_url, passed=report.passed,
                                        token_digest=token_digest(version.provisioning_token),
                                        report=report.as_dict(), ran_by=actor)  # fmt: skip
    audit.record(actor=actor, action="listing.conformance_checked", obj=version, organisation=listing.organisation,
                 after={"url": run.url, "passed": run.passed,
                        "failed": [c["code"] for c in run.report["checks"] if c["verdict"] != "passed"]})  # fmt: skip
    return run
