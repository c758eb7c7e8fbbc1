"""Demo training: the ready training plan of a partner's staff (seed 004) as a published course, a
technical course, and the certification exam whose certificate the security programme's tiers ask for.

Idempotent: nothing is created when the demo course exists. Runs after the demo organisations (it lists
Alpha's engineer as a specialist with his own account, enrolled in the plan, so he can sit the exam).
"""

from __future__ import annotations

from django.db import transaction

from partnerhub.identity.models import Organisation, User

from . import services
from .models import CertificationType, Course, Specialist

PLAN_CODE = "partner-training-plan"

PLAN_LESSONS = [
    (
        "Что должны знать сотрудники",
        "text",
        """
<p>Цель плана — чтобы сотрудники партнёра могли продавать наши продукты и отвечать на вопросы клиентов
без предварительной консультации с вендором, а предложение наших решений вошло в стандартный набор
предложений партнёра.</p>
<ul><li>Линейка продуктов: программное обеспечение, программно-аппаратные комплексы, оборудование, продления.</li>
<li>Кому продавать: целевые отрасли и регионы, типичный заказчик и его задачи.</li>
<li>Условия программы: статусы Authorized, Certified, Privileged, требования и вознаграждение по статусам.</li>
<li>Регистрация сделок: зачем регистрировать, сколько длится защита, что считается конфликтом.</li></ul>""",
    ),
    (
        "Как продавать наши продукты и услуги",
        "text",
        """
<ol><li>Квалификация: задача заказчика, бюджет, сроки, кто принимает решение.</li>
<li>Регистрация сделки на портале сразу после квалификации — до коммерческого предложения.</li>
<li>Демонстрация и пилот: демо-стенд вендора, помощь пресейла вендора в сложных проектах.</li>
<li>Коммерческое предложение по прайс-листу партнёра; скидки — через запрос на портале.</li>
<li>Закрытие сделки и продление лицензий: напоминания о продлениях приходят заранее.</li></ol>""",
    ),
    (
        "Типовые материалы",
        "text",
        """
<p>Всё в электронном виде в библиотеке материалов портала:</p>
<ul><li>презентации продуктов и партнёрской программы;</li><li>прайс-листы и прайс-листы на продления;</li>
<li>бренд-альбом, логотипы официального партнёра, правила использования товарных знаков;</li>
<li>типовые коммерческие предложения и кейсы внедрений;</li><li>баннеры и пакет для запуска продаж.</li></ul>""",
    ),
    (
        "Типовые возражения клиентов и ответы",
        "text",
        """
<dl><dt>«Это слишком сложно внедрить»</dt><dd>Покажите демо-стенд и план внедрения по шагам; предложите пилот
с участием инженера вендора.</dd>
<dt>«У конкурента дешевле»</dt><dd>Сравните полную стоимость владения: поддержка, продления, обучение;
запросите у вендора конкурентное сравнение.</dd>
<dt>«Нам некогда разбираться»</dt><dd>Предложите внедрение под ключ силами сертифицированных специалистов
партнёра.</dd>
<dt>«А если вы уйдёте с рынка?»</dt><dd>Расскажите о сети партнёров в регионах и технической поддержке
вендора.</dd></dl>
<p>Если сотрудники не хотят продавать — выясните причину: мотивацию решайте с руководителем партнёра,
сложность — обучением и показом того, как просто продавать наши продукты.</p>""",
    ),
    (
        "Практика: разбор возражений",
        "lab",
        """
<ol><li>Разбейтесь на пары: «продавец» и «заказчик».</li>
<li>«Заказчик» выбирает два возражения из предыдущего урока, «продавец» отвечает.</li>
<li>Поменяйтесь ролями, затем запишите лучшие ответы и пришлите их менеджеру по работе с партнёрами.</li></ol>""",
    ),
]

DEPLOY_LESSONS = [
    ("Архитектура решения", "text", "<p>Компоненты, схемы размещения, требования к оборудованию и сети.</p>"),
    ("Установка и первичная настройка", "video", "<p>Запись вебинара инженеров вендора.</p>"),
    ("Лабораторная работа: развёртывание на стенде", "lab",
     "<ol><li>Разверните решение на демо-стенде.</li><li>Настройте политику по шаблону.</li>"
     "<li>Проверьте журнал событий и пришлите снимок экрана.</li></ol>"),
]  # fmt: skip

