"""Demo development funds (called by ``load_demo``; idempotent): Альфа Интеграция holds this quarter's MDF
budget with an approved activity awaiting its claim and another whose claim awaits the vendor's decision."""

from __future__ import annotations

from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from partnerhub.identity.models import Organisation, User

from . import services
from .models import Budget

NOTE = "Демо: фонд развития рынка на квартал"
PROOF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def load_demo_funds() -> Budget | None:
    alpha = Organisation.objects.filter(name="Альфа Интеграция").first()
    finance = User.objects.filter(email="finance@vendor.demo").first()
    partner = User.objects.filter(email="admin@alpha.demo").first()
    if alpha is None or finance is None or partner is None:
        return None
    existing = Budget.objects.filter(organisation=alpha, note=NOTE, status=Budget.Status.OPEN).first()
    if existing is not None:
        return existing
    budget = services.grant_by_hand(
        actor=finance,
        organisation_id=alpha.pk,
        kind="mdf",
        currency="RUB",
        period_kind="quarter",
        period_start=timezone.localdate(),
        amount=Decimal("500000"),
        note=NOTE,
    )
    day = budget.period_start
    webinar = services.submit_request(
        actor=partner,
        budget=budget,
        kind="webinar",
        title="Вебинар для заказчиков",
        description="Обзор новой версии продукта для заказчиков из ЦФО.",
        starts_on=day,
        ends_on=day,
        planned_cost=Decimal("120000"),
    )
    services.approve_request(actor=finance, request=webinar, reason="Согласовано")
    event = services.submit_request(
        actor=partner,
        budget=budget,
        kind="event",
        title="Партнёрская конференция",
        description="Стенд и доклад на региональной конференции.",
        starts_on=day,
        ends_on=day,
        planned_cost=Decimal("200000"),
    )
    services.approve_request(actor=finance, request=event)
    services.submit_claim(
        actor=partner,
        request=event,
        actual_cost=Decimal("185000"),
        note="Счета и фотографии стенда приложены.",
        files=[SimpleUploadedFile("otchet.pdf", PROOF, content_type="application/pdf")],
    )
    return budget
