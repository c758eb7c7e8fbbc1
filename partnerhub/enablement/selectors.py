from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from partnerhub.core.tenancy import actor_for
from partnerhub.identity.models import Organisation, User

from .models import (
    Attempt,
    AttemptQuestion,
    Certification,
    CertificationType,
    Course,
    CourseEnrolment,
    Event,
    EventRegistration,
    Exam,
    Lesson,
    LessonProgress,
    Question,
    RegistrationStatus,
    Specialist,
)  # fmt: skip


def specialists(*, actor: User, organisation: Organisation, include_inactive: bool = False) -> QuerySet[Specialist]:
    today = timezone.localdate()
    valid = Q(certifications__expires_on__isnull=True) | Q(certifications__expires_on__gt=today)
    qs = (
        Specialist.objects.visible_to(actor)
        .filter(organisation=organisation)
        .annotate(valid_certifications=Count("certifications", filter=valid & Q(certifications__issued_on__lte=today)))
        .prefetch_related(Prefetch("certifications", queryset=Certification.objects.select_related("type")))
    )
    return qs if include_inactive else qs.filter(is_active=True)


def specialist(*, actor: User, pk: int) -> Specialist:
    return Specialist.objects.select_related("organisation").get_visible_or_404(actor, pk=pk)


def certification(*, actor: User, pk: int) -> Certification:
    return Certification.objects.select_related("specialist__organisation", "type").get_visible_or_404(actor, pk=pk)


def certifications(*, actor: User, organisation: Organisation | None = None) -> QuerySet[Certification]:
    qs = Certification.objects.visible_to(actor).select_related("specialist", "type")
    if organisation is not None:
        qs = qs.filter(specialist__organisation=organisation)
    return qs.order_by("-issued_on", "-id")


def certification_types() -> QuerySet[CertificationType]:
    return CertificationType.objects.all()


# ------------------------------------------------------------------ training and exams


def _catalogue_reader(actor: User) -> bool:
    """Vendor staff read drafts too; everyone else reads what is published."""
    return actor_for(actor).is_vendor_staff


def courses(*, actor: User, track: str = "") -> QuerySet[Course]:
    if not actor.is_authenticated:
        return Course.objects.none()
    qs = Course.objects.annotate(lesson_count=Count("lessons", distinct=True))
    if not _catalogue_reader(actor):
        qs = qs.filter(is_published=True)
    if track:
        qs = qs.filter(track=track)
    return qs.order_by("track", "title", "id")


def course(*, actor: User, pk: int) -> Course:
    return get_object_or_404(courses(actor=actor), pk=pk)


def lessons(*, course: Course) -> QuerySet[Lesson]:
    return course.lessons.order_by("position", "id")


def lesson(*, actor: User, pk: int) -> Lesson:
    qs = Lesson.objects.select_related("course")
    if not _catalogue_reader(actor):
        qs = qs.filter(course__is_published=True)
    return get_object_or_404(qs, pk=pk)


def exams(*, actor: User) -> QuerySet[Exam]:
    if not actor.is_authenticated:
        return Exam.objects.none()
    qs = Exam.objects.select_related("certification_type", "course").annotate(
        bank_size=Count("questions", filter=Q(questions__is_active=True))
    )
    return qs if _catalogue_reader(actor) else qs.filter(is_published=True)


def exam(*, actor: User, pk: int) -> Exam:
    return get_object_or_404(exams(actor=actor), pk=pk)


def questions(*, exam: Exam) -> QuerySet[Question]:
    return exam.questions.prefetch_related("choices").order_by("id")


def my_specialist(*, actor: User, organisation: Organisation | None) -> Specialist | None:
    """The actor's own specialist record in ``organisation`` (who takes courses and exams), if any."""
    if organisation is None or not actor.is_authenticated:
        return None
    return Specialist.objects.filter(organisation=organisation, user=actor, is_active=True).first()


def course_enrolments(*, actor: User, organisation: Organisation | None = None) -> QuerySet[CourseEnrolment]:
    qs = CourseEnrolment.objects.visible_to(actor).select_related("course", "specialist")
    qs = qs.annotate(done=Count("progress", distinct=True), lesson_count=Count("course__lessons", distinct=True))
    if organisation is not None:
        qs = qs.filter(specialist__organisation=organisation)
    return qs.order_by("-enrolled_at", "-id")


def course_enrolment(*, actor: User, pk: int) -> CourseEnrolment:
    return CourseEnrolment.objects.select_related("course", "specialist__organisation").get_visible_or_404(actor, pk=pk)


def done_lessons(*, enrolment: CourseEnrolment) -> set[int]:
    return set(LessonProgress.objects.filter(enrolment=enrolment).values_list("lesson_id", flat=True))


def attempts(*, actor: User, organisation: Organisation | None = None) -> QuerySet[Attempt]:
    qs = Attempt.objects.visible_to(actor).select_related("exam", "specialist")
    if organisation is not None:
        qs = qs.filter(specialist__organisation=organisation)
    return qs.order_by("-started_at", "-id")


def attempt(*, actor: User, pk: int) -> Attempt:
    return Attempt.objects.select_related("exam", "specialist__organisation").get_visible_or_404(actor, pk=pk)


def attempt_items(*, attempt: Attempt) -> QuerySet[AttemptQuestion]:
    """The drawn questions with their choices (never which are correct: the templates and schemas omit it)."""
    return attempt.items.select_related("question").prefetch_related("question__choices").order_by("position")


# ------------------------------------------------------------------ events


def events(*, actor: User, when: str = "", kind: str = "") -> QuerySet[Event]:
    """The calendar: the vendor's administrators read drafts too; ``when`` is "upcoming" (not over yet) or "past"."""
    if not actor.is_authenticated:
        return Event.objects.none()
    taken = Count("registrations", filter=Q(registrations__status=RegistrationStatus.REGISTERED))
    qs = Event.objects.select_related("lesson__course").annotate(taken=taken)
    if not actor_for(actor).is_vendor_admin:  # drafts: their authors only
        qs = qs.filter(is_published=True)
    if kind:
        qs = qs.filter(kind=kind)
    now = timezone.now()
    if when == "upcoming":
        return qs.filter(ends_at__gt=now).order_by("starts_at", "id")
    if when == "past":
        return qs.filter(ends_at__lte=now).order_by("-starts_at", "-id")
    return qs.order_by("starts_at", "id")


def event(*, actor: User, pk: int) -> Event:
    return get_object_or_404(events(actor=actor), pk=pk)


def event_registrations(*, actor: User, event: Event | None = None, organisation: Organisation | None = None,
                        active_only: bool = False) -> QuerySet[EventRegistration]:  # fmt: skip
    """Registrations the actor may see (the vendor: all; a partner: its own staff's)."""
    qs = EventRegistration.objects.visible_to(actor).select_related("event", "specialist__organisation")
    if event is not None:
        qs = qs.filter(event=event)
    if organisation is not None:
        qs = qs.filter(specialist__organisation=organisation)
    if active_only:
        qs = qs.filter(status=RegistrationStatus.REGISTERED)
    return qs.order_by("event__starts_at", "registered_at", "id")


def event_registration(*, actor: User, pk: int) -> EventRegistration:
    return EventRegistration.objects.select_related("event", "specialist__organisation").get_visible_or_404(
        actor, pk=pk
    )
