"""Writes of exams: the vendor's question banks, and a specialist's attempts.

The deadline is the server's: an attempt's answers are taken once, before ``deadline``; a late or
second submission is refused (409) and writes nothing. Every attempt is kept. A specialist gets
``max_attempts`` failed attempts per exam until a pass, waits ``cooldown_hours`` after each failure,
and, once certified, may sit the exam again from ``recertify_days`` before the certificate expires.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from partnerhub.core import audit
from partnerhub.core.problems import Conflict
from partnerhub.identity.models import User

from ..models import (
    Attempt,
    AttemptQuestion,
    AttemptStatus,
    Certification,
    CertificationType,
    Choice,
    Course,
    Exam,
    Question,
    QuestionKind,
    Specialist,
)  # fmt: skip
from .certificates import issue_for_attempt
from .training import require_author

EXAM_FIELDS = ("title", "level", "question_count", "time_limit_minutes", "passing_score", "max_attempts",
               "cooldown_hours", "recertify_days", "is_published")  # fmt: skip


@transaction.atomic
def exam_create(*, actor: User | None, code: str, title: str, course: Course | None = None,
                certification_type_code: str = "", **settings) -> Exam:  # fmt: skip
    if actor is not None:
        require_author(actor)
    unknown = set(settings) - set(EXAM_FIELDS)
    if unknown:
        raise ValidationError({f: [_("This field cannot be changed here.")] for f in sorted(unknown)})
    errors: dict[str, list] = {}
    ctype = None
    if certification_type_code:
        ctype = CertificationType.objects.filter(code=certification_type_code).first()
        if ctype is None:
            errors["certification_type_code"] = [_("Unknown certification type.")]
    exam = Exam(code=(code or "").strip(), title=(title or "").strip(), course=course, certification_type=ctype,
                **settings)  # fmt: skip
    try:
        exam.full_clean(exclude=["course", "certification_type"], validate_constraints=False)
    except ValidationError as exc:
        errors.update(exc.error_dict)
    if Exam.objects.filter(code=exam.code).exists():
        errors.setdefault("code", []).append(ValidationError(_("This code is taken."), code="duplicate"))
    if errors:
        raise ValidationError(errors)
    exam.save()
    audit.record(actor=actor, action="exam.created", obj=exam, after=audit.snapshot(exam))
    return exam


@transaction.atomic
def exam_update(*, actor: User, exam: Exam, **changes) -> Exam:
    require_author(actor)
    exam = Exam.objects.select_for_update().get(pk=exam.pk)
    unknown = set(changes) - set(EXAM_FIELDS)
    if unknown:
        raise ValidationError({f: [_("This field cannot be changed here.")] for f in sorted(unknown)})
    before = audit.snapshot(exam)
    for key, value in changes.items():
        setattr(exam, key, value.strip() if isinstance(value, str) else value)
    exam.full_clean(exclude=["course", "certification_type", "code"], validate_constraints=False)
    if changes.get("is_published") and not exam.questions.filter(is_active=True).exists():
        raise ValidationError({"is_published": [_("Add questions to the bank before publishing the exam.")]})
    exam.save()
    audit.record(actor=actor, action="exam.updated", obj=exam, before=before, after=audit.snapshot(exam))
    return exam


@transaction.atomic
def question_add(*, actor: User | None, exam: Exam, text: str, kind: str, choices: list[dict]) -> Question:
    """A question with its choices (``[{"text": …, "correct": bool}]``).

    A one-answer question has exactly one correct choice, a several-answer question at least one."""
    if actor is not None:
        require_author(actor)
    errors: dict[str, list] = {}
    text = (text or "").strip()
    if not text:
        errors["text"] = [ValidationError(_("This field is required."), code="required")]
    if kind not in QuestionKind.values:
        errors["kind"] = [ValidationError(_("Choose one answer or several."), code="invalid_choice")]
    cleaned = [{"text": (c.get("text") or "").strip()[:500], "correct": bool(c.get("correct"))} for c in choices or []]
    cleaned = [c for c in cleaned if c["text"]]
    correct = sum(c["correct"] for c in cleaned)
    if len(cleaned) < 2:
        errors["choices"] = [ValidationError(_("Give at least two answers."), code="too_few")]
    elif correct == 0:
        errors["choices"] = [ValidationError(_("Mark at least one answer correct."), code="no_correct")]
    elif kind == QuestionKind.SINGLE and correct > 1:
        errors["choices"] = [ValidationError(_("A one-answer question has exactly one correct answer."),
                                             code="several_correct")]  # fmt: skip
    if errors:
        raise ValidationError(errors)
    question = Question.objects.create(exam=exam, text=text[:2000], kind=kind)
    Choice.objects.bulk_create([Choice(question=question, text=c["text"], is_correct=c["correct"]) for c in cleaned])
    audit.record(actor=actor, action="exam.question_added", obj=exam, after={"question": question.text[:200]})
    return question


def _late(attempt: Attempt, now) -> bool:
    return now > attempt.deadline


def close_expired(*, specialist: Specialist, exam: Exam | None = None) -> int:
    """Mark the specialist's unfinished attempts past their deadline as expired (a system write)."""
    qs = Attempt.objects.filter(specialist=specialist, status=AttemptStatus.IN_PROGRESS, deadline__lt=timezone.now())
    if exam is not None:
        qs = qs.filter(exam=exam)
    return qs.update(status=AttemptStatus.EXPIRED, score=0)


