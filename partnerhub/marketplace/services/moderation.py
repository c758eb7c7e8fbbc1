"""Moderation: a submitted version goes live on its storefronts at once, or returns with comments per field."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerhub.core import audit
from partnerhub.core.notify import notify
from partnerhub.identity.models import User
from partnerhub.identity.roles import Perm, Role
from partnerhub.identity.services import require_perm

from ..models import Listing, ListingVersion, ModerationComment


def _submitted(*, actor: User, version: ListingVersion) -> tuple[Listing, ListingVersion]:
    require_perm(actor=actor, perm=Perm.MARKETPLACE_MODERATE, organisation=version.listing.organisation)
    listing = Listing.objects.select_for_update().get(pk=version.listing_id)
    version = ListingVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != ListingVersion.Status.SUBMITTED:
        raise ValidationError({"status": [ValidationError(_("This version is not awaiting moderation."),
                                                          code="not_submitted")]})  # fmt: skip
    return listing, version


def _tell_vendor(listing: Listing, title: str, body: str = "") -> None:
    admins = User.objects.filter(
        memberships__organisation=listing.organisation_id, memberships__role=Role.PARTNER_ADMIN
    )
    notify(users=admins, organisation=listing.organisation, kind="marketplace.moderated", title=title, body=body,
           url=f"/marketplace/listings/{listing.pk}/")  # fmt: skip


@transaction.atomic
def version_approve(*, actor: User, version: ListingVersion) -> ListingVersion:
    """The version goes live on its storefronts; the version it replaces is kept as superseded."""
    listing, version = _submitted(actor=actor, version=version)
    previous = listing.live_version
    if previous is not None:
        previous.status = ListingVersion.Status.SUPERSEDED
        previous.save(update_fields=["status"])
    version.status = ListingVersion.Status.LIVE
    version.decided_at, version.decided_by = timezone.now(), actor
    version.save(update_fields=["status", "decided_at", "decided_by"])
    listing.live_version, listing.working_version = version, None
    listing.save(update_fields=["live_version", "working_version"])
    audit.record(actor=actor, action="listing.approved", obj=version, organisation=listing.organisation,
                 before={"live_version": previous.number if previous else None},
                 after={"live_version": version.number})  # fmt: skip
    _tell_vendor(listing, _("Your listing is live (version %(n)s)") % {"n": version.number})
    return version


@transaction.atomic
def version_reject(*, actor: User, version: ListingVersion, comments: dict[str, str]) -> ListingVersion:
    """Return the version to the vendor with a comment per field (at least one); the live version stays."""
    listing, version = _submitted(actor=actor, version=version)
    comments = {str(k).strip()[:80]: str(v).strip() for k, v in (comments or {}).items() if str(v or "").strip()}
    if not comments:
        raise ValidationError({"comments": [ValidationError(_("Comment on at least one field."), code="required")]})
    too_long = [k for k, v in comments.items() if len(v) > 2000]
    if too_long:
        raise ValidationError({f"comments.{k}": [_("At most %(n)s characters.") % {"n": 2000}] for k in too_long})
    ModerationComment.objects.bulk_create(
        [ModerationComment(version=version, field=k, comment=v, author=actor) for k, v in comments.items()]
    )
    version.status = ListingVersion.Status.REJECTED
    version.decided_at, version.decided_by = timezone.now(), actor
    version.save(update_fields=["status", "decided_at", "decided_by"])
    audit.record(actor=actor, action="listing.rejected", obj=version, organisation=listing.organisation,
                 after={"comments": comments})  # fmt: skip
    _tell_vendor(
        listing, _("Your listing was returned with comments"), "\n".join(f"{k}: {v}" for k, v in comments.items())
    )
    return version
