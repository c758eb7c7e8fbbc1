import json
import re
import uuid

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from . import request_context
from .problems import problem_response, validation_problem

_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The request id is written into audit rows: only a plain token is taken from the client.
        given = request.headers.get("X-Request-ID", "")
        request_id = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        via = "api" if request.path.startswith("/api/") else "ui"
        token = request_context.set_current(
            request_context.RequestContext(request_id=request_id, ip=client_ip(request), via=via)
        )
        try:
            response = self.get_response(request)
        finally:
            request_context.reset(token)
        response["X-Request-ID"] = request_id
        return response


def client_ip(request) -> str | None:
    # Only REMOTE_ADDR is trusted; a reverse proxy must set it (gunicorn --forwarded-allow-ips).
    return request.META.get("REMOTE_ADDR") or None


# ------------------------------------------------------------------ NUL characters

NUL = "\x00"
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class RefuseNulMiddleware:
    """Refuse a NUL character anywhere in the input, for the API and the UI alike.

    PostgreSQL text cannot hold NUL, so such a value would fail at the database as a 500; no
    legitimate input has one. Checked here once, before any view, auth or session lookup: the
    path, query parameters, cookies, headers, form fields and JSON bodies (keys and values, at any
    depth). The API answers a 422 validation problem naming each field; the UI a plain 400 page
    naming them (the page does not touch the session, which may be the very thing refused).
    A NUL in the path itself is a 404: no resource has such an address.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if NUL in request.path:
            return _not_found(request)
        fields = nul_fields(request)
        if fields:
            return _refuse(request, fields)
        return self.get_response(request)


def nul_fields(request: HttpRequest) -> list[str]:
    """The names of the inputs that contain a NUL character, in order of appearance."""
    found: list[str] = []
    for source in (request.GET, request.COOKIES):
        found += [key for key, value in _pairs(source) if NUL in key or NUL in value]
    found += [
        key[5:].replace("_", "-").title()
        for key, value in request.META.items()
        if key.startswith("HTTP_") and isinstance(value, str) and NUL in value
    ]
    content_type = request.content_type or ""
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        if content_type in _FORM_TYPES:
            found += [key for key, value in _pairs(request.POST) if NUL in key or NUL in value]
            found += [key for key, f in request.FILES.items() if NUL in (f.name or "")]
        elif content_type.endswith("json"):
            found += _json_nul_fields(request.body)
    return list(dict.fromkeys(found))


def _pairs(source):
    if hasattr(source, "lists"):
        return [(key, value) for key, values in source.lists() for value in values]
    return list(source.items())


def _json_nul_fields(body: bytes) -> list[str]:
    if b"\\u0000" not in body and b"\x00" not in body:
        return []
    try:
        data = json.loads(body)
    except ValueError:
        return []  # malformed JSON is refused by the API as such (400 malformed_body)
    found: list[str] = []

    def walk(value, path: list[str]) -> None:
        if isinstance(value, str):
            if NUL in value:
                found.append(".".join(path) or "__all__")
        elif isinstance(value, dict):
            for key, item in value.items():
                if NUL in key:
                    found.append(".".join([*path, key]))
                else:
                    walk(item, [*path, key])
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, [*path, str(index)])

    walk(data, [])
    return found


def _message() -> str:
    return _("This value contains a NUL character, which is not allowed.")


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _refuse(request: HttpRequest, fields: list[str]) -> HttpResponse:
    safe = [f.replace(NUL, "\\0") for f in fields]
    if _is_api(request):
        errors = [{"field": f, "message": _message(), "code": "null_character"} for f in safe]
        return validation_problem(request, errors)
    html = render_to_string("errors/400.html", {"fields": safe, "message": _message()})
    return HttpResponse(html, status=400)


def _not_found(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return problem_response(request, status=404, code="not_found", title=_("Not found"),
                                detail=_("No such resource."))  # fmt: skip
    html = render_to_string("errors/400.html", {"fields": [], "message": _("There is no such page.")})
    return HttpResponse(html, status=404)
