"""REST endpoints of training, exams and issued certificates, under /api/v1/enablement."""

from datetime import date, datetime
from typing import Annotated

from django.http import HttpResponse
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from partnerhub.core.api import InputSchema, Pagination, model_type
from partnerhub.identity import selectors as identity_selectors

from . import documents, selectors, services
from .models import Course, Exam, Lesson

router = Router(tags=["enablement"])


class EnablementLessonOut(Schema):
    id: int
    position: int
    title: str
    kind: str
    body: str
    video_url: str
    file_url: str | None = None

    @staticmethod
    def resolve_file_url(obj):
        return obj.file.url if obj.file else None


class EnablementCourseOut(Schema):
    id: int
    code: str
    title: str
    track: str
    product: str
    summary: str
    is_published: bool


class EnablementCourseDetailOut(EnablementCourseOut):
    lessons: list[EnablementLessonOut]

    @staticmethod
    def resolve_lessons(obj):
        return list(selectors.lessons(course=obj))


class EnablementCourseIn(InputSchema):
    code: model_type(Course, "code", min_length=1)
    title: model_type(Course, "title", min_length=1)
    track: model_type(Course, "track")
    product: model_type(Course, "product") = ""
    summary: model_type(Course, "summary") = ""
    is_published: bool = False


class EnablementCoursePatch(InputSchema):
    title: model_type(Course, "title", min_length=1) = None
    track: model_type(Course, "track") = None
    product: model_type(Course, "product") = None
    summary: model_type(Course, "summary") = None
    is_published: model_type(Course, "is_published") = None


class EnablementLessonIn(InputSchema):
    title: model_type(Lesson, "title", min_length=1)
    kind: model_type(Lesson, "kind") = "text"
    body: model_type(Lesson, "body") = ""
    video_url: model_type(Lesson, "video_url") = ""
    position: model_type(Lesson, "position") = None


class EnablementEnrolIn(InputSchema):
    specialist_id: int


class EnablementEnrolmentOut(Schema):
    id: int
    course_id: int
    course_title: str = Field(..., alias="course.title")
    specialist_id: int
    specialist_name: str = Field(..., alias="specialist.full_name")
    enrolled_at: datetime
    completed_at: datetime | None
    lessons_done: int = Field(..., alias="done")
    lesson_count: int


class EnablementEnrolmentDetailOut(Schema):
    id: int
    course_id: int
    specialist_id: int
    completed_at: datetime | None
    done_lesson_ids: list[int]

    @staticmethod
    def resolve_done_lesson_ids(obj):
        return sorted(selectors.done_lessons(enrolment=obj))


class EnablementExamOut(Schema):
    id: int
    code: str
    title: str
    course_id: int | None
    certification_type: str | None = Field(None, alias="certification_type.code")
    level: str
    question_count: int
    time_limit_minutes: int
    passing_score: int
    max_attempts: int
    cooldown_hours: int
    recertify_days: int
    is_published: bool


class EnablementExamIn(InputSchema):
    code: model_type(Exam, "code", min_length=1)
    title: model_type(Exam, "title", min_length=1)
    course_id: int | None = None
    certification_type_code: str = ""
    level: model_type(Exam, "level") = ""
    question_count: model_type(Exam, "question_count") = 10
    time_limit_minutes: model_type(Exam, "time_limit_minutes") = 30
    passing_score: model_type(Exam, "passing_score") = 70
    max_attempts: model_type(Exam, "max_attempts") = 3
    cooldown_hours: model_type(Exam, "cooldown_hours") = 24
    recertify_days: model_type(Exam, "recertify_days") = 90
    is_published: bool = False


class EnablementChoiceIn(InputSchema):
    text: str = Field(..., min_length=1, max_length=500)
    correct: bool = False


class EnablementQuestionIn(InputSchema):
    text: str = Field(..., min_length=1, max_length=2000)
    kind: str = "single"
    choices: list[EnablementChoiceIn] = Field(..., max_length=20)


class EnablementQuestionOut(Schema):
    id: int
    text: str
    kind: str


class EnablementStartIn(InputSchema):
    specialist_id: int


class EnablementChoiceOut(Schema):
    id: int
    text: str


