"""The conformance suite against the sample vendor service on loopback: a good vendor passes every
check; each failure mode fails the check it should, with the call and the answer shown."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from django.utils import translation

from partnerhub.marketplace.provisioning.conformance import CHECKS, run_conformance
from partnerhub.marketplace.provisioning.reasons import Reason
from partnerhub.marketplace.provisioning.sample_service import SampleService

TOKEN = "sample-token"
ORDER = [code for code, *_ in CHECKS]


def _run(**service_options):
    service_options.setdefault("hang_seconds", 1.0)
    with SampleService(token=TOKEN, **service_options) as service:
        report = run_conformance(
            service.base_url,
            TOKEN,
            timeout=0.2,
            attempts=3,
            backoff=0.01,
            allow_private=True,
            completion_within=0.5,
            sleep=lambda seconds: None,
        )
    return report, service


@pytest.mark.parametrize("completion", ["sync", "async"])
def test_a_vendor_that_follows_the_contract_passes_every_check_in_order(completion):
    report, _ = _run(completion=completion)

    assert report.passed, [(c.code, str(c.reason)) for c in report.failed]
    assert (
        [check.code for check in report.checks]
        == ORDER
        == [
            "create_customer",
            "create_subscription",
            "change_quantity",
            "suspend",
            "resume",
            "cancel",
            "report_usage",
            "idempotent_retry",
            "error_handling",
        ]
    )
    assert all(check.calls for check in report.checks)
    assert all(call.idempotency_key for check in report.checks for call in check.calls)


def test_every_check_shows_its_exact_calls():
    report, _ = _run()

    suspend = report.check("suspend")
    assert [(c.method, c.url.rsplit("/v1", 1)[1], c.status) for c in suspend.calls] == [
        ("POST", f"/subscriptions/{suspend.calls[0].url.split('/')[-2]}/suspend", 200),
        ("GET", f"/subscriptions/{suspend.calls[0].url.split('/')[-2]}", 200),
    ]
    assert json.loads(suspend.calls[1].response_excerpt)["status"] == "suspended"
    errors = report.check("error_handling")
    assert [c.status for c in errors.calls] == [422, 401]
    assert [c.verdict for c in errors.calls] == ["refused", "refused"]  # as the check wants, and not retried


def test_transient_faults_are_retried_and_the_vendor_still_passes():
    report, service = _run(failures=["flaky@create_customer+suspend_subscription", "lost_response@create_subscription"])

    assert report.passed
    created = report.check("create_subscription")
    assert [call.verdict for call in created.calls] == ["retried", "ok"]
    assert [call.verdict for call in report.check("suspend").calls] == ["retried", "ok", "ok"]
    assert len({call.idempotency_key for call in created.calls}) == 1
    customer_id = report.check("create_customer").calls[-1].response_excerpt
    assert len(service.subscriptions_of(json.loads(customer_id)["id"])) == 2  # the lifecycle one and the retry one


@pytest.mark.parametrize(
    ("failure", "check", "reason", "status"),
    [
        ("garbage@change_subscription", "change_quantity", "The answer is not valid JSON", 200),
        ("timeout@get_usage", "report_usage", "No answer within 0.2 seconds", None),
        ("error500@cancel_subscription", "cancel", "failed with status 500", 500),
        ("not_idempotent", "idempotent_retry", "created two subscriptions", 200),
        ("sloppy_errors", "error_handling", "with 200 instead of a 4xx answer", 200),
        ("stuck_state@suspend_subscription", "suspend", "it should be suspended", 200),
        ("stuck_state@change_subscription", "change_quantity", "still holds 2 of seats", 200),
    ],
)
def test_each_failure_mode_fails_its_check_with_the_call_shown(failure, check, reason, status):
    report, _ = _run(failures=[failure])

    assert not report.passed
    result = report.check(check)
    assert result.verdict == "failed"
    assert reason in str(result.reason)
    assert result.calls, "the failed check shows the calls it made"
    assert status in [call.status for call in result.calls]
    assert report.check("create_customer").passed  # the other checks still ran


def test_an_error_answered_without_problem_details_fails_error_handling():
    report, _ = _run(failures=["sloppy_errors@get_subscription"])

    result = report.check("error_handling")
    assert result.verdict == "failed"
    assert "without a problem-details body" in str(result.reason)
    assert result.calls[-1].status == 401 and result.calls[-1].response_excerpt == "bad request"


def test_a_slow_vendor_fails_and_the_checks_that_need_its_customer_are_skipped():
    report, _ = _run(failures=["slow_callback@create_customer"], slow_seconds=5)

    first = report.check("create_customer")
    assert first.verdict == "failed"
    assert "did not complete within 0.5 seconds" in str(first.reason)
    assert first.calls[0].status == 202
    assert {c.verdict for c in report.checks[1:-1]} == {"skipped"}
    assert not report.passed


def test_a_garbage_answer_to_the_first_call_shows_that_call_and_its_body():
    report, _ = _run(failures=["garbage@create_customer"])

    first = report.check("create_customer")
    assert str(first.reason) == "The call POST /v1/customers failed: The answer is not valid JSON."
    assert first.calls[0].method == "POST" and first.calls[0].url.endswith("/v1/customers")
    assert "<html>" in first.calls[0].response_excerpt


def test_a_failed_resume_prerequisite_skips_resume_with_the_reason():
    report, _ = _run(failures=["error500@suspend_subscription"])

    assert report.check("suspend").verdict == "failed"
    resume = report.check("resume")
    assert resume.verdict == "skipped" and "nothing to resume" in str(resume.reason)
    assert report.check("cancel").passed


def test_the_report_reads_in_russian_and_serialises():
    report, _ = _run(failures=["not_idempotent"])
    with translation.override("ru"):
        check = report.check("idempotent_retry")
        assert str(check.title) == "Повторный запрос с тем же ключом"
        assert check.verdict_label == "не пройдена"
        assert "две подписки" in str(check.reason)
        stored = report.as_dict()
    assert stored["passed"] is False
    assert stored["checks"][7]["reason"]["message"].startswith("Sending the same request twice")
    assert stored["checks"][7]["calls"][1]["method"] == "POST"
    with translation.override("ru"):
        shown = Reason.from_dict(json.loads(json.dumps(stored["checks"][7]["reason"])))
        assert str(shown).startswith("Один и тот же запрос, отправленный дважды")


def test_a_stored_reason_with_a_nested_reason_is_shown_in_the_reader_language():
    report, _ = _run(failures=["garbage@create_customer"])
    stored = json.loads(json.dumps(report.as_dict()))

    with translation.override("ru"):
        shown = str(Reason.from_dict(stored["checks"][0]["reason"]))
    assert shown == "Вызов POST /v1/customers не удался: Ответ — некорректный JSON."
    assert stored["checks"][0]["reason"]["text"] == "The call POST /v1/customers failed: The answer is not valid JSON."


def test_the_sample_service_runs_from_the_command_line():
    process = subprocess.Popen(
        [sys.executable, "-m", "partnerhub.marketplace.provisioning.sample_service", "--port", "0", "--token", "t"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    try:
        line = process.stdout.readline()
        base_url = line.split(" at ", 1)[1].split(" ", 1)[0]
        request = urllib.request.Request(  # noqa: S310 - loopback
            f"{base_url}/customers",
            data=json.dumps({"external_id": "x", "name": "X"}).encode(),
            headers={"Authorization": "Bearer t", "Idempotency-Key": "k", "Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            assert json.loads(response.read())["status"] == "active"
    finally:
        process.terminate()
        process.wait(timeout=5)
