from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from partnerhub.core import audit

from ..models import Conversion, ReferralAttribution
from .attribution import _end, _end_current, _status_of_claim
from .common import _announce, _referral_sale
from .terms import A, C


def _activate(attribution: ReferralAttribution, *, actor, now: datetime) -> None:
    before = audit.snapshot(attribution)
    _end_current(
        attribution.customer,
        actor=actor,
        reason=ReferralAttribution.EndReason.MOVED,
        now=now,
        keep_partner=attribution.organisation,
    )
    attribution.status = A.ACTIVE
    attribution.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=actor,
        action="referral.attribution_confirmed",
        obj=attribution,
        organisation=attribution.organisation,
        before=before,
        after=audit.snapshot(attribution),
    )
    for conversion in attribution.conversions.filter(status=C.HELD).select_related("customer", "organisation"):
        conv_before = audit.snapshot(conversion)
        conversion.status = C.ATTRIBUTED
        if conversion.kind == Conversion.Kind.PURCHASE:
            conversion.sale = _referral_sale(conversion, actor=actor)
        conversion.save(update_fields=["status", "sale"])
        audit.record(
            actor=actor,
            action="referral.conversion_credited",
            obj=conversion,
            organisation=attribution.organisation,
            before=conv_before,
            after=audit.snapshot(conversion),
        )
        _announce(conversion)


@transaction.atomic
def settle_attribution(*, attribution: ReferralAttribution, actor=None, now: datetime | None = None) -> str:
    """Bring one attribution in line with its claim and its window; returns the resulting status.

    Idempotent. Called by the hourly job, before a purchase is rated, and by anyone who learns that
    the partner manager decided on a referral claim.
    """
    now = now or timezone.now()
    a = (
        ReferralAttribution.objects.select_for_update(of=("self",))
        .select_related("claim", "customer", "organisation", "link")
        .get(pk=attribution.pk)
    )
    if a.status == A.ENDED:
        return a.status
    claimed = _status_of_claim(a.claim) if a.claim_id else a.status
    if claimed == A.ENDED:
        reason = (
            ReferralAttribution.EndReason.CLAIM_REJECTED
            if a.status == A.HELD
            else ReferralAttribution.EndReason.CLAIM_ENDED
        )
        _end(a, actor=actor, reason=reason, now=now)
    elif a.status == A.HELD and claimed == A.ACTIVE:
        _activate(a, actor=actor, now=now)
    if a.status == A.ACTIVE and a.window_ends_on < timezone.localdate(now):
        _end(a, actor=actor, reason=ReferralAttribution.EndReason.WINDOW, now=now)
    return a.status


def settle_claim(*, claim, actor=None) -> None:
    """The deals context decided on a referral claim: apply it to its attributions now."""
    for a in ReferralAttribution.objects.filter(claim=claim):
        settle_attribution(attribution=a, actor=actor)


def on_claim_status_changed(sender, *, claim, actor=None, **kwargs) -> None:
    """Receiver of ``deals.signals.claim_status_changed`` (connected in ``ReferralsConfig.ready``)."""
    if claim.kind == claim.Kind.REFERRAL:
        settle_claim(claim=claim, actor=actor)


def settle_attributions(*, now: datetime | None = None) -> dict[str, int]:
    """The job: every held or active attribution is settled; returns how many ended or were confirmed."""
    now = now or timezone.now()
    from partnerhub.deals.models import Claim

    out = {"confirmed": 0, "ended": 0}
    due = (
        Q(status=A.HELD)
        | Q(status=A.ACTIVE, window_ends_on__lt=timezone.localdate(now))
        | Q(
            status=A.ACTIVE,
            claim__status__in=[Claim.Status.REJECTED, Claim.Status.EXPIRED, Claim.Status.WITHDRAWN, Claim.Status.LOST],
        )
    )
    for pk, status in ReferralAttribution.objects.filter(due).values_list("id", "status"):
        new = settle_attribution(attribution=ReferralAttribution(pk=pk), now=now)
        if new != status:
            out["ended" if new == A.ENDED else "confirmed"] += 1
    return out
