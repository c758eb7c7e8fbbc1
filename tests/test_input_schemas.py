"""API input schemas carry the model's limits: a value the column cannot hold is a 422 on its field."""

import pytest

from partnerhub.enablement.models import Certification, Specialist

from .programme_builders import certify

pytestmark = pytest.mark.django_db


def _fields(response):
    assert response.status_code == 422, response.content
    return [e["field"] for e in response.json()["errors"]]


def test_null_for_a_not_null_column_is_a_field_error_and_changes_nothing(world, api):
    cert = certify(world.partner_a)
    r = api(world.a_admin).patch(f"/specialists/{cert.specialist_id}", {"email": None, "position": "CTO"})
    assert _fields(r) == ["email"]
    assert Specialist.objects.get(pk=cert.specialist_id).position != "CTO"


def test_absent_fields_of_a_patch_are_left_alone(world, api):
    cert = certify(world.partner_a)
    r = api(world.a_admin).patch(f"/specialists/{cert.specialist_id}", {"position": "CTO"})
    assert r.status_code == 200
    assert r.json()["position"] == "CTO"


def test_a_value_longer_than_its_column_is_a_field_error(world, api):
    cert = certify(world.partner_a)
    client = api(world.a_admin)
    body = {"type_code": cert.type.code, "issued_on": "2026-01-01", "number": "x" * 101}
    r = client.post(f"/specialists/{cert.specialist_id}/certifications", body)
    assert _fields(r) == ["number"]
    assert Certification._meta.get_field("number").max_length == 100
    r = client.post(f"/specialists/{cert.specialist_id}/certifications", {**body, "number": "x" * 100})
    assert r.status_code == 201


def test_the_openapi_document_carries_the_model_limits():
    from config.api import api as ninja_api

    schemas = ninja_api.get_openapi_schema()["components"]["schemas"]
    assert schemas["CertificationIn"]["properties"]["number"]["maxLength"] == 100
    assert schemas["SpecialistPatch"]["properties"]["email"] == {"maxLength": 254, "title": "Email", "type": "string"}


def test_an_amount_with_more_digits_than_its_column_is_a_field_error(world, api):
    """PostgreSQL refused the row (numeric field overflow) with a 500; SQLite stored it."""
    from partnerhub.programmes.models import ProductFamily
    from partnerhub.rewards.models import Sale

    ProductFamily.objects.get_or_create(code="software", defaults={"name": "Software"})
    body = {"customer_name": "X", "product_family": "software", "currency": "RUB", "sold_on": "2026-01-01"}
    client = api(world.finance)
    r = client.post(f"/organisations/{world.partner_a.pk}/sales", {**body, "amount": "12345678901234567"})
    assert _fields(r) == ["amount"]
    assert not Sale.objects.exists()
    r = client.post(f"/organisations/{world.partner_a.pk}/sales", {**body, "amount": "9999999999999999.99"})
    assert r.status_code == 201


def test_a_programme_number_past_the_decimal_precision_is_a_field_error(world, api):
    """Quantizing 1e30 to cents raised InvalidOperation inside the validator: a 500 for files and forms alike."""
    from .programme_builders import security_programme

    security_programme(code="huge")
    client = api(world.vendor_admin)
    number = client.post("/programmes/huge/drafts").json()["number"]
    r = client.patch(f"/programmes/huge/versions/{number}/settings", {"deal_uplift_percent": "1e30"})
    assert _fields(r) == ["deal_uplift_percent"]
    rates = {"rates": [{"product_family": "software", "sale_type": "new", "percent": "1e30"}]}
    r = client.put(f"/programmes/huge/versions/{number}/tiers/certified/reward-rates", rates)
    assert r.status_code == 422


def test_no_operation_documents_a_response_code_twice():
    """200 and "200" are one key in the served JSON: Swagger UI's parser then refuses the whole document."""
    from config.api import api

    schema = api.get_openapi_schema()
    doubled = [(method, path) for path, ops in schema["paths"].items() for method, op in ops.items()
               if len(op.get("responses", {})) != len({str(code) for code in op.get("responses", {})})]  # fmt: skip
    assert doubled == []
