"""Every schema the API documents under a name is the one it uses.

The OpenAPI document names each body and response schema by its class name; two different classes of one name
collapse into one component, and an endpoint is then documented with another's shape (the rating run's answer was
documented as a payout run). Classes may share a name only when they describe the very same shape.
"""

import json
from collections import defaultdict

from ninja import Schema

from config.api import api


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_no_two_different_api_schemas_share_a_name():
    document = api.get_openapi_schema()  # imports every router, so every schema class exists
    shapes: dict[str, set[str]] = defaultdict(set)
    for cls in _subclasses(Schema):
        if cls.__module__.startswith("partnerhub."):
            shapes[cls.__name__].add(json.dumps(cls.model_json_schema(), sort_keys=True))
    clashes = sorted(name for name, found in shapes.items() if len(found) > 1)
    assert not clashes, f"different schemas under one name: {clashes}"
    components = document["components"]["schemas"]
    assert set(components["RatingRunOut"]["properties"]) == {"rated", "network", "issues", "entries"}
    assert "total" in components["PayoutRunOut"]["properties"]


def test_the_rating_run_answer_is_documented_as_a_rating_run():
    rate = api.get_openapi_schema()["paths"]["/api/v1/rewards/rate"]["post"]["responses"][200]
    ref = rate["content"]["application/json"]["schema"]["$ref"]
    assert ref.endswith("/RatingRunOut")
