"""Query-count baselines for every list, API and UI, on the demo data (as NetBox keeps them).

Each list is read by the vendor's administrator and by a partner's administrator with the demo
loaded, and the number of SQL queries it took is compared with `query_counts.json`. A list that
starts to query per row (an N+1) changes its count and fails here, with the new figures shown.
After a deliberate change, rewrite the file: `UPDATE_QUERY_COUNTS=1 pytest tests/test_query_counts.py`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from config.api import api as ninja_api
from partnerhub.identity.models import User

BASELINE = Path(__file__).with_name("query_counts.json")

# Lists of the UI, by path: every page that shows a list of records.
UI_LISTS = [
    "/organisations/", "/members/", "/tokens/", "/audit/", "/notifications/", "/programmes/", "/tiers/",
    "/enrolments/", "/obligations/", "/deals/", "/deals/review/", "/leads/", "/lead-inbox/",
    "/onboarding/applications/", "/partners/", "/sales/", "/webhooks/", "/referrals/", "/referrals/traffic/",
    "/specialists/", "/products/", "/rates/", "/rewards/finance/", "/rewards/finance/periods/",
    "/rewards/finance/payouts/",
    "/marketplace/", "/marketplace/applications/", "/marketplace/listings/", "/marketplace/moderation/",
    "/marketplace/storefronts/", "/marketplace/scorecard/", "/store/", "/store/ru/", "/store/kz/",
    "/learn/", "/enablement/courses/", "/enablement/exams/",
    "/incentives/", "/incentives/rebates/",
    "/funds/", "/funds/console/",
    "/learn/events/", "/enablement/events/", "/library/", "/library/console/",
    "/support/", "/support/console/", "/support/console/?status=open&breached=yes&assignee=none", "/benefits/",
    "/benefits/console/", "/benefits/console/?status=pending",
    "/subscriptions/", "/marketplace/provisioning/", "/marketplace/customers/",
    "/organisations/pick/?q=Альфа",
]  # fmt: skip
ROLES = {"vendor": "admin@vendor.demo", "partner": "admin@alpha.demo"}


def _api_lists() -> list[str]:
    """Every GET operation of the API without a path parameter whose response is a page of items."""
    schema = ninja_api.get_openapi_schema()
    paths = []
    for path, ops in schema["paths"].items():
        get = ops.get("get")
        if not get or "{" in path:
            continue
        ok = get["responses"].get(200, get["responses"].get("200", {}))
        ref = json.dumps(ok.get("content", {}))
        if '"items"' in ref or "Paged" in ref or 'type": "array' in ref:
            paths.append(path)
    return sorted(paths)


def _count(client: Client, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        status = client.get(url).status_code
    return status, len(ctx.captured_queries)


@pytest.mark.django_db
def test_every_list_keeps_its_query_count():
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    api_lists = _api_lists()
    assert len(api_lists) >= 20, api_lists
    counts: dict[str, int] = {}
    for role, email in ROLES.items():
        client = Client()
        client.force_login(User.objects.get(email=email))
        for path in api_lists:
            status, n = _count(client, path)
            if status == 200:
                counts[f"{role} GET {path}"] = n
        for path in UI_LISTS:
            status, n = _count(client, path)
            if status == 200:
                counts[f"{role} GET {path}"] = n
    if os.environ.get("UPDATE_QUERY_COUNTS"):
        BASELINE.write_text(json.dumps(counts, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    baseline = json.loads(BASELINE.read_text(encoding="utf-8"))
    changed = {k: (baseline.get(k), v) for k, v in counts.items() if baseline.get(k) != v}
    missing = sorted(set(baseline) - set(counts))
    assert not changed and not missing, f"(baseline, now): {changed}; no longer answered: {missing}"