class EnablementDrawnQuestionOut(Schema):
    question_id: int
    position: int
    text: str = Field(..., alias="question.text")
    kind: str = Field(..., alias="question.kind")
    choices: list[EnablementChoiceOut]
    selected: list[int]

    @staticmethod
    def resolve_choices(obj):
        return list(obj.question.choices.all())


class EnablementAttemptOut(Schema):
    id: int
    exam_id: int
    specialist_id: int
    status: str
    started_at: datetime
    deadline: datetime
    submitted_at: datetime | None
    score: int | None
    certification_id: int | None = None

    @staticmethod
    def resolve_certification_id(obj):
        cert = getattr(obj, "certification", None) if obj.status == "passed" else None
        return cert.pk if cert else None


class EnablementAttemptDetailOut(EnablementAttemptOut):
    questions: list[EnablementDrawnQuestionOut]

    @staticmethod
    def resolve_questions(obj):
        return list(selectors.attempt_items(attempt=obj))


# Item ids bounded here: core.api bounds plain ``int`` fields, and would put the bound on the list itself.
ChoiceId = Annotated[int, Field(ge=1, le=2**63 - 1)]


class EnablementAnswerIn(InputSchema):
    question_id: int
    choice_ids: list[ChoiceId] = Field(..., max_length=50)


class EnablementSubmitIn(InputSchema):
    answers: list[EnablementAnswerIn] = Field(..., max_length=500)


class EnablementIssuedCertificationOut(Schema):
    id: int
    specialist_id: int
    specialist_name: str = Field(..., alias="specialist.full_name")
    type_code: str = Field(..., alias="type.code")
    level: str
    number: str
    issued_on: date
    expires_on: date | None
    revoked_at: datetime | None
    verification_code: str | None


class EnablementRevokeIn(InputSchema):
    reason: str = Field(..., min_length=1, max_length=500)


class EnablementOrgFilter(Schema):
    organisation_id: int | None = None


def _org(request, filters: EnablementOrgFilter):
    if filters.organisation_id is None:
        return None
    return identity_selectors.organisation(actor=request.auth, pk=filters.organisation_id)


@router.get("/courses", response=list[EnablementCourseOut])
@paginate(Pagination)
def list_courses(request, track: str = ""):
    return selectors.courses(actor=request.auth, track=track)


@router.post("/courses", response={201: EnablementCourseDetailOut})
def create_course(request, payload: EnablementCourseIn):
    return Status(201, services.course_create(actor=request.auth, **payload.dict()))


@router.get("/courses/{course_id}", response=EnablementCourseDetailOut)
def get_course(request, course_id: int):
    return selectors.course(actor=request.auth, pk=course_id)


@router.patch("/courses/{course_id}", response=EnablementCourseDetailOut)
def update_course(request, course_id: int, payload: EnablementCoursePatch):
    course = selectors.course(actor=request.auth, pk=course_id)
    return services.course_update(actor=request.auth, course=course, **payload.dict(exclude_unset=True))


@router.post("/courses/{course_id}/lessons", response={201: EnablementLessonOut})
def add_lesson(request, course_id: int, payload: EnablementLessonIn):
    course = selectors.course(actor=request.auth, pk=course_id)
    return Status(201, services.lesson_add(actor=request.auth, course=course, **payload.dict()))


@router.post("/lessons/{lesson_id}/file", response=EnablementLessonOut,
             summary="Attach a handout to a lesson (PDF, PNG, JPEG, DOCX, XLSX, ODT; by content)")  # fmt: skip
def upload_lesson_file(request, lesson_id: int, file: File[UploadedFile]):
    lesson = selectors.lesson(actor=request.auth, pk=lesson_id)
    return services.lesson_update(actor=request.auth, lesson=lesson, file=file)


@router.post("/courses/{course_id}/enrolments", response={201: EnablementEnrolmentDetailOut})
def enrol(request, course_id: int, payload: EnablementEnrolIn):
    course = selectors.course(actor=request.auth, pk=course_id)
    specialist = selectors.specialist(actor=request.auth, pk=payload.specialist_id)
    return Status(201, services.enrol(actor=request.auth, course=course, specialist=specialist))


