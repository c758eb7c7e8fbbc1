"""A bounded schemathesis run over the whole API: no 5xx, no response the OpenAPI does not document.

Every operation of ``/api/v1/openapi.json`` gets ``FUZZ_EXAMPLES`` generated requests that fit
the document and as many that do not (schemathesis's positive and negative modes), sent in process
to the WSGI application with the token of a vendor administrator, of two partners' administrators
or of a customer (and sometimes none), over the tenancy matrix's world. Each request runs in a
savepoint that is rolled back, so every example starts from the same data, and a database error
cannot poison the next one. Generation is derandomised, so a run is reproducible; shrinking is
off to keep the run bounded. ``FUZZ_EXAMPLES`` (environment) sets the number per mode.
"""

import os
import time
from collections import Counter

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.api import api as ninja_api
from partnerhub.identity import services
from tests.test_tenancy_matrix import b_objects

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "4"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _schema():
    schema = schemathesis.openapi.from_dict(ninja_api.get_openapi_schema())
    schema.app = get_wsgi_application()
    return schema


@pytest.fixture
def keep_the_test_connection():
    """Like Django's test client: a request must not close the connection holding the test's transaction."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_schemathesis_finds_no_server_error_and_no_undocumented_response(world, keep_the_test_connection):
    b_objects(world)  # objects of every kind, so small generated ids often hit real rows
    tokens = {"anonymous": None}
    for name in ("vendor_admin", "a_admin", "b_admin", "customer_admin"):
        _token, raw = services.token_create(actor=getattr(world, name), name=f"fuzz {name}")
        tokens[name] = raw
    schema = _schema()
    failures: list[str] = []
    statuses: Counter = Counter()
    operations = 0
    examples = 0
    started = time.monotonic()

    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            examples += _fuzz(operation, mode, tokens, statuses, failures)

    elapsed = time.monotonic() - started
    print(f"\nschemathesis: {operations} operations, {examples} examples in {elapsed:.1f}s; statuses {dict(statuses)}")
    assert operations >= 100
    assert not failures, f"{len(failures)} failures:\n\n" + "\n\n".join(failures[:25])


def _fuzz(operation, mode, tokens, statuses: Counter, failures: list[str]) -> int:
    """Send the operation's generated requests; record each distinct failure. Returns the number sent."""
    sent = 0
    seen: set[str] = set()

    @settings(max_examples=EXAMPLES, phases=[Phase.explicit, Phase.generate], database=None, deadline=None,
              derandomize=True, suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(case=operation.as_strategy(mode), who=st.sampled_from(sorted(tokens)))
    def run(case, who):
        nonlocal sent
        sent += 1
        headers = {"Authorization": f"Bearer {tokens[who]}"} if tokens[who] else {}
        savepoint = transaction.savepoint()
        try:
            response = case.call(headers=headers)
            statuses[response.status_code] += 1
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except (AssertionError, FailureGroup) as exc:  # how schemathesis reports failed checks
                key = f"{operation.label} [{mode.value}, {who}]: {str(exc).strip().splitlines()[0]}"
                if key not in seen:
                    seen.add(key)
                    failures.append(f"{key}\n{str(exc)[:1500]}")
        finally:
            transaction.savepoint_rollback(savepoint)

    try:
        run()
    except Unsatisfiable:
        assert mode is GenerationMode.NEGATIVE, operation.label  # nothing to get wrong: the operation has no input
    return sent
