"""The moderators' pages: the queue, and a submitted version's diff with approve or return with comments."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from partnerhub.core.pagination import Paginator
from partnerhub.identity.roles import Perm
from partnerhub.identity.services import has_perm

from .. import documents, selectors, services


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.moderation_queue(actor=request.user), 50).get_page(request.GET.get("page"))
    return render(request, "marketplace/moderation_queue.html", {"page": page})


@login_required
def review(request: HttpRequest, version_id: int) -> HttpResponse:
    version = selectors.version(actor=request.user, pk=version_id)
    listing = version.listing
    live = listing.live_version if listing.live_version_id and listing.live_version_id != version.pk else None
    lines = documents.labelled(documents.diff(live, version))
    errors: list[str] = []
    if request.method == "POST":
        try:
            if request.POST.get("action") == "approve":
                services.version_approve(actor=request.user, version=version)
                messages.success(request, _("Approved: the listing is live on its storefronts."))
            else:
                comments = {k.removeprefix("comment:"): v for k, v in request.POST.items() if k.startswith("comment:")}
                services.version_reject(actor=request.user, version=version, comments=comments)
                messages.success(request, _("Returned to the vendor with your comments."))
        except ValidationError as exc:
            errors = [e for msgs in exc.message_dict.values() for e in msgs]
        else:
            return redirect("marketplace-moderation")
    can_moderate = has_perm(actor=request.user, perm=Perm.MARKETPLACE_MODERATE, organisation=listing.organisation)
    ctx = {"v": version, "listing": listing, "live": live, "lines": lines, "errors": errors,
           "can_moderate": can_moderate and version.status == "submitted"}  # fmt: skip
    return render(request, "marketplace/moderation_review.html", ctx)
