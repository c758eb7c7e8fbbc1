"""The vendor's callback: ``POST /api/v1/public/marketplace/provisioning-callbacks/{request_id}/{token}``.

Public (the vendor's service has no account here) and without CSRF (ninja's operations are exempt;
no cookie authenticates it): the unguessable token in the address is the only credential, and the
body is read only to refuse what is not an operation. See docs/provisioning-api.yaml, "by callback".
"""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import Path, Router, Status

from partnerhub.core.problems import Problem

from ..services.callbacks import callback_receive

public_router = Router(tags=["marketplace: provisioning callbacks"], auth=None)
MAX_BODY_BYTES = 16 * 1024
PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
OPERATION = {
    "type": "object",
    "description": "The finished operation (the contract's Operation). Read only to refuse what is not one: "
    "the outcome is taken from the operation's status URL.",
    "properties": {
        "id": {"type": "string", "maxLength": 200},
        "operation": {"type": "string", "maxLength": 200},
        "status": {"type": "string", "enum": ["pending", "succeeded", "failed"]},
        "status_url": {"type": "string", "format": "uri", "maxLength": 500},
        "result": {"type": "object"},
        "problem": {"type": "object"},
    },
}


class BodyTooLarge(Problem):
    status = 413
    code = "body_too_large"
    title = gettext_noop("Request body too large")


class MalformedBody(Problem):
    status = 400
    code = "malformed_body"
    title = gettext_noop("Malformed request body")


def _operation(request: HttpRequest) -> dict:
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY_BYTES or len(request.body) > MAX_BODY_BYTES:
        raise BodyTooLarge(_("A callback body is at most %(size)s bytes.") % {"size": MAX_BODY_BYTES})
    try:
        body = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise MalformedBody(_("The request body is not valid JSON.")) from exc
    if not isinstance(body, dict):
        raise ValidationError({"__all__": [_("Post the finished operation: a JSON object.")]})
    return body


@public_router.post(
    "/public/marketplace/provisioning-callbacks/{request_id}/{token}", response={204: None},
    url_name="marketplace_provisioning_callback",
    summary="A vendor's callback: an operation of this provisioning request finished (a hint, confirmed by polling)",
    description=(
        "The `Callback-Url` the platform sends with each call to the vendor's provisioning API; unique to the "
        "provisioning request. The body is not trusted: the request is made due now and the worker GETs the "
        "operation's `status_url`. Answers 204 again for a repeated callback or a finished request (nothing "
        "changes); 404 for any address the platform did not give out."
    ),
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/json": {"schema": OPERATION}}},
        "responses": {"413": {"description": "The body is larger than 16 KiB.", "content": PROBLEM}},
    },
)  # fmt: skip
def provisioning_callback(request: HttpRequest, request_id: int, token: str = Path(..., max_length=128)):
    _operation(request)
    callback_receive(request_id=request_id, token=token)
    return Status(204, None)
