"""Demo events: an upcoming webinar counting toward the deploy course, an on-site seminar, a past webinar with
its recording. Idempotent: nothing is created when the demo webinar exists. Runs after the demo training."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from . import services
from .models import Course, Event, Specialist

WEBINAR = "Вебинар: что нового в защите периметра"


@transaction.atomic
def load_demo_events() -> int:
    if Event.objects.filter(title=WEBINAR).exists():
        return 0
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    deploy = Course.objects.filter(code="security-deploy").first()
    lesson = deploy.lessons.filter(kind="video").first() if deploy else None
    webinar = services.event_create(
        actor=None, title=WEBINAR, kind="webinar", format="online", language="ru",
        starts_at=now + timedelta(days=7), ends_at=now + timedelta(days=7, hours=1), timezone="Europe/Moscow",
        join_url="https://meet.example.com/partner-webinar-perimeter", capacity=100,
        lesson_id=lesson.pk if lesson else None, is_published=True,
        description="Новые возможности продукта, типовые сценарии внедрения и ответы на вопросы партнёров.",
    )  # fmt: skip
    services.event_create(
        actor=None, title="Семинар для инженеров партнёров", kind="seminar", format="onsite", language="ru",
        starts_at=now + timedelta(days=21), ends_at=now + timedelta(days=21, hours=6), timezone="Europe/Moscow",
        address="Москва, ул. Льва Толстого, 16, конференц-зал", capacity=30, is_published=True,
        description="Практика: установка, настройка и диагностика на стенде вендора.",
    )  # fmt: skip
    past = services.event_create(
        actor=None, title="Partner webinar: licensing basics", kind="webinar", format="online", language="en",
        starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=1, hours=1), timezone="Europe/Moscow",
        join_url="https://meet.example.com/licensing-basics", is_published=True,
    )  # fmt: skip
    start = now - timedelta(days=14)
    recording = "https://video.example.com/partner-webinars/licensing"
    Event.objects.filter(pk=past.pk).update(
        starts_at=start, ends_at=start + timedelta(hours=1), recording_url=recording
    )
    engineer = Specialist.objects.filter(email="engineer@alpha.demo", user__isnull=False).select_related("user").first()
    if engineer is not None:
        services.register(actor=engineer.user, event=webinar, specialist=engineer)
    return 3
