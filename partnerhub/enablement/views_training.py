"""Pages of training and exams: the partner's Learn page, lessons, attempts; the public verification page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partnerhub.core.problems import Problem
from partnerhub.identity import selectors as identity_selectors
from partnerhub.identity.roles import Perm
from partnerhub.identity.services import has_perm

from . import documents, selectors, services
from .models import AttemptStatus, Track


def _home_org(request):
    return identity_selectors.home_organisation(actor=request.user, preferred_id=request.session.get("organisation_id"))


@login_required
def learn(request: HttpRequest) -> HttpResponse:
    org = _home_org(request)
    me = selectors.my_specialist(actor=request.user, organisation=org)
    is_admin = org is not None and has_perm(actor=request.user, perm=Perm.ORG_CHANGE, organisation=org)
    by_track: dict[str, list] = {}
    for course in selectors.courses(actor=request.user):
        by_track.setdefault(course.track, []).append(course)
    ctx = {
        "org": org, "me": me, "is_admin": is_admin,
        "tracks": [(Track(t).label, cs) for t, cs in by_track.items()],
        "enrolments": selectors.course_enrolments(actor=request.user, organisation=org)[:50] if org else [],
        "exams": selectors.exams(actor=request.user),
        "attempts": selectors.attempts(actor=request.user, organisation=org)[:20] if org else [],
        "certificates": selectors.certifications(actor=request.user, organisation=org)[:50] if org else [],
        "specialists": selectors.specialists(actor=request.user, organisation=org) if is_admin else [],
    }  # fmt: skip
    return render(request, "enablement/learn.html", ctx)


@login_required
def course_page(request: HttpRequest, code: str) -> HttpResponse:
    course = get_object_or_404(selectors.courses(actor=request.user), code=code)
    org = _home_org(request)
    me = selectors.my_specialist(actor=request.user, organisation=org)
    enrolment = course.enrolments.filter(specialist=me).first() if me else None
    done = selectors.done_lessons(enrolment=enrolment) if enrolment else set()
    is_admin = org is not None and has_perm(actor=request.user, perm=Perm.ORG_CHANGE, organisation=org)
    ctx = {"course": course, "lessons": selectors.lessons(course=course), "enrolment": enrolment, "done": done,
           "me": me, "exams": selectors.exams(actor=request.user).filter(course=course),
           "specialists": selectors.specialists(actor=request.user, organisation=org) if is_admin else []}  # fmt: skip
    return render(request, "enablement/course.html", ctx)


@login_required
@require_POST
def course_enrol(request: HttpRequest, code: str) -> HttpResponse:
    course = get_object_or_404(selectors.courses(actor=request.user), code=code)
    org = _home_org(request)
    raw = request.POST.get("specialist_id", "")
    if raw.isdigit():
        specialist = selectors.specialist(actor=request.user, pk=int(raw))
    else:
        specialist = selectors.my_specialist(actor=request.user, organisation=org)
        if specialist is None:
            messages.error(request, _("You are not listed as a specialist of your organisation."))
            return redirect("learn-course", code=course.code)
    try:
        services.enrol(actor=request.user, course=course, specialist=specialist)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Enrolled."))
    return redirect("learn-course", code=course.code)


@login_required
def lesson_page(request: HttpRequest, enrolment_id: int, lesson_id: int) -> HttpResponse:
    enrolment = selectors.course_enrolment(actor=request.user, pk=enrolment_id)
    lesson = get_object_or_404(selectors.lessons(course=enrolment.course), pk=lesson_id)
    if request.method == "POST":
        services.complete_lesson(actor=request.user, enrolment=enrolment, lesson=lesson)
        messages.success(request, _("Lesson completed."))
        return redirect("learn-course", code=enrolment.course.code)
    done = selectors.done_lessons(enrolment=enrolment)
    ctx = {"enrolment": enrolment, "lesson": lesson, "done": lesson.pk in done,
           "is_learner": enrolment.specialist.user_id == request.user.pk}  # fmt: skip
    return render(request, "enablement/lesson.html", ctx)


@login_required
@require_POST
def exam_start(request: HttpRequest, code: str) -> HttpResponse:
    exam = get_object_or_404(selectors.exams(actor=request.user), code=code)
    me = selectors.my_specialist(actor=request.user, organisation=_home_org(request))
    if me is None:
        messages.error(request, _("You are not listed as a specialist of your organisation."))
        return redirect("learn")
    try:
        attempt = services.attempt_start(actor=request.user, exam=exam, specialist=me)
    except Problem as exc:
        messages.error(request, exc.detail)
        return redirect("learn")
    return redirect("learn-attempt", attempt_id=attempt.pk)


@login_required
def attempt_page(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = selectors.attempt(actor=request.user, pk=attempt_id)
    if request.method == "POST":
        answers: dict[int, list[int]] = {}
        for key in request.POST:
            if key.startswith("q") and key[1:].isdigit():
                answers[int(key[1:])] = [int(v) for v in request.POST.getlist(key) if v.isdigit()]
        try:
            attempt = services.attempt_submit(actor=request.user, attempt=attempt, answers=answers)
        except Problem as exc:
            messages.error(request, exc.detail)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("learn-attempt", attempt_id=attempt.pk)
    running = attempt.status == AttemptStatus.IN_PROGRESS and attempt.deadline >= timezone.now()
    cert = getattr(attempt, "certification", None) if attempt.status == AttemptStatus.PASSED else None
    ctx = {"attempt": attempt, "running": running, "items": selectors.attempt_items(attempt=attempt),
           "is_taker": attempt.user_id == request.user.pk, "cert": cert}  # fmt: skip
    return render(request, "enablement/attempt.html", ctx)


@login_required
def certificate_pdf(request: HttpRequest, certification_id: int) -> HttpResponse:
    cert = selectors.certification(actor=request.user, pk=certification_id)
    response = HttpResponse(documents.certificate_pdf(cert), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{documents.filename(cert)}"'
    return response


def verify(request: HttpRequest, code: str) -> HttpResponse:
    """Public: the certificate with this code, or "not found" (the same page for unknown and forged codes)."""
    cert = services.verify(code)
    today = timezone.localdate()
    ctx = {"cert": cert, "valid": cert.is_valid_on(today) if cert else False}
    return render(request, "enablement/verify.html", ctx, status=200 if cert else 404)
