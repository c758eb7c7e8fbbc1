"""The enablement context's tables: staff and certificates, training, exams."""

from .exams import Attempt, AttemptQuestion, AttemptStatus, Choice, Exam, Question, QuestionKind
from .people import Certification, CertificationType, Level, Specialist
from .training import Course, CourseEnrolment, Lesson, LessonKind, LessonProgress, Track

__all__ = [
    "Attempt", "AttemptQuestion", "AttemptStatus", "Certification", "CertificationType", "Choice", "Course",
    "CourseEnrolment", "Exam", "Lesson", "LessonKind", "LessonProgress", "Level", "Question", "QuestionKind",
    "Specialist", "Track",
]  # fmt: skip
