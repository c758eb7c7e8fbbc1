"""What the partners context does when a lower context announces a change that can move a tier."""

from __future__ import annotations

from django.utils import timezone

from partnerhub.programmes.models import Programme

from .models import Enrolment
from .tiers import evaluate_programme


def on_certification_changed(sender, *, organisation_id: int, reason: str = "", **kwargs) -> None:
    """A certificate of the organisation was issued, revoked or expired: re-evaluate its active enrolments now.

    Runs inside the certificate's transaction (one connection), so the tier moves with the certificate
    or not at all; the nightly run would reach the same result later.
    """
    today = timezone.localdate()
    by_programme: dict[int, list[int]] = {}
    for pk, programme_id in Enrolment.objects.filter(
        organisation_id=organisation_id, status=Enrolment.Status.ACTIVE
    ).values_list("pk", "programme_id"):
        by_programme.setdefault(programme_id, []).append(pk)
    for programme in Programme.objects.filter(pk__in=by_programme).order_by("pk"):
        evaluate_programme(programme=programme, on=today, enrolment_ids=by_programme[programme.pk])
