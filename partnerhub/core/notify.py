"""In-app notifications, e-mailed after the transaction commits."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from .models import Notification
from .validators import validate_site_link


def notify(
    *, users: Iterable, organisation=None, kind: str, title: str, body: str = "", url: str = "", email: bool = True
) -> list[Notification]:
    """Create one notification per user; send the e-mails once the surrounding transaction commits.

    ``url`` is a path on this site (or an http(s) address): it is shown as a link.
    """
    if url:
        validate_site_link(url)
    created = [
        Notification.objects.create(user=u, organisation=organisation, kind=kind, title=title[:300], body=body, url=url)
        for u in dict.fromkeys(users)
        if u is not None
    ]
    if email and created:
        recipients = [(n.user.email, n.title, n.body, n.url) for n in created]

        def send() -> None:
            for address, subject, text, link in recipients:
                full = f"{text}\n\n{settings.SITE_URL}{link}" if link else text
                send_mail(subject=subject, message=full, from_email=None, recipient_list=[address], fail_silently=True)

        transaction.on_commit(send)
    return created