QUESTIONS = [
    ("Сколько сертифицированных технических специалистов нужно для статуса Certified?", "single",
     [("0", False), ("1", True), ("3", False)]),
    ("Какое вознаграждение за продажу ПО у статуса Privileged?", "single",
     [("25%", False), ("30%", False), ("35%", True)]),
    ("Когда регистрировать сделку?", "single",
     [("Сразу после квалификации, до коммерческого предложения", True), ("После подписания договора", False)]),
    ("Что входит в типовые материалы партнёра?", "multiple",
     [("Презентации продуктов", True), ("Бренд-альбом и логотипы", True), ("Исходный код продукта", False),
      ("Типовые коммерческие предложения", True)]),
    ("Заказчик говорит «это слишком сложно внедрить». Что предложить?", "single",
     [("Скидку", False), ("Демо-стенд и пилот с инженером вендора", True), ("Отложить разговор", False)]),
    ("Что даёт статус Privileged?", "multiple",
     [("Отсрочку платежа 30 дней", True), ("Выделенного менеджера", True), ("Бесплатные лицензии без ограничений",
                                                                            False)]),
    ("Почему сотрудники партнёра могут не хотеть продавать продукт?", "multiple",
     [("Им не доплачивают за эти продажи", True), ("Продукт кажется сложным", True), ("Из-за цвета логотипа", False)]),
    ("Где проверить подлинность сертификата специалиста?", "single",
     [("На публичной странице проверки по коду сертификата", True), ("Только по телефону вендора", False)]),
]  # fmt: skip


@transaction.atomic
def load_demo_enablement() -> int:
    if Course.objects.filter(code=PLAN_CODE).exists():
        return 0
    plan = services.course_create(
        actor=None, code=PLAN_CODE, title="План обучения сотрудников партнёра", track="sales", is_published=True,
        summary="Что должны знать сотрудники, как продавать, типовые материалы, типовые возражения и ответы.",
    )  # fmt: skip
    for title, kind, body in PLAN_LESSONS:
        services.lesson_add(actor=None, course=plan, title=title, kind=kind, body=body.strip())
    deploy = services.course_create(actor=None, code="security-deploy", title="Внедрение: установка и настройка",
                                    track="deploy", product="Защита периметра", is_published=True)  # fmt: skip
    for title, kind, body in DEPLOY_LESSONS:
        url = "https://video.example.com/partner-webinars/deploy-basics" if kind == "video" else ""
        services.lesson_add(actor=None, course=deploy, title=title, kind=kind, body=body, video_url=url)
    ctype, _ = CertificationType.objects.get_or_create(code="security-engineer",
                                                       defaults={"name": "Инженер по безопасности"})  # fmt: skip
    if not ctype.validity_months:
        ctype.validity_months = 24
        ctype.save(update_fields=["validity_months"])
    exam = services.exam_create(
        actor=None, code="security-engineer", title="Сертификация: инженер по безопасности", course=deploy,
        certification_type_code=ctype.code, level="professional", question_count=5, time_limit_minutes=20,
        passing_score=70, max_attempts=3, cooldown_hours=24, is_published=False,
    )  # fmt: skip
    for text, kind, choices in QUESTIONS:
        services.question_add(actor=None, exam=exam, text=text, kind=kind,
                              choices=[{"text": t, "correct": c} for t, c in choices])  # fmt: skip
    exam.is_published = True
    exam.save(update_fields=["is_published"])
    alpha = Organisation.objects.filter(kind="partner", name="Альфа Интеграция").first()
    engineer = User.objects.filter(email="engineer@alpha.demo").first()
    if alpha is not None and engineer is not None:
        spec = Specialist.objects.filter(organisation=alpha, user=engineer).first() or Specialist.objects.create(
            organisation=alpha, user=engineer, full_name=engineer.get_full_name() or engineer.email,
            email=engineer.email, position="Инженер",
        )  # fmt: skip
        services.enrol(actor=engineer, course=plan, specialist=spec)
    return 2