def close_expired_attempts() -> int:
    """The daily job's part: every unsubmitted attempt past its deadline is marked expired (idempotent)."""
    return Attempt.objects.filter(status=AttemptStatus.IN_PROGRESS, deadline__lt=timezone.now()).update(
        status=AttemptStatus.EXPIRED, score=0
    )


def _start_refusal(*, exam: Exam, specialist: Specialist, now) -> str | None:
    """Why ``specialist`` may not start ``exam`` now, or None."""
    today = timezone.localdate()
    held = None
    if exam.certification_type_id:
        held = (Certification.objects.filter(specialist=specialist, type_id=exam.certification_type_id,
                                             revoked_at__isnull=True, issued_on__lte=today)
                .order_by("-expires_on").first())  # fmt: skip
        if held is not None and held.expires_on is None:
            return _("This certificate does not expire: there is nothing to renew.")
        if held is not None and held.expires_on <= today:
            held = None
        if held is not None and held.expires_on - timedelta(days=exam.recertify_days) > today:
            opens = formats.date_format(held.expires_on - timedelta(days=exam.recertify_days), "SHORT_DATE_FORMAT")
            return _("You hold this certificate; recertification opens on %(date)s.") % {"date": opens}
    attempts = Attempt.objects.filter(exam=exam, specialist=specialist)
    last_pass = attempts.filter(status=AttemptStatus.PASSED).order_by("-submitted_at").first()
    failed = attempts.filter(status__in=[AttemptStatus.FAILED, AttemptStatus.EXPIRED])
    if last_pass is not None:  # counts start afresh after a pass
        failed = failed.filter(started_at__gt=last_pass.submitted_at)
    if failed.count() >= exam.max_attempts:
        return _("No attempts left: %(n)s failed attempts is the limit.") % {"n": exam.max_attempts}
    last = failed.order_by("-started_at").first()
    if last is not None and exam.cooldown_hours:
        ended = last.submitted_at or last.deadline
        again = ended + timedelta(hours=exam.cooldown_hours)
        if again > now:
            when = formats.date_format(timezone.localtime(again), "SHORT_DATETIME_FORMAT")
            return _("After a failed attempt the next one opens on %(when)s.") % {"when": when}
    return None


