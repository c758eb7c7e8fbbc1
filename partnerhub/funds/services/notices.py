"""Telling the partner about the vendor's decisions (in the app and by e-mail, after commit)."""

from __future__ import annotations

from partnerhub.core.notify import notify
from partnerhub.identity.models import User

from ..rules import PARTNER_REQUESTERS


def tell_partner(*, organisation, kind: str, title: str, body: str = "") -> None:
    users = User.objects.filter(
        memberships__organisation=organisation, memberships__role__in=PARTNER_REQUESTERS, is_active=True
    ).distinct()
    notify(users=list(users), organisation=organisation, kind=kind, title=title, body=body, url="/funds/")
