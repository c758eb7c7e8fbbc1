"""Writes of training: the vendor authors courses and lessons; partner staff enrol and record progress."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerhub.core import audit, uploads
from partnerhub.core.richtext import sanitize_html
from partnerhub.core.validators import clean_web_url
from partnerhub.identity.models import User
from partnerhub.identity.roles import Perm
from partnerhub.identity.services import has_perm, require_perm, vendor_organisation

from ..models import Course, CourseEnrolment, Lesson, LessonKind, LessonProgress, Specialist

COURSE_FIELDS = ("code", "title", "track", "product", "summary", "is_published")
LESSON_FIELDS = ("title", "kind", "position", "body", "video_url")


def require_author(actor: User | None) -> None:
    """Courses and exams are the vendor's: its administrators write them (``programmes.manage``)."""
    vendor = vendor_organisation()
    if vendor is None:
        raise PermissionDenied(_("Your role does not allow this action."))
    require_perm(actor=actor, perm=Perm.PROGRAMMES_MANAGE, organisation=vendor)


def _full_clean(obj, exclude: list[str]) -> None:
    obj.full_clean(exclude=exclude, validate_constraints=False)


def _clean_course(course: Course) -> None:
    errors: dict[str, list] = {}
    try:
        _full_clean(course, exclude=["code"] if course.pk else [])
    except ValidationError as exc:
        errors.update(exc.error_dict)
    if not course.pk and Course.objects.filter(code=course.code).exists():
        errors.setdefault("code", []).append(ValidationError(_("This code is taken."), code="duplicate"))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def course_create(*, actor: User | None, code: str, title: str, track: str, product: str = "", summary: str = "",
                  is_published: bool = False) -> Course:  # fmt: skip
    if actor is not None:
        require_author(actor)
    course = Course(code=(code or "").strip(), title=(title or "").strip(), track=track,
                    product=(product or "").strip(), summary=(summary or "").strip(),
                    is_published=is_published)  # fmt: skip
    _clean_course(course)
    course.save()
    audit.record(actor=actor, action="course.created", obj=course, after=audit.snapshot(course))
    return course


@transaction.atomic
def course_update(*, actor: User, course: Course, **changes) -> Course:
    require_author(actor)
    course = Course.objects.select_for_update().get(pk=course.pk)
    unknown = set(changes) - set(COURSE_FIELDS) - {"code"}
    if unknown or "code" in changes:
        raise ValidationError(
            {f: [_("This field cannot be changed here.")] for f in sorted(unknown | {"code"} & set(changes))}
        )
    before = audit.snapshot(course)
    for key, value in changes.items():
        setattr(course, key, value.strip() if isinstance(value, str) else value)
    _clean_course(course)
    if audit.snapshot(course) == before:
        return course
    course.save()
    audit.record(actor=actor, action="course.updated", obj=course, before=before, after=audit.snapshot(course))
    return course


