"""Events the enablement context publishes to the apps above it.

``certification_changed(sender, organisation_id, reason)`` is sent inside the writing transaction
when a certificate is issued (``issued``), revoked or removed (``revoked``), or found expired by the
daily job (``expired``). The partners context re-evaluates that organisation's tiers at once.
"""

from django.dispatch import Signal

certification_changed = Signal()


def announce(*, organisation_id: int, reason: str) -> None:
    certification_changed.send(sender="enablement", organisation_id=organisation_id, reason=reason)
