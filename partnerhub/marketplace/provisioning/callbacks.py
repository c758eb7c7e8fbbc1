"""The address a vendor posts a finished operation to (``Callback-Url``), unique to each provisioning request.

``/api/v1/public/marketplace/provisioning-callbacks/<request id>/<token>``: the token is an HMAC of
the request's id and idempotency key under the site's secret key, so it cannot be guessed, nothing
stores it twice, and it is compared in constant time. The callback is only a hint: the platform
confirms by GETting the operation's status URL (``services.callbacks``).
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

SALT = "partnerhub.marketplace.provisioning-callback"
URL_NAME = "api:marketplace_provisioning_callback"


def token(request_id: int, idempotency_key: str) -> str:
    return salted_hmac(SALT, f"{request_id}:{idempotency_key}", algorithm="sha256").hexdigest()


def is_valid(request_id: int, idempotency_key: str, given: str) -> bool:
    return constant_time_compare(token(request_id, idempotency_key), given or "")


def url(request_id: int, idempotency_key: str) -> str:
    """The request's absolute callback URL (``SITE_URL`` and the API route)."""
    path = reverse(URL_NAME, kwargs={"request_id": request_id, "token": token(request_id, idempotency_key)})
    return f"{settings.SITE_URL}{path}"
