"""Bad input is a clear field error, never a 500: pages, NUL characters, documented error responses.

The lists below are generated from the OpenAPI document and the URL resolver, so a new list
endpoint or page is covered without being named here.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from config.api import api as ninja_api
from partnerhub.core.api import ERROR_RESPONSES, MAX_PAGE
from partnerhub.core.models import AuditEntry
from partnerhub.identity.models import Organisation
from tests.test_tenancy_matrix import b_objects

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"  # past a 64-bit integer: PostgreSQL refused the OFFSET with a 500

# path parameter -> key of tests.test_tenancy_matrix.b_objects
PATH_OBJECTS = {"org_id": "org", "enrolment_id": "enrolment", "deal_id": "deal", "endpoint_id": "webhook",
                "run_id": "payout_run",
                "incentive_id": "incentive"}  # fmt: skip
PATH_VALUES = {"period": "2026-11", "code": "ru"}  # parameters that name no object (a storefront's code)
# Lists with required query parameters: what to give them (from the same objects).
REQUIRED_QUERY = {"/api/v1/role-rates": lambda objects: f"programme={objects['programme']}&version=1"}


def _operations():
    return ninja_api.get_openapi_schema()["paths"]


def paginated_lists():
    return sorted(
        path
        for path, item in _operations().items()
        for method, op in item.items()
        if method == "get" and any(p["name"] == "page" and p["in"] == "query" for p in op.get("parameters", []))
    )


def _fill(path, objects):
    for name, key in PATH_OBJECTS.items():
        path = path.replace("{" + name + "}", str(objects[key]))
    for name, value in PATH_VALUES.items():
        path = path.replace("{" + name + "}", value)
    assert "{" not in path, f"add the object for {path} to PATH_OBJECTS"
    query = REQUIRED_QUERY.get(path)
    return path.removeprefix("/api/v1") + (f"?{query(objects)}&" if query else "?")


def test_the_paginated_lists_are_found():
    assert len(paginated_lists()) >= 20
    assert "/api/v1/deals" in paginated_lists()


@pytest.mark.parametrize("path", paginated_lists())
def test_a_page_beyond_the_limit_is_a_field_error_on_every_list(world, api, path):
    objects = b_objects(world)
    url = _fill(path, objects)
    r = api(world.b_admin).get(f"{url}page={HUGE}")
    assert r.status_code == 422, r.content
    assert r["Content-Type"] == "application/problem+json"
    assert [e["field"] for e in r.json()["errors"]] == ["page"]


@pytest.mark.parametrize("path", paginated_lists())
def test_the_last_allowed_page_is_an_empty_page_on_every_list(world, api, path):
    objects = b_objects(world)
    url = _fill(path, objects)
    answers = {}
    for user in (world.vendor_admin, world.b_admin):  # some lists are for the vendor, some for partners
        r = api(user).get(f"{url}page={MAX_PAGE}&page_size=500")
        answers[user.email] = r.status_code
        if r.status_code == 200:
            assert r.json()["items"] == []
            assert r.json()["page"] == MAX_PAGE
            return
    pytest.fail(f"nobody could read {url}: {answers}")


def ui_pages():
    """UI routes without parameters (lists among them), from the URL resolver."""
    found = set()

    def walk(patterns, prefix):
        for p in patterns:
            if isinstance(p, URLResolver):
                if "api/v1" not in str(p.pattern):
                    walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern) and "<" not in str(p.pattern) and p.name:
                found.add("/" + prefix + str(p.pattern))

    walk(get_resolver().url_patterns, "")
    return sorted(u for u in found if not u.startswith(("/i18n", "/logout", "/healthz")))


def test_every_ui_page_survives_a_page_number_past_any_integer(world, ui):
    """The UI's pager is Django's Paginator.get_page, which answers the last page: no 500 anywhere."""
    b_objects(world)
    pages = ui_pages()
    assert "/deals/" in pages and "/audit/" in pages
    for user in (world.vendor_admin, world.b_admin):
        client = ui(user)
        client.raise_request_exception = False
        for url in pages:
            r = client.get(f"{url}?page={HUGE}")
            assert r.status_code < 500, (user.email, url, r.status_code)


def test_every_integer_parameter_is_bounded_to_64_bits():
    unbounded = [
        (method, path, p["name"])
        for path, item in _operations().items()
        for method, op in item.items()
        for p in op.get("parameters", [])
        for s in p["schema"].get("anyOf", [p["schema"]])
        if s.get("type") == "integer" and s.get("maximum", 2**64) > 2**63 - 1
    ]
    assert not unbounded


def integer_parameters():
    return sorted(
        (method, path, p["in"], p["name"])
        for path, item in _operations().items()
        for method, op in item.items()
        for p in op.get("parameters", [])
        if any(s.get("type") == "integer" for s in p["schema"].get("anyOf", [p["schema"]]))
    )


def test_every_integer_parameter_past_64_bits_is_a_field_error(world, api):
    """Generated: each integer path or query parameter of each operation, given 2**66, answers 422 on it."""
    client = api(world.vendor_admin)
    params = integer_parameters()
    assert len(params) > 100
    wrong = []
    for method, path, where, name in params:
        url = re.sub(r"{(\w+)}", lambda m, name=name: HUGE if m.group(1) == name else "1", path)
        url = url.removeprefix("/api/v1")
        if where == "query":
            url += f"?{name}={HUGE}"
        r = getattr(client, method)(url, **({"data": {}} if method in ("post", "put", "patch") else {}))
        if r.status_code != 422 or name not in [e["field"] for e in r.json().get("errors", [])]:
            wrong.append((method, path, name, r.status_code))
    assert not wrong


def test_an_id_filter_past_64_bits_is_a_field_error(world, api):
    r = api(world.vendor_admin).get(f"/webhooks/endpoints?organisation_id={HUGE}")
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["organisation_id"]
    r = api(world.vendor_admin).get(f"/deals/{HUGE}")
    assert r.status_code == 422


# ------------------------------------------------------------------ NUL characters


def test_a_nul_in_a_query_filter_is_a_field_error(world, api):
    r = api(world.b_admin).get("/deals?q=a%00")
    assert r.status_code == 422
    assert r["Content-Type"] == "application/problem+json"
    body = r.json()
    assert body["code"] == "validation"
    message = "This value contains a NUL character, which is not allowed."
    assert body["errors"] == [{"field": "q", "message": message, "code": "null_character"}]


def test_a_nul_in_a_json_body_names_the_field_and_writes_nothing(world, api):
    objects = b_objects(world)
    client = api(world.b_admin)  # (creating its token is audited)
    before = AuditEntry.objects.count()
    r = client.post(f"/deals/{objects['deal']}/notes", {"text": "call back\x00"})
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["text"]
    r = client.patch(f"/organisations/{world.partner_b.pk}", {"city": "Omsk", "name": "B\x00"})
    assert [e["field"] for e in r.json()["errors"]] == ["name"]
    assert AuditEntry.objects.count() == before
    assert Organisation.objects.get(pk=world.partner_b.pk).city != "Omsk"


def test_a_nul_deep_in_a_json_body_names_the_dotted_path(world, api):
    body = {"customer_name": "X", "lines": [{"product_family": "soft\x00ware", "amount": "1"}]}
    r = api(world.b_admin).post(f"/organisations/{world.partner_b.pk}/deals", body)
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["lines.0.product_family"]


def test_a_nul_in_the_profile_is_refused(world, api):
    r = api(world.b_admin).patch("/onboarding/profile", {"description": "we sell\x00"})
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["description"]


def test_a_nul_in_a_path_is_not_found(world, api):
    r = api(world.vendor_admin).get("/programmes/abc%00")
    assert r.status_code == 404
    assert r.json()["code"] == "not_found"


def test_a_nul_in_a_ui_form_field_is_a_400_page_naming_the_field(world, ui):
    client = ui(world.vendor_admin)
    r = client.post(f"/organisations/{world.partner_b.pk}/edit/", {"name": "B", "city": "Om\x00sk"})
    assert r.status_code == 400
    assert b'data-field="city"' in r.content
    assert Organisation.objects.get(pk=world.partner_b.pk).city != "Om\x00sk"


def test_a_nul_in_a_ui_filter_is_a_400_page(world, ui):
    r = ui(world.vendor_admin).get("/deals/?q=a%00")
    assert r.status_code == 400
    assert b'data-field="q"' in r.content


def test_a_nul_in_a_cookie_or_header_is_refused_before_the_session_is_read(world, ui):
    client = ui(None)
    client.cookies["sessionid"] = "abcdefgh\x00"
    r = client.get("/login/")
    assert r.status_code == 400
    r = ui(None).get("/login/", headers={"Accept-Language": "en\x00"})
    assert r.status_code == 400


def test_a_request_id_that_is_not_a_plain_token_is_replaced(world, api):
    r = api(world.b_admin).patch(f"/organisations/{world.partner_b.pk}", {"city": "Omsk"}, **{"X-Request-ID": "a b"})
    assert r.status_code == 200
    assert r["X-Request-ID"] != "a b"
    assert AuditEntry.objects.latest("pk").request_id == r["X-Request-ID"]
    r = api(world.b_admin).get("/deals", **{"X-Request-ID": "req-42.a"})
    assert r["X-Request-ID"] == "req-42.a"


# ------------------------------------------------------------------ error responses in the OpenAPI


def test_every_operation_documents_the_problem_responses():
    schema = ninja_api.get_openapi_schema()
    assert set(schema["components"]["schemas"]["Problem"]["required"]) >= {"type", "title", "status", "code"}
    missing = []
    for path, item in schema["paths"].items():
        for method, op in item.items():
            for status in (401, 403, 404, 409, 410, 422, 429, *ERROR_RESPONSES):
                content = op["responses"].get(status, {}).get("content", {})
                if content.get("application/problem+json", {}).get("schema") != {
                    "$ref": "#/components/schemas/Problem"
                }:
                    missing.append((method, path, status))
    assert not missing, missing[:10]


def test_the_served_document_has_them_too(client):
    doc = client.get("/api/v1/openapi.json").json()
    op = doc["paths"]["/api/v1/deals"]["get"]
    assert op["responses"]["422"]["content"]["application/problem+json"]["schema"]["$ref"] == (
        "#/components/schemas/Problem"
    )


# ------------------------------------------------------------------ programme YAML


def test_programme_yaml_nested_2000_deep_is_a_422_naming_the_line(world, api):
    text = "programme:\n  code: deep\n  name: " + "[\n" * 2000 + "]" * 2000 + "\n"
    r = api(world.vendor_admin).post("/programmes/import", {"yaml": text})
    assert r.status_code == 422, r.content
    [error] = r.json()["errors"]
    assert error["field"] == "yaml"
    assert "line 51: nested more than 50 levels deep" in error["message"]  # 49th bracket: level 51