@router.get("/enrolments", response=list[EnablementEnrolmentOut])
@paginate(Pagination)
def list_enrolments(request, filters: Query[EnablementOrgFilter]):
    return selectors.course_enrolments(actor=request.auth, organisation=_org(request, filters))


@router.get("/enrolments/{enrolment_id}", response=EnablementEnrolmentDetailOut)
def get_enrolment(request, enrolment_id: int):
    return selectors.course_enrolment(actor=request.auth, pk=enrolment_id)


@router.post("/enrolments/{enrolment_id}/lessons/{lesson_id}/complete", response=EnablementEnrolmentDetailOut)
def complete_lesson(request, enrolment_id: int, lesson_id: int):
    enrolment = selectors.course_enrolment(actor=request.auth, pk=enrolment_id)
    lesson = selectors.lesson(actor=request.auth, pk=lesson_id)
    return services.complete_lesson(actor=request.auth, enrolment=enrolment, lesson=lesson)


@router.get("/exams", response=list[EnablementExamOut])
@paginate(Pagination)
def list_exams(request):
    return selectors.exams(actor=request.auth)


@router.post("/exams", response={201: EnablementExamOut})
def create_exam(request, payload: EnablementExamIn):
    data = payload.dict()
    course_id = data.pop("course_id")
    course = selectors.course(actor=request.auth, pk=course_id) if course_id else None
    return Status(201, services.exam_create(actor=request.auth, course=course, **data))


@router.post("/exams/{exam_id}/questions", response={201: EnablementQuestionOut})
def add_question(request, exam_id: int, payload: EnablementQuestionIn):
    exam = selectors.exam(actor=request.auth, pk=exam_id)
    data = payload.dict()
    return Status(201, services.question_add(actor=request.auth, exam=exam, **data))


@router.post("/exams/{exam_id}/attempts", response={201: EnablementAttemptDetailOut})
def start_attempt(request, exam_id: int, payload: EnablementStartIn):
    exam = selectors.exam(actor=request.auth, pk=exam_id)
    specialist = selectors.specialist(actor=request.auth, pk=payload.specialist_id)
    return Status(201, services.attempt_start(actor=request.auth, exam=exam, specialist=specialist))


@router.get("/attempts", response=list[EnablementAttemptOut])
@paginate(Pagination)
def list_attempts(request, filters: Query[EnablementOrgFilter]):
    return selectors.attempts(actor=request.auth, organisation=_org(request, filters)).select_related("certification")


@router.get("/attempts/{attempt_id}", response=EnablementAttemptDetailOut)
def get_attempt(request, attempt_id: int):
    return selectors.attempt(actor=request.auth, pk=attempt_id)


@router.post("/attempts/{attempt_id}/submit", response=EnablementAttemptDetailOut)
def submit_attempt(request, attempt_id: int, payload: EnablementSubmitIn):
    attempt = selectors.attempt(actor=request.auth, pk=attempt_id)
    answers = {a.question_id: a.choice_ids for a in payload.answers}
    return services.attempt_submit(actor=request.auth, attempt=attempt, answers=answers)


@router.get("/certifications", response=list[EnablementIssuedCertificationOut])
@paginate(Pagination)
def list_certifications(request, filters: Query[EnablementOrgFilter]):
    return selectors.certifications(actor=request.auth, organisation=_org(request, filters))


@router.get("/certifications/{certification_id}/pdf", response={200: None},
            openapi_extra={"responses": {200: {"description": "The certificate",
                                                 "content": {"application/pdf": {}}}}})  # fmt: skip
def certificate_pdf(request, certification_id: int):
    cert = selectors.certification(actor=request.auth, pk=certification_id)
    response = HttpResponse(documents.certificate_pdf(cert), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{documents.filename(cert)}"'
    return response


@router.post("/certifications/{certification_id}/revoke", response=EnablementIssuedCertificationOut)
def revoke_certification(request, certification_id: int, payload: EnablementRevokeIn):
    cert = selectors.certification(actor=request.auth, pk=certification_id)
    return services.revoke(actor=request.auth, certification=cert, reason=payload.reason)
