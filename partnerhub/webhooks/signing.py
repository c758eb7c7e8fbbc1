"""Signing webhook bodies, and checking a signature the way a receiver does.

``X-Partnerhub-Signature: sha256=<hex>`` is the HMAC-SHA256, keyed with the endpoint's
secret, of ``f"{timestamp}.{body}"`` where ``timestamp`` is the ``X-Partnerhub-Timestamp``
header (Unix seconds) and ``body`` the raw request body (UTF-8 JSON).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

PREFIX = "sha256="
SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix, not a secret)


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(*, secret: str, timestamp: str, body: bytes | str) -> str:
    raw = body.encode() if isinstance(body, str) else body
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + raw, hashlib.sha256).hexdigest()
    return PREFIX + mac


def verify(
    *, secret: str, timestamp: str, body: bytes | str, header: str, tolerance: int = 300, now: float | None = None
) -> bool:
    """True when ``header`` signs ``body`` at ``timestamp`` and the timestamp is recent enough."""
    try:
        sent_at = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs((time.time() if now is None else now) - sent_at) > tolerance:
        return False
    return hmac.compare_digest(signature(secret=secret, timestamp=timestamp, body=body), header or "")
