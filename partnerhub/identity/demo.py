"""Demo organisations and one user per role. Idempotent: a second run changes nothing."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from . import services
from .models import Membership, Organisation, User
from .roles import OrgKind, Role
from .validators import inn_check_digits, ogrn_check_digit

DEMO_PASSWORD = "Partnerhub-demo-2026"


def company_ids(inn_prefix: str, kpp: str, ogrn_prefix: str) -> dict[str, str]:
    """A valid INN/KPP/OGRN triple from a 9-digit INN prefix and a 12-digit OGRN prefix."""
    return {
        "inn": inn_prefix + inn_check_digits(inn_prefix),
        "kpp": kpp,
        "ogrn": ogrn_prefix + ogrn_check_digit(ogrn_prefix),
    }


@dataclass(frozen=True)
class DemoOrg:
    key: str
    kind: str
    name: str
    legal_name: str
    region: str
    city: str
    website: str
    ids: dict[str, str]
    users: tuple[tuple[str, str, str], ...]  # (email, full name, role)


DEMO_ORGS: tuple[DemoOrg, ...] = (
    DemoOrg(
        "vendor",
        OrgKind.VENDOR,
        "Облако Плюс",
        "ООО «Облако Плюс»",
        "Москва",
        "Москва",
        "https://oblako-plus.example",
        company_ids("770100001", "770101001", "102770000001"),
        (
            ("admin@vendor.demo", "Анна Администраторова", Role.VENDOR_ADMIN),
            ("bdm@vendor.demo", "Борис Менеджеров", Role.PARTNER_MANAGER),
            ("bdm2@vendor.demo", "Вера Каналова", Role.PARTNER_MANAGER),
            ("finance@vendor.demo", "Галина Финансова", Role.FINANCE),
            ("moderator@vendor.demo", "Дмитрий Модераторов", Role.MODERATOR),
        ),
    ),
    DemoOrg(
        "alpha",
        OrgKind.PARTNER,
        "Альфа Интеграция",
        "ООО «Альфа Интеграция»",
        "Москва",
        "Москва",
        "https://alpha-integration.example",
        company_ids("771500002", "771501001", "115774600002"),
        (
            ("admin@alpha.demo", "Евгений Альфин", Role.PARTNER_ADMIN),
            ("sales@alpha.demo", "Жанна Продажина", Role.SALES),
            ("engineer@alpha.demo", "Захар Инженеров", Role.ENGINEER),
        ),
    ),
    DemoOrg(
        "beta",
        OrgKind.PARTNER,
        "Бета Софт",
        "АО «Бета Софт»",
        "Санкт-Петербург",
        "Санкт-Петербург",
        "https://beta-soft.example",
        company_ids("780100003", "780101001", "117784700003"),
        (("admin@beta.demo", "Ирина Бетова", Role.PARTNER_ADMIN), ("sales@beta.demo", "Кирилл Сейлзов", Role.SALES)),
    ),
    DemoOrg(
        "gamma",
        OrgKind.PARTNER,
        "Гамма Сервис",
        "ООО «Гамма Сервис»",
        "Новосибирская область",
        "Новосибирск",
        "https://gamma-service.example",
        company_ids("540600004", "540601001", "119547600004"),
        (("admin@gamma.demo", "Лев Гаммов", Role.PARTNER_ADMIN),),
    ),
    DemoOrg(
        "delta",
        OrgKind.PARTNER,
        "Дельта Дистрибуция",
        "ООО «Дельта Дистрибуция»",
        "Свердловская область",
        "Екатеринбург",
        "https://delta-distribution.example",
        company_ids("667100005", "667101001", "120660000005"),
        (("admin@delta.demo", "Мария Дельтова", Role.PARTNER_ADMIN),),
    ),
    DemoOrg(
        "customer",
        OrgKind.CUSTOMER,
        "Северный Банк",
        "ПАО «Северный Банк»",
        "Республика Татарстан",
        "Казань",
        "https://severny-bank.example",
        company_ids("165500006", "165501001", "102160000006"),
        (
            ("admin@customer.demo", "Никита Заказчиков", Role.CUSTOMER_ADMIN),
            ("member@customer.demo", "Ольга Пользователева", Role.CUSTOMER_MEMBER),
        ),
    ),
)

# Which BDM manages which partner.
MANAGERS = {"alpha": "bdm@vendor.demo", "beta": "bdm@vendor.demo", "gamma": "bdm2@vendor.demo"}


@transaction.atomic
def load_demo() -> list[tuple[str, str, str]]:
    """Create what is missing; return (e-mail, role, organisation) of every demo login."""
    logins: list[tuple[str, str, str]] = []
    orgs: dict[str, Organisation] = {}
    for spec in DEMO_ORGS:
        org = Organisation.objects.filter(inn=spec.ids["inn"], kpp=spec.ids["kpp"]).first()
        if org is None:
            org = services.organisation_create(
                actor=None, kind=spec.kind, name=spec.name, legal_name=spec.legal_name, region=spec.region,
                city=spec.city, website=spec.website, **spec.ids,
            )  # fmt: skip
        orgs[spec.key] = org
        for email, full_name, role in spec.users:
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(email, DEMO_PASSWORD, full_name=full_name)
            if not Membership.objects.filter(user=user, organisation=org).exists():
                services.membership_add(actor=None, organisation=org, user=user, role=role)
            logins.append((email, Role(role).label, org.name))
    vendor_admin = User.objects.get(email=DEMO_ORGS[0].users[0][0])
    for key, email in MANAGERS.items():
        org = orgs[key]
        if org.partner_manager_id is None:
            services.organisation_update(
                actor=vendor_admin, organisation=org, partner_manager=User.objects.get(email=email)
            )
    return logins
