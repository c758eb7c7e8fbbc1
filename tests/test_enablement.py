"""Training, exams and certificates: what a partner's staff and the vendor rely on."""

from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.utils import timezone

from partnerhub.core.models import Notification
from partnerhub.core.problems import Conflict
from partnerhub.enablement import services
from partnerhub.enablement.models import Attempt, AttemptStatus, Certification
from partnerhub.partners.models import TierChange
from partnerhub.partners.services import enrol as enrol_partner
from partnerhub.partners.tiers import evaluate_programme

from .conftest import FormData
from .enablement_builders import answers, course, exam, specialist_for
from .programme_builders import security_programme, sell

pytestmark = pytest.mark.django_db


def test_lesson_text_is_sanitised_and_a_script_address_is_refused(world):
    c = course(lessons=0)
    body = '<p onclick="x()">Hi<script>alert(1)</script><a href="javascript:x">l</a></p>'
    lesson = services.lesson_add(actor=world.vendor_admin, course=c, title="Intro", body=body)
    assert "script" not in lesson.body and "onclick" not in lesson.body and "javascript" not in lesson.body
    with pytest.raises(ValidationError) as exc:
        services.lesson_add(
            actor=world.vendor_admin, course=c, title="V", kind="video", video_url="javascript:alert(1)"
        )
    assert "video_url" in exc.value.error_dict


def test_a_handout_is_checked_for_its_content(world):
    c = course(lessons=0)
    fake = SimpleUploadedFile("slides.pdf", b"<html>not a pdf</html>")
    with pytest.raises(ValidationError) as exc:
        services.lesson_add(actor=world.vendor_admin, course=c, title="H", kind="file", file=fake)
    assert exc.value.error_dict["file"][0].code == "file_type"
    assert not c.lessons.exists()


def test_a_handout_page_refuses_a_disguised_file(world, ui):
    c = course(lessons=0)
    fake = SimpleUploadedFile("slides.pdf", b"MZ\x90\x00 an executable")
    r = ui(world.vendor_admin).post(f"/enablement/courses/{c.code}/", {"title": "H", "kind": "file", "file": fake})
    assert r.status_code == 200 and "file" in r.context["form"].errors
    assert not c.lessons.exists()
    pdf = SimpleUploadedFile("slides.pdf", b"%PDF-1.4\n%%EOF\n")
    r = ui(world.vendor_admin).post(f"/enablement/courses/{c.code}/", {"title": "H", "kind": "file", "file": pdf})
    assert r.status_code == 302 and c.lessons.get().file.name.endswith(".pdf")


def test_only_the_vendor_authors_courses(world):
    with pytest.raises((PermissionDenied, Http404)):
        services.course_create(actor=world.a_admin, code="x", title="X", track="sales")


def test_self_enrolment_and_progress_complete_the_course(world):
    c = course(lessons=2)
    me = specialist_for(world.a_sales, world.partner_a)
    enrolment = services.enrol(actor=world.a_sales, course=c, specialist=me)
    assert services.enrol(actor=world.a_sales, course=c, specialist=me) == enrolment  # enrolling twice: the same
    first, second = c.lessons.order_by("position")
    services.complete_lesson(actor=world.a_sales, enrolment=enrolment, lesson=first)
    services.complete_lesson(actor=world.a_sales, enrolment=enrolment, lesson=first)
    enrolment.refresh_from_db()
    assert enrolment.completed_at is None
    services.complete_lesson(actor=world.a_sales, enrolment=enrolment, lesson=second)
    enrolment.refresh_from_db()
    assert enrolment.completed_at is not None


def test_the_admin_enrols_staff_but_not_another_partners(world):
    c = course()
    mine = specialist_for(world.a_sales, world.partner_a)
    theirs = specialist_for(world.b_admin, world.partner_b)
    assert services.enrol(actor=world.a_admin, course=c, specialist=mine).specialist == mine
    with pytest.raises(Http404):
        services.enrol(actor=world.a_admin, course=c, specialist=theirs)


def _sit(user, spec, e, *, right=True):
    attempt = services.attempt_start(actor=user, exam=e, specialist=spec)
    return services.attempt_submit(actor=user, attempt=attempt, answers=answers(attempt, right=right))


