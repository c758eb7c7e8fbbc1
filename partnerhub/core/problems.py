"""RFC 9457 problem details: the one error format of the API.

Every failure the API returns is ``application/problem+json``::

    {"type": "urn:partnerhub:problem:validation", "title": "Invalid input", "status": 422,
     "detail": "...", "instance": "/api/v1/...", "code": "validation",
     "errors": [{"field": "inn", "message": "...", "code": "inn_checksum"}]}

``errors`` is present for validation failures and names each field (dotted path for
nested input; ``"__all__"`` for errors about the whole object).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

CONTENT_TYPE = "application/problem+json"


class Problem(Exception):
    """An error a service or view raises to answer with a given status and code."""

    status = 400
    code = "bad_request"
    title = "Bad request"

    def __init__(self, detail: str = "", *, status: int | None = None, code: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        if status is not None:
            self.status = status
        if code is not None:
            self.code = code


class Conflict(Problem):
    status = 409
    code = "conflict"
    title = "Conflict"


def problem_response(
    request: HttpRequest | None,
    *,
    status: int,
    code: str,
    title: str,
    detail: str = "",
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    body: dict[str, Any] = {
        "type": f"urn:partnerhub:problem:{code}",
        "title": title,
        "status": status,
        "detail": detail or title,
        "instance": request.path if request is not None else "",
        "code": code,
    }
    if errors is not None:
        body["errors"] = errors
    response = HttpResponse(
        json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False), status=status, content_type=CONTENT_TYPE
    )
    for key, value in (headers or {}).items():
        response[key] = value
    return response


def errors_from_django(exc: ValidationError) -> list[dict[str, str]]:
    items: list[dict[str, str]] = []
    if hasattr(exc, "error_dict"):
        for field, errs in exc.error_dict.items():
            for err in errs:
                items.append(_item("__all__" if field == NON_FIELD_ERRORS else field, err))
    else:
        for err in exc.error_list:
            items.append(_item("__all__", err))
    return items


def _item(field: str, err: ValidationError) -> dict[str, str]:
    message = err.message % err.params if err.params else err.message
    return {"field": field, "message": str(message), "code": err.code or "invalid"}


_LOCATIONS = {"body", "query", "path", "form", "header", "cookie", "file"}


def errors_from_ninja(raw_errors: list[dict[str, Any]], body_params: set[str]) -> list[dict[str, str]]:
    items: list[dict[str, str]] = []
    for err in raw_errors:
        loc = [str(p) for p in err.get("loc", [])]
        if loc and loc[0] in _LOCATIONS:
            where = loc.pop(0)
            if where == "body" and loc and loc[0] in body_params:
                loc.pop(0)
        message = str(err.get("msg", "Invalid value"))
        kind = str(err.get("type", "invalid"))
        if message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        if kind == "extra_forbidden":
            message = _("Unknown field.")
        elif kind == "missing":
            message = _("This field is required.")
        items.append({"field": ".".join(loc) or "__all__", "message": message, "code": kind})
    return items


def validation_problem(request: HttpRequest, errors: list[dict[str, str]]) -> HttpResponse:
    return problem_response(
        request,
        status=422,
        code="validation",
        title=_("Invalid input"),
        detail=_("One or more fields are invalid: %(fields)s.")
        % {"fields": ", ".join(dict.fromkeys(e["field"] for e in errors))},
        errors=errors,
    )
