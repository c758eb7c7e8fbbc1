"""Writes of the enablement context (one module per process), re-exported under one name."""

from .certificates import issue_for_attempt, new_code, revoke, sweep_certifications, verify
from .events import (
    cancel_registration,
    event_cancel,
    event_create,
    event_update,
    mark_attendance,
    places_taken,
    register,
)
from .exams import (
    attempt_start,
    attempt_submit,
    close_expired,
    close_expired_attempts,
    exam_create,
    exam_update,
    question_add,
)
from .specialists import certification_add, certification_remove, specialist_create, specialist_update
from .training import complete_lesson, course_create, course_update, enrol, lesson_add, lesson_update, require_author

__all__ = [
    "attempt_start",
    "attempt_submit",
    "cancel_registration",
    "certification_add",
    "certification_remove",
    "close_expired",
    "close_expired_attempts",
    "complete_lesson",
    "course_create",
    "course_update",
    "enrol",
    "event_cancel",
    "event_create",
    "event_update",
    "exam_create",
    "exam_update",
    "issue_for_attempt",
    "lesson_add",
    "lesson_update",
    "mark_attendance",
    "new_code",
    "places_taken",
    "question_add",
    "register",
    "require_author",
    "revoke",
    "specialist_create",
    "specialist_update",
    "sweep_certifications",
    "verify",
]  # fmt: skip