def test_a_random_draw_from_the_bank(world):
    e = exam(questions=6, draw=3)
    spec = specialist_for(world.a_sales, world.partner_a)
    attempt = services.attempt_start(actor=world.a_sales, exam=e, specialist=spec)
    assert attempt.items.count() == 3
    assert set(attempt.items.values_list("question_id", flat=True)) <= set(e.questions.values_list("pk", flat=True))


def test_an_answer_after_the_deadline_or_a_second_one_is_refused(world):
    e = exam(cooldown_hours=0)
    spec = specialist_for(world.a_sales, world.partner_a)
    attempt = services.attempt_start(actor=world.a_sales, exam=e, specialist=spec)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(seconds=1))
    with pytest.raises(Conflict) as exc:
        services.attempt_submit(actor=world.a_sales, attempt=attempt, answers=answers(attempt))
    assert exc.value.code == "deadline_passed"
    assert not Certification.objects.filter(specialist=spec).exists()
    again = services.attempt_start(actor=world.a_sales, exam=e, specialist=spec)  # the late one closes as expired
    assert Attempt.objects.get(pk=attempt.pk).status == AttemptStatus.EXPIRED
    services.attempt_submit(actor=world.a_sales, attempt=again, answers=answers(again, right=False))
    with pytest.raises(Conflict) as exc:
        services.attempt_submit(actor=world.a_sales, attempt=again, answers=answers(again))
    assert exc.value.code == "already_submitted"
    assert Attempt.objects.get(pk=again.pk).status == AttemptStatus.FAILED
    assert Attempt.objects.filter(specialist=spec).count() == 2  # every attempt kept


def test_attempt_limit_and_cool_down(world):
    spec = specialist_for(world.a_sales, world.partner_a)
    paused = exam("paused", cooldown_hours=24, type_code="p")
    _sit(world.a_sales, spec, paused, right=False)
    with pytest.raises(Conflict) as exc:
        services.attempt_start(actor=world.a_sales, exam=paused, specialist=spec)
    assert exc.value.code == "attempt_refused"
    limited = exam("limited", cooldown_hours=0, max_attempts=2, type_code="l")
    _sit(world.a_sales, spec, limited, right=False)
    _sit(world.a_sales, spec, limited, right=False)
    with pytest.raises(Conflict):
        services.attempt_start(actor=world.a_sales, exam=limited, specialist=spec)


def test_only_the_specialist_sits_their_exam(world):
    e = exam()
    spec = specialist_for(world.a_sales, world.partner_a)
    with pytest.raises(PermissionDenied):
        services.attempt_start(actor=world.a_admin, exam=e, specialist=spec)


