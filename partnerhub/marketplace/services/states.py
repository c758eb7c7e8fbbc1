"""The subscription's state machine: from a state, the states it may move to."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ..models import Subscription

S = Subscription.Status
TRANSITIONS: dict[str, set[str]] = {
    S.PENDING: {S.TRIAL, S.ACTIVE, S.TERMINATED},
    S.TRIAL: {S.ACTIVE, S.TERMINATING, S.TERMINATED},
    S.ACTIVE: {S.PAUSED, S.SUSPENDED, S.TERMINATING},
    S.PAUSED: {S.ACTIVE, S.TERMINATING},
    S.SUSPENDED: {S.ACTIVE, S.TERMINATING},
    S.TERMINATING: {S.TERMINATED},
    S.TERMINATED: set(),
}


def move(subscription: Subscription, to: str) -> None:
    """Put ``subscription`` in state ``to`` if the state machine allows it (the caller saves)."""
    if to != subscription.status and to not in TRANSITIONS[subscription.status]:
        raise ValidationError(
            {
                "status": [
                    _("A subscription cannot go from “%(from)s” to “%(to)s”.")
                    % {"from": S(subscription.status).label, "to": S(to).label}
                ]
            }
        )
    subscription.status = to