def _lesson_values(lesson: Lesson, values: dict) -> None:
    errors: dict[str, list] = {}
    if "video_url" in values:
        try:
            values["video_url"] = clean_web_url(values["video_url"], field="video_url", max_length=500)
        except ValidationError as exc:
            errors.update(exc.error_dict)
    if "body" in values:
        values["body"] = sanitize_html(values["body"])
    for key, value in values.items():
        if key not in errors:
            setattr(lesson, key, value.strip() if isinstance(value, str) else value)
    try:
        _full_clean(lesson, exclude=["course", "file", *errors])
    except ValidationError as exc:
        errors.update(exc.error_dict)
    if lesson.kind == LessonKind.VIDEO and not lesson.video_url and "video_url" not in errors:
        errors["video_url"] = [ValidationError(_("A video lesson needs the video's address."), code="required")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def lesson_add(*, actor: User | None, course: Course, title: str, kind: str = LessonKind.TEXT, body: str = "",
               video_url: str = "", position: int | None = None, file=None) -> Lesson:  # fmt: skip
    if actor is not None:
        require_author(actor)
    course = Course.objects.select_for_update().get(pk=course.pk)
    if position is None:
        position = course.lessons.count() + 1
    lesson = Lesson(course=course)
    values = {"title": title, "kind": kind, "body": body, "video_url": video_url, "position": position}
    _lesson_values(lesson, values)
    if file:
        lesson.file = uploads.TRAINING_MATERIAL.accept(file, field="file")
    elif lesson.kind == LessonKind.FILE:
        raise ValidationError({"file": [ValidationError(_("Choose a file."), code="required")]})
    lesson.save()
    audit.record(actor=actor, action="lesson.added", obj=lesson, after=audit.snapshot(lesson) | {"course": course.code})
    return lesson


@transaction.atomic
def lesson_update(*, actor: User, lesson: Lesson, file=None, **changes) -> Lesson:
    require_author(actor)
    lesson = Lesson.objects.select_for_update().select_related("course").get(pk=lesson.pk)
    unknown = set(changes) - set(LESSON_FIELDS)
    if unknown:
        raise ValidationError({f: [_("This field cannot be changed here.")] for f in sorted(unknown)})
    before = audit.snapshot(lesson)
    _lesson_values(lesson, dict(changes))
    if file:
        lesson.file = uploads.TRAINING_MATERIAL.accept(file, field="file")
    elif changes.get("kind") == LessonKind.FILE and not lesson.file:
        raise ValidationError({"file": [ValidationError(_("Choose a file."), code="required")]})
    lesson.save()
    audit.record(actor=actor, action="lesson.updated", obj=lesson, before=before, after=audit.snapshot(lesson))
    return lesson


def _may_act_for(actor: User, specialist: Specialist) -> bool:
    """The specialist themselves, or whoever may change their organisation (its administrator, the vendor's)."""
    return (specialist.user_id is not None and specialist.user_id == actor.pk) or has_perm(
        actor=actor, perm=Perm.ORG_CHANGE, organisation=specialist.organisation
    )


@transaction.atomic
def enrol(*, actor: User, course: Course, specialist: Specialist) -> CourseEnrolment:
    """Enrol ``specialist`` in ``course``; enrolling again returns the existing enrolment."""
    specialist = Specialist.objects.select_related("organisation").get_visible_or_404(actor, pk=specialist.pk)
    if not _may_act_for(actor, specialist):
        raise PermissionDenied(_("Only the specialist or their organisation's administrator can enrol them."))
    if not course.is_published:
        raise Http404
    if not specialist.is_active:
        raise ValidationError({"specialist_id": [_("This specialist is no longer employed.")]})
    existing = CourseEnrolment.objects.filter(course=course, specialist=specialist).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            enrolment = CourseEnrolment.objects.create(course=course, specialist=specialist, enrolled_by=actor)
    except IntegrityError:  # enrolled at the same moment by someone else
        return CourseEnrolment.objects.get(course=course, specialist=specialist)
    audit.record(actor=actor, action="course.enrolled", obj=enrolment, organisation=specialist.organisation,
                 after={"course": course.code, "specialist": specialist.full_name})  # fmt: skip
    return enrolment


@transaction.atomic
def complete_lesson(*, actor: User, enrolment: CourseEnrolment, lesson: Lesson) -> CourseEnrolment:
    """Record ``lesson`` done by the enrolled specialist (idempotent); the course completes with its last lesson."""
    enrolment = (CourseEnrolment.objects.select_for_update().select_related("specialist__organisation", "course")
                 .get_visible_or_404(actor, pk=enrolment.pk))  # fmt: skip
    if enrolment.specialist.user_id != actor.pk:
        raise PermissionDenied(_("Only the enrolled specialist records their own progress."))
    if lesson.course_id != enrolment.course_id:
        raise Http404
    return record_progress(actor=actor, enrolment=enrolment, lesson=lesson)


def record_progress(*, actor: User | None, enrolment: CourseEnrolment, lesson: Lesson) -> CourseEnrolment:
    """``lesson`` done in ``enrolment`` (locked by the caller, idempotent); the course completes with its last one."""
    _progress, created = LessonProgress.objects.get_or_create(enrolment=enrolment, lesson=lesson)
    if not created:
        return enrolment
    done = LessonProgress.objects.filter(enrolment=enrolment).count()
    if enrolment.completed_at is None and done >= enrolment.course.lessons.count():
        enrolment.completed_at = timezone.now()
        enrolment.save(update_fields=["completed_at"])
        audit.record(actor=actor, action="course.completed", obj=enrolment,
                     organisation=enrolment.specialist.organisation,
                     after={"course": enrolment.course.code})  # fmt: skip
    return enrolment
