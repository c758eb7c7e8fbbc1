"""Marketplace demo data: two storefronts, three admitted software vendors and listings in every charge model.

Idempotent: storefronts are saved by code, a vendor already admitted is not assessed again, and a vendor
that has listings gets no more. Called by ``load_demo`` after the programmes and partners are loaded.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from partnerhub.identity import services as identity
from partnerhub.identity.demo import DEMO_PASSWORD, company_ids
from partnerhub.identity.models import Membership, Organisation, User
from partnerhub.identity.roles import OrgKind, Role

from . import services
from .demo_orders import load_demo_orders
from .models import Listing, VendorApplication
from .provisioning.sample_service import SampleService
from .services.admission import ensure_default_criteria

STOREFRONTS = [
    {"code": "ru", "name": "Маркетплейс Облако Плюс — Россия", "language": "ru", "currency": "RUB", "country": "RU",
     "vat_rate": Decimal("20"), "legal_entity": "ООО «Облако Плюс»"},
    {"code": "kz", "name": "Oblako Plus Marketplace — Kazakhstan", "language": "en", "currency": "KZT",
     "country": "KZ", "vat_rate": Decimal("12"), "legal_entity": "TOO «Oblako Plus Kazakhstan»"},
]  # fmt: skip


def _p(rub: str, kzt: str) -> list[dict]:
    return [{"currency": "RUB", "amount": rub}, {"currency": "KZT", "amount": kzt}]


def _t(rub: list[tuple], kzt: list[tuple]) -> list[dict]:
    def tiers(rows):
        return [{"up_to": up_to, "unit": unit} for up_to, unit in rows]

    return [{"currency": "RUB", "tiers": tiers(rub)}, {"currency": "KZT", "tiers": tiers(kzt)}]


def _spec(**fields) -> dict:
    return fields


def _texts(ru: tuple[str, str, str], en: tuple[str, str, str]) -> dict:
    keys = ("name", "short_description", "long_description")
    return {"ru": dict(zip(keys, ru, strict=True)), "en": dict(zip(keys, en, strict=True))}


SEATS = {"code": "seats", "name_ru": "Пользователи", "name_en": "Users", "unit": "user"}
GB = {"code": "storage", "name_ru": "Хранилище", "name_en": "Storage", "unit": "GB"}
CALLS = {"code": "calls", "name_ru": "Вызовы API", "name_en": "API calls", "unit": "1000 calls"}

# The demo's vendor-API listings are checked against the sample vendor service shipped in the repo
# (partnerhub/marketplace/provisioning/sample_service.py), started for the check on a free loopback port.
SAMPLE_TOKEN = "sample-token"
SAMPLE_API = {"mode": "api"}

# vendor name -> its listings (texts, category, industries, resources, plans, provisioning, live?)
LISTINGS = {
    "Дельта Дистрибуция": [
        _spec(texts=_texts(("Облачная CRM", "CRM для розничных сетей", "Клиенты, сделки и лояльность в одном окне."),
                          ("Cloud CRM", "CRM for retail chains", "Customers, deals and loyalty in one place.")),
             category="crm", industries=["retail", "finance"], resources=[SEATS], plans=[
                 {"code": "trial", "name_ru": "Пробный", "name_en": "Trial", "trial_days": 14},
                 {"code": "standard", "name_ru": "Стандарт", "name_en": "Standard", "charges": [
                     {"model": "flat", "prices": _p("990", "4900")},
                     {"model": "per_unit", "resource": "seats", "prices": _p("500", "2500")}]},
                 {"code": "annual", "name_ru": "Годовой", "name_en": "Annual", "billing_period": "annual",
                  "charges": [{"model": "volume", "resource": "seats", "prices": _t(
                      [(50, "5000"), (None, "4200")], [(50, "25000"), (None, "21000")])}]},
             ], provisioning=SAMPLE_API, live=True),
        _spec(texts=_texts(("Резервное копирование", "Бэкапы серверов в облако", "Копии по расписанию, шифрование."),
                          ("Cloud Backup", "Server backups to the cloud", "Scheduled, encrypted copies.")),
             category="infrastructure", industries=["it"], resources=[GB], plans=[
                 {"code": "storage", "name_ru": "Хранилище", "name_en": "Storage", "charges": [
                     {"model": "setup", "prices": _p("3000", "15000")},
                     {"model": "graduated", "resource": "storage", "prices": _t(
                         [(100, "12"), (1000, "9"), (None, "6")], [(100, "60"), (1000, "45"), (None, "30")])}]},
                 {"code": "packs", "name_ru": "Пакеты по 500 ГБ", "name_en": "500 GB packs", "charges": [
                     {"model": "package", "resource": "storage", "block_size": 500, "prices": _p("4000", "20000")}]},
             ], provisioning=SAMPLE_API, live=True),
    ],
    "Эпсилон Облако": [
        _spec(texts=_texts(("API-шлюз", "Публикация и защита API", "Лимиты, ключи и аналитика вызовов."),
                          ("API Gateway", "Publish and protect APIs", "Rate limits, keys and call analytics.")),
             category="devtools", industries=["it", "finance"], resources=[CALLS], plans=[
                 {"code": "trial", "name_ru": "Пробный", "name_en": "Trial", "trial_days": 30},
                 {"code": "payg", "name_ru": "По потреблению", "name_en": "Pay as you go", "charges": [
                     {"model": "setup", "prices": _p("10000", "50000")},
                     {"model": "payg", "resource": "calls", "prices": _p("1.50", "7.50")}]},
             ], provisioning={"mode": "manual", "email": "provisioning@epsilon-cloud.example"}, live=True),
        _spec(texts=_texts(("Защита почты", "Фильтр спама и фишинга", "Проверка вложений в песочнице."),
                          ("Mail Security", "Spam and phishing filter", "Attachments checked in a sandbox.")),
             category="security", industries=["public", "finance"], resources=[SEATS], plans=[
                 {"code": "standard", "name_ru": "Стандарт", "name_en": "Standard", "charges": [
                     {"model": "per_unit", "resource": "seats", "prices": _p("150", "750")}]},
             ], provisioning={"mode": "manual", "email": "provisioning@epsilon-cloud.example"}, live=False),
    ],
    "Зета Аналитика": [
        _spec(texts=_texts(("Аналитика продаж", "BI для розницы и производства", "Готовые панели и прогнозы."),
                          ("Sales Analytics", "BI for retail and manufacturing", "Ready dashboards and forecasts.")),
             category="analytics", industries=["retail", "manufacturing"], resources=[SEATS], plans=[
                 {"code": "team", "name_ru": "Команда", "name_en": "Team", "billing_period": "annual", "charges": [
                     {"model": "flat", "prices": _p("120000", "600000")},
                     {"model": "per_unit", "resource": "seats", "prices": _p("6000", "30000")}]},
             ], provisioning={"mode": "manual", "email": "cloud@zeta-analytics.example"}, live=True),
    ],
}  # fmt: skip

APPLICATION = {
    "Дельта Дистрибуция": ("Облачные бизнес-приложения для розницы", ["retail", "finance", "it"]),
    "Эпсилон Облако": ("Сервисы для разработчиков и защиты почты", ["it", "finance", "public"]),
    "Зета Аналитика": ("Аналитика продаж на собственной платформе", ["retail", "manufacturing"]),
}
SCORES = {"complexity": 4, "innovation": 4, "demand": 5}

# Software vendors of the demo besides Дельта Дистрибуция (a partner of the identity demo already in the 001
# programme): (name, legal name, region, city, website, ids, administrator's e-mail and name).
VENDORS = [
    ("Эпсилон Облако", "ООО «Эпсилон Облако»", "Республика Татарстан", "Казань", "https://epsilon-cloud.example",
     company_ids("165900007", "165901001", "121160000007"), "admin@epsilon.demo", "Павел Эпсилонов"),
    ("Зета Аналитика", "ООО «Зета Аналитика»", "Самарская область", "Самара", "https://zeta-analytics.example",
     company_ids("631500008", "631501001", "122630000008"), "admin@zeta.demo", "Роза Зетова"),
]  # fmt: skip


def _vendor_organisations() -> None:
    for name, legal_name, region, city, website, ids, email, full_name in VENDORS:
        org = Organisation.objects.filter(inn=ids["inn"], kpp=ids["kpp"]).first()
        if org is None:
            org = identity.organisation_create(actor=None, kind=OrgKind.PARTNER, name=name, legal_name=legal_name,
                                               city=city, region=region, website=website, **ids)  # fmt: skip
        user = User.objects.filter(email=email).first() or User.objects.create_user(
            email, DEMO_PASSWORD, full_name=full_name
        )
        if not Membership.objects.filter(user=user, organisation=org).exists():
            identity.membership_add(actor=None, organisation=org, user=user, role=Role.PARTNER_ADMIN)


def _check_against_the_sample_service(admin: User, listing) -> None:
    """A demo listing in vendor-API mode: pointed at the sample vendor service shipped in the repo, started on a
    free loopback port for its conformance check (its report stays on the listing's step 3)."""
    with SampleService(token=SAMPLE_TOKEN) as service:
        services.set_provisioning(actor=admin, listing=listing, mode="api", url=service.base_url, token=SAMPLE_TOKEN)
        services.conformance_check(actor=admin, listing=listing, allow_private=True)


def _admit(org: Organisation, admin: User, expert: User) -> None:
    if VendorApplication.objects.filter(organisation=org, status="admitted").exists():
        return
    description, industries = APPLICATION[org.name]
    application = VendorApplication.objects.filter(organisation=org, status="submitted").first()
    application = application or services.vendor_apply(
        actor=admin, organisation=org, software_description=description, focus_industries=industries,
        implementation_stories="Внедрения у 30 заказчиков за два года.",
        company_profile=f"{org.legal_name}, {org.city}.",
    )  # fmt: skip
    ensure_default_criteria()
    for code, score in SCORES.items():
        services.application_score(actor=expert, application=application, criterion_code=code, score=score)
    services.application_decide(actor=expert, application=application, admit=True, note="Демо: допущен.")


@transaction.atomic
def load_demo_marketplace() -> int:
    """Load what is missing; returns the number of listings created."""
    for sf in STOREFRONTS:
        services.storefront_save(actor=None, **sf)
    _vendor_organisations()
    expert = User.objects.filter(email="admin@vendor.demo").first()
    moderator = User.objects.filter(email="moderator@vendor.demo").first()
    if expert is None or moderator is None:
        return 0
    created = 0
    for name, specs in LISTINGS.items():
        org = Organisation.objects.filter(kind="partner", name=name).first()
        admin = org and User.objects.filter(memberships__organisation=org, memberships__role="partner_admin").first()
        if org is None or admin is None:
            continue
        _admit(org, admin, expert)
        if Listing.objects.filter(organisation=org).exists():
            continue
        for spec in specs:
            listing = services.listing_create(actor=admin, organisation=org)
            services.set_service(actor=admin, listing=listing, texts=spec["texts"], category=spec["category"],
                                 industries=spec["industries"],
                                 documentation_links=[f"{org.website}/docs"])  # fmt: skip
            services.set_pricing(actor=admin, listing=listing,
                                 document={"resources": spec["resources"], "plans": spec["plans"]})  # fmt: skip
            if spec["provisioning"]["mode"] == "api":
                _check_against_the_sample_service(admin, listing)
            else:
                services.set_provisioning(actor=admin, listing=listing, **spec["provisioning"])
            services.set_storefronts(actor=admin, listing=listing, codes=["ru", "kz"])
            version = services.submit(actor=admin, listing=listing)
            if spec["live"]:
                services.version_approve(actor=moderator, version=version)
            created += 1
    load_demo_orders(SAMPLE_TOKEN)
    return created