def test_passing_issues_a_verifiable_certificate(world, ui):
    e = exam()
    spec = specialist_for(world.a_sales, world.partner_a, "Иван Сертифицированный")
    attempt = _sit(world.a_sales, spec, e)
    assert attempt.status == AttemptStatus.PASSED and attempt.score == 100
    cert = Certification.objects.get(specialist=spec)
    assert (cert.level, cert.issued_on) == ("professional", timezone.localdate())
    assert cert.expires_on == timezone.localdate() + relativedelta(months=12)
    assert len(cert.verification_code) >= 32
    page = ui(None).get(f"/verify/{cert.verification_code}/")
    assert page.status_code == 200 and "Иван Сертифицированный" in page.content.decode()
    forged = ui(None).get(f"/verify/{cert.verification_code[:-2]}xx/")
    assert forged.status_code == 404 and "Иван" not in forged.content.decode()
    pdf = ui(world.a_admin).get(f"/certifications/{cert.pk}/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_recertification_runs_on_from_the_old_expiry(world):
    e = exam(cooldown_hours=0, recertify_days=400)
    spec = specialist_for(world.a_sales, world.partner_a)
    _sit(world.a_sales, spec, e)
    first = Certification.objects.get(specialist=spec)
    _sit(world.a_sales, spec, e)
    second = Certification.objects.exclude(pk=first.pk).get(specialist=spec)
    assert second.renews == first
    assert second.expires_on == first.expires_on + relativedelta(months=12)


def test_recertification_waits_for_its_window(world):
    e = exam(cooldown_hours=0, recertify_days=30)
    spec = specialist_for(world.a_sales, world.partner_a)
    _sit(world.a_sales, spec, e)
    with pytest.raises(Conflict):
        services.attempt_start(actor=world.a_sales, exam=e, specialist=spec)


def test_passing_the_exam_moves_the_partner_up_a_tier_at_once(world):
    programme = security_programme().programme
    today = timezone.localdate()
    enrolment = enrol_partner(actor=None, organisation=world.partner_a, programme=programme, role_code="reseller",
                              joined_on=date(2026, 1, 1), starting_tier_code="authorized", active=True)  # fmt: skip
    sell(world.partner_a, "600000", today)
    e = exam()
    spec = specialist_for(world.a_sales, world.partner_a)
    evaluate_programme(programme=programme, on=today)
    enrolment.refresh_from_db()
    assert enrolment.tier_code == "authorized"  # the sales are there, the certified engineer is not
    _sit(world.a_sales, spec, e)
    enrolment.refresh_from_db()
    assert enrolment.tier_code == "certified"  # no nightly run needed
    assert TierChange.objects.filter(enrolment=enrolment, to_tier_code="certified").exists()


def test_reminder_once_before_expiry_and_expiry_announced_once(world):
    e = exam()
    spec = specialist_for(world.a_sales, world.partner_a)
    _sit(world.a_sales, spec, e)
    cert = Certification.objects.get(specialist=spec)
    before = cert.expires_on - timedelta(days=10)
    assert services.sweep_certifications(on=before) == {"reminded": 1, "expired": 0}
    assert Notification.objects.filter(user=world.a_sales, kind="certification.expiring").count() == 1
    assert services.sweep_certifications(on=before) == {"reminded": 0, "expired": 0}
    assert services.sweep_certifications(on=cert.expires_on) == {"reminded": 0, "expired": 1}
    assert services.sweep_certifications(on=cert.expires_on) == {"reminded": 0, "expired": 0}


def test_a_revoked_certificate_stops_counting(world):
    e = exam()
    spec = specialist_for(world.a_sales, world.partner_a)
    _sit(world.a_sales, spec, e)
    cert = Certification.objects.get(specialist=spec)
    services.revoke(actor=world.vendor_admin, certification=cert, reason="exam fraud")
    cert.refresh_from_db()
    assert not cert.is_valid_on(timezone.localdate())
    with pytest.raises(Conflict):
        services.revoke(actor=world.vendor_admin, certification=cert, reason="again")


def test_api_course_to_certificate(world, api):
    c = course()
    e = exam()
    spec = specialist_for(world.a_sales, world.partner_a)
    client = api(world.a_sales)
    r = client.post(f"/enablement/courses/{c.pk}/enrolments", data={"specialist_id": spec.pk})
    assert r.status_code == 201
    enrolment_id = r.json()["id"]
    for lesson in c.lessons.all():
        r = client.post(f"/enablement/enrolments/{enrolment_id}/lessons/{lesson.pk}/complete")
        assert r.status_code == 200
    assert len(r.json()["done_lesson_ids"]) == 2
    r = client.post(f"/enablement/exams/{e.pk}/attempts", data={"specialist_id": spec.pk})
    assert r.status_code == 201
    body = r.json()
    assert all("is_correct" not in str(q) for q in body["questions"])
    attempt = Attempt.objects.get(pk=body["id"])
    payload = {"answers": [{"question_id": q, "choice_ids": cs} for q, cs in answers(attempt).items()]}
    r = client.post(f"/enablement/attempts/{attempt.pk}/submit", data=payload)
    assert r.status_code == 200 and r.json()["status"] == "passed" and r.json()["certification_id"]
    again = client.post(f"/enablement/attempts/{attempt.pk}/submit", data=payload)
    assert again.status_code == 409 and again.json()["code"] == "already_submitted"
    pdf = client.get(f"/enablement/certifications/{r.json()['certification_id']}/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    other = api(world.b_admin).get(f"/enablement/attempts/{attempt.pk}")
    assert other.status_code == 404


def test_learn_page_and_the_console(world, ui):
    c = course()
    exam()
    specialist_for(world.a_sales, world.partner_a)
    page = ui(world.a_sales).get("/learn/")
    assert page.status_code == 200 and c.title in page.content.decode()
    assert ui(world.vendor_admin).get("/enablement/courses/").status_code == 200
    assert ui(world.vendor_admin).get(f"/enablement/courses/{c.code}/").status_code == 200
    assert ui(world.vendor_admin).get("/enablement/exams/").status_code == 200
    assert ui(world.a_admin).get("/enablement/courses/").status_code in (403, 404)  # the vendor is not in its scope


def test_the_demo_ships_the_training_plan_and_the_exam(db):
    from partnerhub.enablement.demo import PLAN_CODE, load_demo_enablement
    from partnerhub.enablement.models import Course, CourseEnrolment, Exam
    from partnerhub.identity.demo import load_demo

    load_demo()
    assert load_demo_enablement() == 2
    assert load_demo_enablement() == 0  # idempotent
    plan = Course.objects.get(code=PLAN_CODE)
    titles = list(plan.lessons.values_list("title", flat=True))
    assert "Типовые возражения клиентов и ответы" in titles and plan.is_published
    exam = Exam.objects.get(code="security-engineer")
    assert exam.is_published and exam.questions.count() == 8
    assert CourseEnrolment.objects.filter(course=plan, specialist__user__email="engineer@alpha.demo").exists()


def test_an_expired_certificate_moves_the_tier_through_the_evaluation(world):
    """The daily job announces the expiry: the partner's downgrade is scheduled that day, the gap explained."""
    programme = security_programme().programme
    today = timezone.localdate()
    enrolment = enrol_partner(actor=None, organisation=world.partner_a, programme=programme, role_code="reseller",
                              joined_on=date(2026, 1, 1), starting_tier_code="authorized", active=True)  # fmt: skip
    sell(world.partner_a, "600000", today)
    spec = specialist_for(world.a_sales, world.partner_a)
    _sit(world.a_sales, spec, exam())
    cert = Certification.objects.get(specialist=spec)
    Certification.objects.filter(pk=cert.pk).update(issued_on=today - timedelta(days=400),
                                                    expires_on=today)  # fmt: skip
    assert services.sweep_certifications(on=today)["expired"] == 1
    enrolment.refresh_from_db()
    assert enrolment.downgrade_due_on is not None  # the programme's grace period runs
    assert "staff" in str(enrolment.explanation)


def test_the_daily_job_closes_attempts_whose_time_ran_out(world):
    from partnerhub.enablement.tasks import sweep_certifications_daily

    spec = specialist_for(world.a_sales, world.partner_a)
    attempt = services.attempt_start(actor=world.a_sales, exam=exam(), specialist=spec)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    assert sweep_certifications_daily()["attempts_closed"] == 1
    assert sweep_certifications_daily()["attempts_closed"] == 0
    assert Attempt.objects.get(pk=attempt.pk).status == AttemptStatus.EXPIRED


def test_through_the_pages_a_specialist_learns_passes_and_verifies(world, ui):
    c = course()
    e = exam()
    spec = specialist_for(world.a_sales, world.partner_a, "Пётр Страничкин")
    client = ui(world.a_sales)
    assert client.post(f"/learn/courses/{c.code}/enrol/").status_code == 302
    enrolment = spec.enrolments.get()
    for lesson in c.lessons.all():
        assert client.get(f"/learn/enrolments/{enrolment.pk}/lessons/{lesson.pk}/").status_code == 200
        assert client.post(f"/learn/enrolments/{enrolment.pk}/lessons/{lesson.pk}/").status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.completed_at is not None
    r = client.post(f"/learn/exams/{e.code}/start/")
    attempt = Attempt.objects.get(specialist=spec)
    assert r["Location"] == f"/learn/attempts/{attempt.pk}/"
    page = client.get(r["Location"]).content.decode()
    assert "Q0" in page or "Q1" in page
    form = {f"q{q}": cs for q, cs in answers(attempt).items()}
    assert client.post(r["Location"], form).status_code == 302
    cert = Certification.objects.get(specialist=spec)
    done = client.get(r["Location"]).content.decode()
    assert f"/verify/{cert.verification_code}/" in done
    assert "Пётр Страничкин" in ui(None).get(f"/verify/{cert.verification_code}/").content.decode()
    assert client.post(r["Location"], form).status_code == 302  # a second submission is refused, nothing changes
    assert Certification.objects.filter(specialist=spec).count() == 1
    admin_view = ui(world.a_admin).get(f"/specialists/{spec.pk}/").content.decode()
    assert e.title in admin_view and "Passed" in admin_view and c.title in admin_view


def test_api_handout_is_checked(world, api):
    c = course(lessons=1)
    lesson = c.lessons.get()
    client = api(world.vendor_admin)
    bad = SimpleUploadedFile("notes.pdf", b"MZ\x90\x00 an executable")
    r = client.post(f"/enablement/lessons/{lesson.pk}/file", FormData({}, file=bad))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "file"
    lesson.refresh_from_db()
    assert not lesson.file
    good = SimpleUploadedFile("notes.pdf", b"%PDF-1.4\n%%EOF\n")
    r = client.post(f"/enablement/lessons/{lesson.pk}/file", FormData({}, file=good))
    assert r.status_code == 200 and r.json()["file_url"].endswith(".pdf")
    again = SimpleUploadedFile("notes.pdf", b"%PDF-1.4\n%%EOF\n")
    other = api(world.a_admin).post(f"/enablement/lessons/{lesson.pk}/file", FormData({}, file=again))
    assert other.status_code in (403, 404)


def test_the_holder_and_admins_hear_of_a_new_certificate(world):
    from partnerhub.identity.models import Membership

    admins = set(
        Membership.objects.filter(organisation=world.partner_a, role="partner_admin").values_list("user", flat=True)
    )
    spec = specialist_for(world.a_sales, world.partner_a)
    _sit(world.a_sales, spec, exam())
    told = set(Notification.objects.filter(kind="certification.issued").values_list("user", flat=True))
    assert told == {world.a_sales.pk} | admins


def test_an_issued_certificate_goes_to_the_partners_webhooks_only(world):
    from partnerhub.webhooks import services as webhooks
    from partnerhub.webhooks.models import WebhookDelivery

    for admin, org in ((world.a_admin, world.partner_a), (world.b_admin, world.partner_b)):
        webhooks.endpoint_create(actor=admin, organisation=org, url=f"https://hooks.{org.pk}.example/in",
                                 event_types=["certification.issued"])  # fmt: skip
    spec = specialist_for(world.a_sales, world.partner_a)
    _sit(world.a_sales, spec, exam())
    [delivery] = WebhookDelivery.objects.filter(event_type="certification.issued")
    assert delivery.endpoint.organisation == world.partner_a


def test_drafts_are_the_vendors_and_lists_stay_in_the_tenant(world, api):
    draft = course("draft-course", published=False)
    assert api(world.a_admin).get(f"/enablement/courses/{draft.pk}").status_code == 404
    assert api(world.vendor_admin).get(f"/enablement/courses/{draft.pk}").status_code == 200
    assert api(world.a_admin).patch(f"/enablement/courses/{draft.pk}", {"title": "Mine"}).status_code == 404
    published = course("open-course")
    assert api(world.a_admin).patch(f"/enablement/courses/{published.pk}", {"title": "Mine"}).status_code in (403, 404)
    e = exam()
    a_spec = specialist_for(world.a_sales, world.partner_a)
    b_spec = specialist_for(world.b_admin, world.partner_b)
    services.enrol(actor=world.b_admin, course=published, specialist=b_spec)
    _sit(world.a_sales, a_spec, e)
    _sit(world.b_admin, b_spec, e)
    client = api(world.a_admin)
    for path in ("/enablement/attempts", "/enablement/enrolments", "/enablement/certifications"):
        items = client.get(f"{path}?page_size=100").json()["items"]
        assert all(item["specialist_id"] == a_spec.pk for item in items), path
    assert client.get(f"/enablement/attempts?organisation_id={world.partner_b.pk}").status_code == 404
