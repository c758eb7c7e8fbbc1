"""Certificates issued by exams: codes, revocation, reminders before expiry and the expiry itself.

Every change that can move a tier (issued, revoked, expired) is announced with
``signals.certification_changed`` inside the writing transaction.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerhub.core import audit
from partnerhub.core.notify import notify
from partnerhub.core.problems import Conflict
from partnerhub.identity.models import Membership, User
from partnerhub.webhooks.services import publish_event

from .. import signals
from ..models import Attempt, Certification
from .training import require_author


def _publish(event_type: str, cert: Certification) -> None:
    """The certificate's event to the partner's (and the vendor's) webhook endpoints, after commit."""
    spec = cert.specialist
    publish_event(event_type=event_type, organisation_ids=[spec.organisation_id], payload={
        "certification_id": cert.pk, "specialist_id": spec.pk, "specialist_name": spec.full_name,
        "type": cert.type.code, "level": cert.level, "issued_on": cert.issued_on.isoformat(),
        "expires_on": cert.expires_on.isoformat() if cert.expires_on else None,
        "revoked": cert.revoked_at is not None,
    })  # fmt: skip


def new_code() -> str:
    """An unguessable verification code (192 random bits, URL-safe)."""
    return secrets.token_urlsafe(24)


def issue_for_attempt(*, attempt: Attempt, actor: User | None) -> Certification:
    """The certificate a passed attempt earns. Before a held one expires, the new one runs on from its expiry."""
    exam, specialist = attempt.exam, attempt.specialist
    ctype = exam.certification_type
    today = timezone.localdate()
    held = (Certification.objects.select_for_update()
            .filter(specialist=specialist, type=ctype, revoked_at__isnull=True, issued_on__lte=today,
                    expires_on__gt=today).order_by("-expires_on").first())  # fmt: skip
    expires_on = None
    if ctype.validity_months:
        start = held.expires_on if held is not None else today
        expires_on = start + relativedelta(months=ctype.validity_months)
    cert = Certification.objects.create(
        specialist=specialist, type=ctype, level=exam.level, issued_on=today, expires_on=expires_on,
        verification_code=new_code(), attempt=attempt, renews=held, number=f"{ctype.code.upper()}-{attempt.pk:06d}",
    )  # fmt: skip
    audit.record(actor=actor, action="certification.issued", obj=cert, organisation=specialist.organisation,
                 after=audit.snapshot(cert) | {"specialist": specialist.full_name, "type": ctype.code,
                                               "renews": held.pk if held else None})  # fmt: skip
    signals.announce(organisation_id=specialist.organisation_id, reason="issued")
    _publish("certification.issued", cert)
    title = _("%(name)s is certified: %(type)s") % {"name": specialist.full_name, "type": ctype.name}
    notify(users=[specialist.user, *_admins(specialist.organisation_id)], organisation=specialist.organisation,
           kind="certification.issued", title=title, url=reverse("learn-attempt", args=[attempt.pk]),
           body=_("Valid until %(date)s. The certificate and its verification page are on the Learn page.")
           % {"date": expires_on.isoformat() if expires_on else "—"})  # fmt: skip
    return cert


@transaction.atomic
def revoke(*, actor: User, certification: Certification, reason: str) -> Certification:
    """The vendor withdraws a certificate (it stops counting at once; the row and its code stay)."""
    require_author(actor)
    cert = (
        Certification.objects.select_for_update()
        .select_related("specialist__organisation", "type")
        .get(pk=certification.pk)
    )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [ValidationError(_("Say why the certificate is revoked."), code="required")]})
    if cert.revoked_at is not None:
        raise Conflict(_("This certificate is already revoked."), code="already_revoked")
    before = audit.snapshot(cert)
    cert.revoked_at, cert.revoke_reason = timezone.now(), reason[:500]
    cert.save(update_fields=["revoked_at", "revoke_reason"])
    audit.record(actor=actor, action="certification.revoked", obj=cert, organisation=cert.specialist.organisation,
                 before=before, after=audit.snapshot(cert), reason=reason)  # fmt: skip
    signals.announce(organisation_id=cert.specialist.organisation_id, reason="revoked")
    _publish("certification.revoked", cert)
    return cert


def _admins(organisation_id: int) -> list[User]:
    return [m.user for m in Membership.objects.filter(organisation_id=organisation_id, role="partner_admin")
            .select_related("user")]  # fmt: skip


def sweep_certifications(*, on=None) -> dict[str, int]:
    """The daily job (idempotent): remind holders and their administrators before expiry, announce expiries.

    A reminder goes once per certificate, ``CERTIFICATION_REMINDER_DAYS`` before it expires (a renewed
    certificate is a new row, so it is reminded again before its own expiry). An expiry is announced
    once, on or after the day, so the partner's tier is re-evaluated that day.
    """
    today = on or timezone.localdate()
    horizon = today + timedelta(days=settings.CERTIFICATION_REMINDER_DAYS)
    reminded = expired = 0
    due = (Certification.objects.filter(revoked_at__isnull=True, reminded_at__isnull=True, expires_on__gt=today,
                                        expires_on__lte=horizon)
           .select_related("specialist__user", "type").order_by("pk"))  # fmt: skip
    for cert_id in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            cert = due.select_for_update(of=("self",)).filter(pk=cert_id).first()
            if cert is None or cert.renewals.filter(revoked_at__isnull=True).exists():
                continue
            title = _("Certificate “%(type)s” of %(name)s expires on %(date)s") % {
                "type": cert.type.name,
                "name": cert.specialist.full_name,
                "date": cert.expires_on.isoformat(),
            }
            users = [cert.specialist.user, *_admins(cert.specialist.organisation_id)]
            notify(users=users, organisation=cert.specialist.organisation, kind="certification.expiring", title=title,
                   body=_("Sit the exam again to renew it: the new certificate runs on from the old expiry."),
                   url=reverse("learn"))  # fmt: skip
            Certification.objects.filter(pk=cert.pk).update(reminded_at=timezone.now())
            reminded += 1
    ended = Certification.objects.filter(revoked_at__isnull=True, expiry_announced_at__isnull=True,
                                         expires_on__lte=today).order_by("pk")  # fmt: skip
    for cert_id in list(ended.values_list("pk", flat=True)):
        with transaction.atomic():
            cert = ended.select_for_update().select_related("specialist", "type").filter(pk=cert_id).first()
            if cert is None:
                continue
            Certification.objects.filter(pk=cert.pk).update(expiry_announced_at=timezone.now())
            audit.record(actor=None, action="certification.expired", obj=cert,
                         organisation=cert.specialist.organisation, after={"expires_on": cert.expires_on})  # fmt: skip
            signals.announce(organisation_id=cert.specialist.organisation_id, reason="expired")
            _publish("certification.expired", cert)
            expired += 1
    return {"reminded": reminded, "expired": expired}


def verify(code: str) -> Certification | None:
    """The certificate with exactly this code, or None (unknown, forged, malformed: one answer)."""
    code = (code or "").strip()
    if not code or len(code) > 64:
        return None
    cert = (
        Certification.objects.select_related("specialist__organisation", "type").filter(verification_code=code).first()
    )
    if cert is None or not secrets.compare_digest(cert.verification_code, code):
        return None
    return cert
