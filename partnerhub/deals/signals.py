"""Events the claim registry publishes to the contexts above it.

The registry must not know who builds on it (referrals, leads, …): it sends a signal inside the
writing transaction, and an upper context that cares connects a receiver in its ``AppConfig.ready``.
Receivers run synchronously in the same transaction, so their writes commit or roll back with it."""

from django.dispatch import Signal

# Sent after a claim's status changed and was saved and audited.
# Arguments: claim (deals.Claim), actor (User or None for jobs), old_status (str).
claim_status_changed = Signal()
