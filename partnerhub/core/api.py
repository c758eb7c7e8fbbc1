"""Shared pieces of the REST API: base schema, authentication, pagination, error handlers."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, get_args

import annotated_types
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Schema
from ninja.errors import HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import PaginationBase
from ninja.security import APIKeyCookie
from pydantic import BaseModel, ConfigDict

from .pagination import MAX_PAGE
from .problems import CONTENT_TYPE as PROBLEM_CONTENT_TYPE
from .problems import Problem, errors_from_django, errors_from_ninja, problem_response, validation_problem


class InputSchema(Schema):
    """Base for request bodies: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


_INTEGER_RANGES = BaseDatabaseOperations.integer_field_ranges  # PostgreSQL's, the narrowest we run on


def model_type(model: type[models.Model], name: str, **field_args: Any) -> Any:
    """The input type of a model field: its Python type with the column's limits, nullable iff the column is.

    Input schemas annotate their fields with it (``number: model_type(Certification, "number") = ""``)
    so that a string longer than the column, a number with more digits than it holds, an integer
    past its range or a ``null`` for a NOT NULL column is a 422 on that field, never a database
    error, and the limits cannot drift from the model. ``field_args`` adds pydantic ``Field`` arguments
    (a description, ``min_length=1`` where the API refuses an empty value). Choices stay plain
    values and blank/required rules stay in the services, which check them with their own messages.
    A partial (PATCH) schema gives every field the default ``None`` and leaves the type as is:
    an absent field is unchanged (``exclude_unset``), an explicit ``null`` is refused unless the
    column is nullable.
    """
    field = model._meta.get_field(name)
    constraints: dict[str, Any] = {}
    if field.is_relation:
        field = field.target_field
    internal = field.get_internal_type()
    if isinstance(field, models.DecimalField):
        python_type: Any = Decimal
        constraints = {"max_digits": field.max_digits, "decimal_places": field.decimal_places}
    elif internal in _INTEGER_RANGES:
        python_type = int
        low, high = _INTEGER_RANGES[internal]
        constraints = {"ge": low, "le": high}
    elif isinstance(field, models.BooleanField):
        python_type = bool
    elif isinstance(field, models.DateTimeField):
        python_type = datetime
    elif isinstance(field, models.DateField):
        python_type = date
    elif isinstance(field, models.JSONField):
        python_type = Any
    elif isinstance(field, (models.CharField, models.TextField)):
        python_type = str
        if field.max_length:
            constraints["max_length"] = field.max_length
    else:  # pragma: no cover - a new kind of field must be mapped above
        raise TypeError(f"model_type: no input type for {model.__name__}.{name} ({internal})")
    constraints.update(field_args)
    annotated = Annotated[python_type, Field(**constraints)] if constraints else python_type
    return annotated | None if field.null else annotated


class SessionAuth(APIKeyCookie):
    """The browser session, with Django's CSRF check on unsafe methods."""

    param_name = settings.SESSION_COOKIE_NAME

    def authenticate(self, request: HttpRequest, key: str | None):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None


class PageInput(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE, description="Page number, from 1.")
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
        if isinstance(queryset, QuerySet) and not queryset.ordered:
            queryset = queryset.order_by("pk")  # a stable order, or pages repeat and skip rows
        count = queryset.count() if hasattr(queryset, "count") and not isinstance(queryset, list) else len(queryset)
        offset = (pagination.page - 1) * pagination.page_size
        return {
            "items": list(queryset[offset : offset + pagination.page_size]),
            "count": count,
            "page": pagination.page,
            "page_size": pagination.page_size,
            "pages": max(1, -(-count // pagination.page_size)),
        }


class FieldErrorOut(Schema):
    field: str = Field(..., description="The input concerned: dotted path for nested input, `__all__` for the whole.")
    message: str
    code: str


class ProblemOut(Schema):
    """An RFC 9457 problem document."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    code: str
    errors: list[FieldErrorOut] | None = Field(None, description="Per field, for validation failures (422).")


# Error statuses every operation may answer, documented on each one in the OpenAPI document.
ERROR_RESPONSES = {
    400: "Malformed request (the body is not valid JSON).",
    401: "Not authenticated: the token is missing, invalid, expired or revoked.",
    403: "Your role does not allow this action.",
    404: "No such object, or it is not visible to you.",
    409: "The change conflicts with the object's current state or with data saved meanwhile.",
    410: "The object is gone (e.g. an expired or used invitation).",
    422: "Invalid input: `errors` names each field.",
    429: "Too many requests: retry after `Retry-After` seconds.",
}


class ProblemAPI(NinjaAPI):
    """The NinjaAPI whose OpenAPI document lists the error responses of every operation.

    Errors do not come from the operations' own ``response=`` declarations but from the shared
    exception handlers (``install_error_handlers``), so they are documented here, at the root, as
    ``application/problem+json`` with the ``Problem`` schema.
    """

    _parameters_bounded = False

    def _get_urls(self):
        self.bound_integer_parameters()
        return super()._get_urls()

    def bound_integer_parameters(self) -> None:
        """Give every integer path and query parameter (filters included) the 64-bit range.

        An id past it fails at the database (PostgreSQL: bigint out of range; SQLite: overflow),
        and Django guards only some lookups: bounded here, at the root, it is a 422 on the
        parameter and the limit is in the OpenAPI document. Idempotent; runs once all routers are in.
        """
        if self._parameters_bounded:
            return
        self._get_bound_routers()  # flattens nested routers into _routers
        changed: dict[type, bool] = {}
        for _prefix, router in self._routers:
            for path_view in router.path_operations.values():
                for operation in path_view.operations:
                    for model in operation.models:
                        _bound_integers(model, changed)
        self._parameters_bounded = True

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        self.bound_integer_parameters()
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        document_problems(schema)
        return schema


BIGINT = (-(2**63), 2**63 - 1)


def _bound_integers(model: type[BaseModel], changed: dict[type, bool]) -> bool:
    """Add the 64-bit range to the unbounded integer fields of a parameter model and of the schemas
    it nests; True when it or a nested schema changed (the model is then rebuilt). ``changed``
    remembers the models already seen, so a schema shared by several operations is done once and
    every parent of it is still rebuilt."""
    if model in changed:
        return changed[model]
    changed[model] = False
    rebuild = False
    for info in model.model_fields.values():
        types = [info.annotation, *get_args(info.annotation)]
        for nested in types:
            if isinstance(nested, type) and issubclass(nested, BaseModel):
                rebuild |= _bound_integers(nested, changed)
        bounded = any(isinstance(m, (annotated_types.Le, annotated_types.Lt)) for m in info.metadata)
        if int in types and not bounded:
            info.metadata += [annotated_types.Ge(BIGINT[0]), annotated_types.Le(BIGINT[1])]
            rebuild = True
    if rebuild:
        model.model_rebuild(force=True)
    changed[model] = rebuild
    return rebuild


def document_problems(schema: dict) -> None:
    definition = ProblemOut.model_json_schema(ref_template="#/components/schemas/{model}")
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.update(definition.pop("$defs", {}))
    components["Problem"] = definition
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            responses = operation.setdefault("responses", {})
            for status, description in ERROR_RESPONSES.items():
                responses.setdefault(
                    status,
                    {
                        "description": description,
                        "content": {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
                    },
                )


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
