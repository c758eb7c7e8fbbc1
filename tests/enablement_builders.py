"""Courses, exams and attempts for the enablement tests and the tenancy matrix."""

from __future__ import annotations

from partnerhub.enablement import services
from partnerhub.enablement.models import CertificationType, Specialist


def course(code="basics", *, lessons=2, published=True):
    c = services.course_create(actor=None, code=code, title=f"Course {code}", track="sales", is_published=published)
    for i in range(lessons):
        services.lesson_add(actor=None, course=c, title=f"Lesson {i + 1}", body=f"<p>Part {i + 1}</p>")
    return c


def exam(code="tech-exam", *, questions=4, draw=None, type_code="tech", validity_months=12, **settings):
    defaults = {"name": "Technical specialist", "validity_months": validity_months}
    CertificationType.objects.update_or_create(code=type_code, defaults=defaults)
    e = services.exam_create(actor=None, code=code, title=f"Exam {code}", certification_type_code=type_code,
                             level="professional", question_count=draw or questions, **settings)  # fmt: skip
    for i in range(questions):
        services.question_add(actor=None, exam=e, text=f"Q{i}", kind="single",
                              choices=[{"text": "right", "correct": True}, {"text": "wrong"}])  # fmt: skip
    e.is_published = True
    e.save(update_fields=["is_published"])
    return e


def specialist_for(user, org, name="Specialist"):
    return Specialist.objects.create(organisation=org, user=user, full_name=name, email=user.email)


def answers(attempt, *, right=True):
    """Answers for every drawn question: all right (or all wrong)."""
    out = {}
    for item in attempt.items.select_related("question"):
        choice = item.question.choices.get(is_correct=right)
        out[item.question_id] = [choice.pk]
    return out


def enablement_b(world):
    """Partner B's course enrolment, exam attempt and the ids the tenancy matrix addresses."""
    c = course("matrix-course")
    e = exam("matrix-exam", type_code="matrix-tech")
    spec = specialist_for(world.b_admin, world.partner_b, "B learner")
    enrolment = services.enrol(actor=world.b_admin, course=c, specialist=spec)
    attempt = services.attempt_start(actor=world.b_admin, exam=e, specialist=spec)
    return {"course": c.pk, "exam": e.pk, "lesson": c.lessons.first().pk, "course_enrolment": enrolment.pk,
            "attempt": attempt.pk, "learner": spec.pk}  # fmt: skip


def event(title="Webinar", *, capacity=None, days=7, published=True, **fields):
    """An online webinar ``days`` from now (negative: in the past), one hour long."""
    from datetime import timedelta

    from django.utils import timezone

    start = timezone.now() + timedelta(days=days)
    fields.setdefault("join_url", "https://meet.example.com/w1")
    return services.event_create(actor=None, title=title, starts_at=start, ends_at=start + timedelta(hours=1),
                                 capacity=capacity, is_published=published, **fields)  # fmt: skip


def past_event(title="Past webinar", **fields):
    """An event that took place: created upcoming, then moved into the past (registrations stay)."""
    from datetime import timedelta

    from django.utils import timezone

    from partnerhub.enablement.models import Event

    e = event(title, **fields)
    start = timezone.now() - timedelta(hours=2)
    Event.objects.filter(pk=e.pk).update(starts_at=start, ends_at=start + timedelta(hours=1))
    e.refresh_from_db()
    return e
