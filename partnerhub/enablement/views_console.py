"""The vendor's enablement console: courses and their lessons, exams and their question banks, revocation."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partnerhub.core.forms import add_service_errors
from partnerhub.core.pagination import Paginator

from . import selectors, services
from .forms import CourseForm, ExamForm, LessonForm, QuestionForm, RevokeForm


@login_required
def course_console(request: HttpRequest) -> HttpResponse:
    services.require_author(request.user)
    form = CourseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            course = services.course_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Course created."))
            return redirect("course-edit", code=course.code)
    page = Paginator(selectors.courses(actor=request.user), 50).get_page(request.GET.get("page"))
    return render(request, "enablement/console_courses.html", {"page": page, "form": form})


@login_required
def course_edit(request: HttpRequest, code: str) -> HttpResponse:
    services.require_author(request.user)
    course = get_object_or_404(selectors.courses(actor=request.user), code=code)
    form = LessonForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and request.POST.get("action") == "publish":
        services.course_update(actor=request.user, course=course, is_published=not course.is_published)
        messages.success(request, _("Saved."))
        return redirect("course-edit", code=course.code)
    if request.method == "POST" and form.is_valid():
        try:
            services.lesson_add(actor=request.user, course=course, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Lesson added."))
            return redirect("course-edit", code=course.code)
    return render(request, "enablement/console_course.html",
                  {"course": course, "lessons": selectors.lessons(course=course), "form": form})  # fmt: skip


@login_required
def exam_console(request: HttpRequest) -> HttpResponse:
    services.require_author(request.user)
    form = ExamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            exam = services.exam_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Exam created."))
            return redirect("exam-edit", code=exam.code)
    page = Paginator(selectors.exams(actor=request.user).order_by("title", "id"), 50).get_page(request.GET.get("page"))
    return render(request, "enablement/console_exams.html", {"page": page, "form": form})


@login_required
def exam_edit(request: HttpRequest, code: str) -> HttpResponse:
    services.require_author(request.user)
    exam = get_object_or_404(selectors.exams(actor=request.user), code=code)
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and request.POST.get("action") == "publish":
        try:
            services.exam_update(actor=request.user, exam=exam, is_published=not exam.is_published)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Saved."))
        return redirect("exam-edit", code=exam.code)
    if request.method == "POST" and form.is_valid():
        try:
            services.question_add(actor=request.user, exam=exam, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Question added."))
            return redirect("exam-edit", code=exam.code)
    return render(request, "enablement/console_exam.html",
                  {"exam": exam, "questions": selectors.questions(exam=exam), "form": form})  # fmt: skip


@login_required
@require_POST
def certification_revoke(request: HttpRequest, certification_id: int) -> HttpResponse:
    cert = selectors.certification(actor=request.user, pk=certification_id)
    form = RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the certificate is revoked."))
    else:
        services.revoke(actor=request.user, certification=cert, reason=form.cleaned_data["reason"])
        messages.success(request, _("Certificate revoked."))
    return redirect("specialist-detail", specialist_id=cert.specialist_id)
