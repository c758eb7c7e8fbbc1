"""Shared pieces of the REST API: base schema, authentication, pagination, error handlers."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Schema
from ninja.errors import HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import PaginationBase
from ninja.security import APIKeyCookie
from pydantic import ConfigDict

from .problems import Problem, errors_from_django, errors_from_ninja, problem_response, validation_problem


class InputSchema(Schema):
    """Base for request bodies: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SessionAuth(APIKeyCookie):
    """The browser session, with Django's CSRF check on unsafe methods."""

    param_name = settings.SESSION_COOKIE_NAME

    def authenticate(self, request: HttpRequest, key: str | None):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None


class PageInput(Schema):
    page: int = Field(1, ge=1, description="Page number, from 1.")
    page_size: int = Field(settings.API_PAGE_SIZE, ge=1, le=settings.API_MAX_PAGE_SIZE, description="Items per page.")


class Pagination(PaginationBase):
    """Page-number pagination with the totals a client needs to draw a pager."""

    Input = PageInput

    class Output(Schema):
        items: list[Any]
        count: int
        page: int
        page_size: int
        pages: int

    def paginate_queryset(self, queryset, pagination: PageInput, request: HttpRequest, **params):
        count = queryset.count() if hasattr(queryset, "count") and not isinstance(queryset, list) else len(queryset)
        offset = (pagination.page - 1) * pagination.page_size
        return {
            "items": list(queryset[offset : offset + pagination.page_size]),
            "count": count,
            "page": pagination.page,
            "page_size": pagination.page_size,
            "pages": max(1, -(-count // pagination.page_size)),
        }


class ProblemOut(Schema):
    type: str
    title: str
    status: int
    detail: str
    instance: str
    code: str
    errors: list[dict[str, str]] | None = None


def install_error_handlers(api: NinjaAPI) -> None:
    def on_ninja_validation(request, exc: NinjaValidationError):
        return validation_problem(request, errors_from_ninja(exc.errors, _body_param_names(request)))

    def on_django_validation(request, exc: ValidationError):
        return validation_problem(request, errors_from_django(exc))

    def on_not_found(request, exc):
        return problem_response(
            request, status=404, code="not_found", title=_("Not found"),
            detail=_("No such object, or it is not visible to you."),
        )  # fmt: skip

    def on_permission(request, exc):
        return problem_response(
            request, status=403, code="forbidden", title=_("Forbidden"),
            detail=str(exc) or _("Your role does not allow this action."),
        )  # fmt: skip

    def on_problem(request, exc: Problem):
        return problem_response(request, status=exc.status, code=exc.code, title=_(exc.title), detail=exc.detail)

    def on_http_error(request, exc: HttpError):
        if exc.status_code == 400 and str(exc.message).startswith("Cannot parse request body"):
            return problem_response(
                request, status=400, code="malformed_body", title=_("Malformed request body"),
                detail=_("The request body is not valid JSON."),
            )  # fmt: skip
        code = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
                429: "throttled"}.get(exc.status_code, "http_error")  # fmt: skip
        headers = {}
        if isinstance(exc, Throttled) and exc.wait:
            headers["Retry-After"] = str(int(exc.wait))
        if exc.status_code == 401:
            headers["WWW-Authenticate"] = 'Bearer realm="partnerhub"'
        return problem_response(
            request, status=exc.status_code, code=code, title=str(exc.message), detail=str(exc.message),
            headers=headers,
        )  # fmt: skip

    def on_integrity(request, exc: IntegrityError):
        # Services check uniqueness first; this only answers a race lost at the database.
        return problem_response(
            request, status=409, code="conflict", title=_("Conflict"),
            detail=_("The change conflicts with data saved meanwhile; reload and try again."),
        )  # fmt: skip

    api.add_exception_handler(NinjaValidationError, on_ninja_validation)
    api.add_exception_handler(ValidationError, on_django_validation)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(PermissionDenied, on_permission)
    api.add_exception_handler(Problem, on_problem)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(IntegrityError, on_integrity)


def _body_param_names(request: HttpRequest) -> set[str]:
    return {"payload", "data", "body"}
