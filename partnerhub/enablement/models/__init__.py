"""The enablement context's tables: staff and certificates, training, exams."""

from .events import Event, EventFormat, EventKind, EventLanguage, EventRegistration, EventStatus, RegistrationStatus
from .exams import Attempt, AttemptQuestion, AttemptStatus, Choice, Exam, Question, QuestionKind
from .people import Certification, CertificationType, Level, Specialist
from .training import Course, CourseEnrolment, Lesson, LessonKind, LessonProgress, Track

__all__ = [
    "Attempt", "AttemptQuestion", "AttemptStatus", "Certification", "CertificationType", "Choice", "Course",
    "CourseEnrolment", "Event", "EventFormat", "EventKind", "EventLanguage", "EventRegistration", "EventStatus",
    "Exam", "Lesson", "LessonKind", "LessonProgress", "Level", "Question", "QuestionKind",
    "RegistrationStatus", "Specialist", "Track",
]  # fmt: skip
