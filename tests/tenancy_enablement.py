"""Enablement's cases of the tenancy matrices (tests/test_tenancy_matrix.py, tests/test_tenancy_pages.py).

B's specialist, course enrolment, attempt and certificate are B's; courses and exams are the vendor's catalogue.
"""

from __future__ import annotations

from tests.enablement_builders import enablement_b

__all__ = ["API_EXEMPT", "API_MATRIX", "UI_MATRIX", "enablement_b"]

API_MATRIX = {
    ("post", "/api/v1/enablement/courses/{course_id}/enrolments"): lambda o: (
        f"/enablement/courses/{o['course']}/enrolments", {"specialist_id": o["learner"]}),
    ("get", "/api/v1/enablement/enrolments/{enrolment_id}"): lambda o: (
        f"/enablement/enrolments/{o['course_enrolment']}", None),
    ("post", "/api/v1/enablement/enrolments/{enrolment_id}/lessons/{lesson_id}/complete"): lambda o: (
        f"/enablement/enrolments/{o['course_enrolment']}/lessons/{o['lesson']}/complete", None),
    ("post", "/api/v1/enablement/exams/{exam_id}/attempts"): lambda o: (
        f"/enablement/exams/{o['exam']}/attempts", {"specialist_id": o["learner"]}),
    ("get", "/api/v1/enablement/attempts/{attempt_id}"): lambda o: (f"/enablement/attempts/{o['attempt']}", None),
    ("post", "/api/v1/enablement/attempts/{attempt_id}/submit"): lambda o: (
        f"/enablement/attempts/{o['attempt']}/submit", {"answers": []}),
    ("get", "/api/v1/enablement/certifications/{certification_id}/pdf"): lambda o: (
        f"/enablement/certifications/{o['certification']}/pdf", None),
    ("post", "/api/v1/enablement/certifications/{certification_id}/revoke"): lambda o: (
        f"/enablement/certifications/{o['certification']}/revoke", {"reason": "x"}),
}  # fmt: skip

_CATALOGUE = "the vendor's course and exam catalogue: no tenant's data; written by vendor administrators only"
API_EXEMPT = {
    ("get", "/api/v1/enablement/courses/{course_id}"): _CATALOGUE + " (tests/test_enablement.py)",
    ("patch", "/api/v1/enablement/courses/{course_id}"): _CATALOGUE,
    ("post", "/api/v1/enablement/courses/{course_id}/lessons"): _CATALOGUE,
    ("post", "/api/v1/enablement/exams/{exam_id}/questions"): _CATALOGUE,
    ("post", "/api/v1/enablement/lessons/{lesson_id}/file"): _CATALOGUE,
}

UI_MATRIX = {
    "certification-revoke": lambda o: {"certification_id": o["certification"]},
    "certificate-pdf": lambda o: {"certification_id": o["certification"]},
    "learn-lesson": lambda o: {"enrolment_id": o["course_enrolment"], "lesson_id": o["lesson"]},
    "learn-attempt": lambda o: {"attempt_id": o["attempt"]},
}
