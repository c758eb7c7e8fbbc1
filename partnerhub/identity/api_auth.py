"""API authentication by personal token: ``Authorization: Bearer ph_…``."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from .services import token_authenticate


class TokenAuth(HttpBearer):
    """``Authorization: Bearer ph_…`` personal API tokens."""

    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str):
        user = token_authenticate(raw=token)
        if user is None:
            raise AuthenticationError(401, _("The API token is invalid, expired or revoked."))
        request.user = user
        return user
