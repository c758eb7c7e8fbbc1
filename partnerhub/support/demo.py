"""Demo support requests (called by ``load_demo``; idempotent): Альфа Интеграция has a technical request
answered within its tier's target and resolved, and a pre-sale request awaiting the vendor; Бета Софт asks for
help with documents."""

from __future__ import annotations

from partnerhub.identity.models import Organisation, User

from . import services
from .models import SupportRequest


def load_demo_support() -> int:
    alpha = Organisation.objects.filter(name="Альфа Интеграция").first()
    beta = Organisation.objects.filter(name="Бета Софт").first()
    engineer = User.objects.filter(email="engineer@alpha.demo").first()
    sales = User.objects.filter(email="sales@alpha.demo").first()
    beta_admin = User.objects.filter(email="admin@beta.demo").first()
    bdm = User.objects.filter(email="bdm@vendor.demo").first()
    if (
        not all((alpha, beta, engineer, sales, beta_admin, bdm))
        or SupportRequest.objects.filter(organisation=alpha).exists()
    ):
        return 0
    tunnel = services.open_request(
        actor=engineer, organisation=alpha, kind=SupportRequest.Kind.TECHNICAL,
        subject="Не поднимается IPsec-туннель после обновления",
        body="После обновления до версии 8.1 туннель с филиалом не поднимается. Журнал приложен к следующему письму.",
    )  # fmt: skip
    services.reply(actor=bdm, request=tunnel, body="Проверьте параметры фазы 2: в 8.1 изменился набор шифров "
                   "по умолчанию. Пришлите конфигурацию, если не поможет.", waiting_for_partner=True)  # fmt: skip
    services.reply(actor=engineer, request=tunnel, body="Помогло, спасибо!")
    services.set_status(actor=bdm, request=tunnel, status=SupportRequest.Status.RESOLVED)
    services.close(actor=engineer, request=tunnel, rating=5, comment="Быстро и по делу")
    services.open_request(
        actor=sales, organisation=alpha, kind=SupportRequest.Kind.PRESALE_COMPARISON,
        subject="Сравнение с конкурентом для тендера",
        body="Заказчик сравнивает нас с другим решением, нужна таблица сравнения по функциям до пятницы.",
    )  # fmt: skip
    services.open_request(
        actor=beta_admin, organisation=beta, kind=SupportRequest.Kind.DOCUMENTS,
        subject="Как оформить лицензионный договор с бюджетным заказчиком",
        body="Заказчик требует договор по 44-ФЗ, подскажите формулировки по лицензиям.",
    )  # fmt: skip
    return 3
