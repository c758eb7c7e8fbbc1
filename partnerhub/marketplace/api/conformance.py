"""REST endpoints of step 3's conformance check: run it against the listing's provisioning API, read the last run."""

from __future__ import annotations

from datetime import datetime

from django.http import Http404
from ninja import Router, Schema

from .. import selectors, services
from ..services.conformance import latest_run

router = Router(tags=["marketplace"])


class ConformanceCallOut(Schema):
    operation: str
    method: str
    url: str
    request_body: str
    status: int | None
    response_excerpt: str
    verdict: str
    reason: str


class ConformanceCheckOut(Schema):
    code: str
    title: str
    verdict: str
    reason: str
    calls: list[ConformanceCallOut]


class ConformanceRunOut(Schema):
    url: str
    passed: bool
    ran_at: datetime
    checks: list[ConformanceCheckOut]


def _out(run) -> dict:
    def text(reason) -> str:
        return (reason or {}).get("text", "")

    return {"url": run.url, "passed": run.passed, "ran_at": run.ran_at,
            "checks": [{"code": c["code"], "title": c["title"], "verdict": c["verdict"], "reason": text(c["reason"]),
                        "calls": [{**{k: call[k] for k in ("operation", "method", "url", "request_body", "status",
                                                           "response_excerpt", "verdict")},
                                   "reason": text(call.get("reason"))} for call in c["calls"]]}
                       for c in run.report.get("checks", [])]}  # fmt: skip


@router.post("/marketplace/listings/{listing_id}/conformance", response={200: ConformanceRunOut},
             summary="Run the conformance check against the listing's provisioning API (step 3)")  # fmt: skip
def run_conformance(request, listing_id: int):
    listing = selectors.listing(actor=request.auth, pk=listing_id)
    return _out(services.conformance_check(actor=request.auth, listing=listing))


@router.get("/marketplace/listings/{listing_id}/conformance", response={200: ConformanceRunOut},
            summary="The listing's last conformance check, with every call made")  # fmt: skip
def last_conformance(request, listing_id: int):
    listing = selectors.listing(actor=request.auth, pk=listing_id)
    version = listing.working_version or listing.live_version
    run = latest_run(version) if version else None
    if run is None:
        raise Http404
    return _out(run)