@transaction.atomic
def attempt_start(*, actor: User, exam: Exam, specialist: Specialist) -> Attempt:
    """Start (or resume, while its time runs) the specialist's attempt: a fresh random draw from the bank."""
    specialist = (
        Specialist.objects.select_for_update()
        .select_related("organisation")
        .get_visible_or_404(actor, pk=specialist.pk)
    )
    if not exam.is_published:
        raise Http404
    if specialist.user_id != actor.pk:
        raise PermissionDenied(_("Only the specialist themselves can sit an exam."))
    now = timezone.now()
    running = Attempt.objects.filter(exam=exam, specialist=specialist, status=AttemptStatus.IN_PROGRESS,
                                     deadline__gte=now).first()  # fmt: skip
    if running is not None:
        return running
    close_expired(specialist=specialist, exam=exam)
    refusal = _start_refusal(exam=exam, specialist=specialist, now=now)
    if refusal:
        raise Conflict(refusal, code="attempt_refused")
    bank = list(exam.questions.filter(is_active=True).values_list("pk", flat=True))
    if not bank:
        raise Conflict(_("This exam has no questions yet."), code="empty_bank")
    drawn = secrets.SystemRandom().sample(bank, min(exam.question_count, len(bank)))
    attempt = Attempt.objects.create(exam=exam, specialist=specialist, user=actor, started_at=now,
                                     deadline=now + timedelta(minutes=exam.time_limit_minutes))  # fmt: skip
    AttemptQuestion.objects.bulk_create(
        [AttemptQuestion(attempt=attempt, question_id=q, position=i) for i, q in enumerate(drawn, start=1)]
    )
    audit.record(actor=actor, action="exam.attempt_started", obj=attempt, organisation=specialist.organisation,
                 after={"exam": exam.code, "specialist": specialist.full_name, "questions": len(drawn)})  # fmt: skip
    return attempt


def _clean_answers(attempt: Attempt, answers: dict[int, list[int]]) -> dict[int, set[int]]:
    items = {i.question_id: i for i in attempt.items.select_related("question")}
    choices: dict[int, set[int]] = {}
    for c in Choice.objects.filter(question_id__in=items).values_list("question_id", "pk"):
        choices.setdefault(c[0], set()).add(c[1])
    errors: dict[str, list] = {}
    cleaned: dict[int, set[int]] = {}
    for qid, picked in (answers or {}).items():
        if qid not in items:
            errors[f"answers.{qid}"] = [ValidationError(_("This question is not part of the attempt."), code="unknown")]
            continue
        picked = set(picked or [])
        if not picked <= choices.get(qid, set()):
            errors[f"answers.{qid}"] = [ValidationError(_("Choose among the question's answers."), code="invalid")]
        elif items[qid].question.kind == QuestionKind.SINGLE and len(picked) > 1:
            errors[f"answers.{qid}"] = [ValidationError(_("Choose one answer."), code="several")]
        cleaned[qid] = picked
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def attempt_submit(*, actor: User, attempt: Attempt, answers: dict[int, list[int]]) -> Attempt:
    """Score the attempt once, before its deadline; passing a certification exam issues the certificate."""
    attempt = (Attempt.objects.select_for_update().select_related("exam", "specialist__organisation")
               .get_visible_or_404(actor, pk=attempt.pk))  # fmt: skip
    if attempt.user_id != actor.pk:
        raise PermissionDenied(_("Only the specialist who started the attempt can submit it."))
    now = timezone.now()
    if attempt.status != AttemptStatus.IN_PROGRESS:
        raise Conflict(_("This attempt was already submitted."), code="already_submitted")
    if _late(attempt, now):
        raise Conflict(_("The time limit has passed: answers are no longer accepted."), code="deadline_passed")
    cleaned = _clean_answers(attempt, answers)
    correct_sets: dict[int, set[int]] = {}
    for qid, cid in Choice.objects.filter(question__in=[i.question_id for i in attempt.items.all()],
                                          is_correct=True).values_list("question_id", "pk"):  # fmt: skip
        correct_sets.setdefault(qid, set()).add(cid)
    items = list(attempt.items.all())
    right = 0
    for item in items:
        item.selected = sorted(cleaned.get(item.question_id, set()))
        item.is_correct = set(item.selected) == correct_sets.get(item.question_id, set())
        right += item.is_correct
    AttemptQuestion.objects.bulk_update(items, ["selected", "is_correct"])
    attempt.score = (right * 100) // len(items) if items else 0
    attempt.status = AttemptStatus.PASSED if attempt.score >= attempt.exam.passing_score else AttemptStatus.FAILED
    attempt.submitted_at = now
    attempt.save(update_fields=["score", "status", "submitted_at"])
    audit.record(actor=actor, action="exam.attempt_submitted", obj=attempt,
                 organisation=attempt.specialist.organisation,
                 after=audit.snapshot(attempt) | {"exam": attempt.exam.code})  # fmt: skip
    if attempt.status == AttemptStatus.PASSED and attempt.exam.certification_type_id:
        issue_for_attempt(attempt=attempt, actor=actor)
    return attempt
