from django.urls import path

from . import views, views_console, views_events, views_training

urlpatterns = [
    path("specialists/", views.my_specialists, name="my-specialists"),
    path("organisations/<int:org_id>/specialists/", views.specialist_list, name="specialist-list"),
    path("specialists/<int:specialist_id>/", views.specialist_detail, name="specialist-detail"),
    path("specialists/<int:specialist_id>/toggle/", views.specialist_toggle, name="specialist-toggle"),
    path("certifications/<int:certification_id>/remove/", views.certification_remove, name="certification-remove"),
    # Training and exams (partner side); courses and exams are the vendor's catalogue, addressed by code.
    path("learn/", views_training.learn, name="learn"),
    path("learn/courses/<slug:code>/", views_training.course_page, name="learn-course"),
    path("learn/courses/<slug:code>/enrol/", views_training.course_enrol, name="learn-enrol"),
    path(
        "learn/enrolments/<int:enrolment_id>/lessons/<int:lesson_id>/", views_training.lesson_page, name="learn-lesson"
    ),
    path("learn/exams/<slug:code>/start/", views_training.exam_start, name="learn-exam-start"),
    path("learn/attempts/<int:attempt_id>/", views_training.attempt_page, name="learn-attempt"),
    path("certifications/<int:certification_id>/pdf/", views_training.certificate_pdf, name="certificate-pdf"),
    path("verify/<str:code>/", views_training.verify, name="certificate-verify"),
    path("learn/events/", views_events.events_page, name="learn-events"),
    path("learn/events/calendar.ics", views_events.registrations_ics, name="learn-events-ics"),
    path("learn/events/<int:event_id>/", views_events.event_page, name="learn-event"),
    path("learn/events/<int:event_id>/ics/", views_events.event_ics, name="learn-event-ics"),
    path(
        "learn/event-registrations/<int:registration_id>/cancel/",
        views_events.registration_cancel,
        name="learn-event-registration-cancel",
    ),
    # The vendor's console.
    path("enablement/events/", views_events.event_console, name="event-console"),
    path("enablement/events/<int:event_id>/", views_events.event_edit, name="event-edit"),
    path(
        "enablement/event-registrations/<int:registration_id>/attendance/",
        views_events.attendance,
        name="event-attendance",
    ),
    path("enablement/courses/", views_console.course_console, name="course-console"),
    path("enablement/courses/<slug:code>/", views_console.course_edit, name="course-edit"),
    path("enablement/exams/", views_console.exam_console, name="exam-console"),
    path("enablement/exams/<slug:code>/", views_console.exam_edit, name="exam-edit"),
    path(
        "certifications/<int:certification_id>/revoke/", views_console.certification_revoke, name="certification-revoke"
    ),
]
