"""A specialist learns, passes the certification exam and the certificate verifies, in a real browser."""

import pytest

from partnerhub.enablement.models import Attempt, Certification

from .enablement_builders import answers, course, exam, specialist_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_specialist_takes_the_course_passes_and_the_certificate_verifies(world, open_as, new_page):
    c = course()
    e = exam()
    spec = specialist_for(world.a_sales, world.partner_a, "Browser Learner")
    page = open_as(world.a_sales)
    page.on("dialog", lambda dialog: dialog.accept())  # "the time limit starts now", "submit once"
    page.goto("/learn/")
    page.get_by_role("link", name=c.title).click()
    page.get_by_role("button", name="Enrol").first.click()
    for n in (1, 2):
        page.get_by_role("link", name=f"Lesson {n}").click()
        page.get_by_role("button", name="Mark as completed").click()
    assert "Course completed." in page.content()
    page.goto("/learn/")
    page.locator(f"form[action='/learn/exams/{e.code}/start/'] button").click()
    page.wait_for_url("**/learn/attempts/*/")
    attempt = Attempt.objects.get(specialist=spec)
    for question_id, (choice_id,) in answers(attempt).items():
        page.locator(f"input[name=q{question_id}][value='{choice_id}']").check()
    page.get_by_role("button", name="Submit answers").click()
    page.get_by_text("Certificate issued.").wait_for()
    cert = Certification.objects.get(specialist=spec)
    visitor = new_page()
    visitor.goto(f"/verify/{cert.verification_code}/")
    assert "Browser Learner" in visitor.content() and "Valid" in visitor.content()
    visitor.goto(f"/verify/{cert.verification_code[::-1]}/")
    assert "Certificate not found" in visitor.content()
