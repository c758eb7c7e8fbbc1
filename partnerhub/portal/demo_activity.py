"""Demo activity, so that every page has something to show: twelve months of sales, partners listed
in the public catalogue, leads in each state, referral links with clicks and conversions,
applications awaiting review and notifications for each role.

Runs after the demo organisations, programmes, partners and deals. Idempotent: each part looks
for its own marker first and does nothing when it is there. Everything goes through the services,
as a person would do it, so audit rows and notifications are the real ones.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from partnerhub.core.models import Notification
from partnerhub.core.notify import notify
from partnerhub.identity.demo import DEMO_PASSWORD
from partnerhub.identity.models import Organisation, User
from partnerhub.identity.validators import inn_check_digits
from partnerhub.leads import services as leads
from partnerhub.leads.models import Lead, LeadOffer
from partnerhub.onboarding import services as onboarding
from partnerhub.partners.models import Application, PartnerProfile
from partnerhub.programmes.models import Programme
from partnerhub.referrals import services as referrals
from partnerhub.referrals.models import ReferralLink
from partnerhub.rewards import services as rewards
from partnerhub.rewards.models import Sale

from .selectors import last_months

PERSON = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"
SALES_REF = "demo-month-"

# name -> (monthly base amount in roubles, product family, description, competences, regions, families)
PROFILES = {
    "Альфа Интеграция": ("180000", "software", "Интегратор решений ИБ: внедрение и поддержка 24/7.",
                         ["DLP", "SIEM", "Межсетевые экраны"], ["Москва", "Московская область", "ЦФО"],
                         ["software", "appliance"]),
    "Бета Софт": ("90000", "software", "Поставка и внедрение средств защиты для банков и госсектора Северо-Запада.",
                  ["DLP", "Аудит ИБ"], ["Санкт-Петербург", "Ленинградская область"], ["software"]),
    "Гамма Сервис": ("45000", "hardware", "Сервисный партнёр в Сибири: монтаж, настройка и обслуживание оборудования.",
                     ["Межсетевые экраны"], ["Новосибирская область", "СФО"], ["hardware"]),
}  # fmt: skip


def _inn(prefix: str) -> str:
    """A valid 10-digit INN from its first nine digits."""
    return prefix + inn_check_digits(prefix)


def _users() -> dict[str, User]:
    return {u.email: u for u in User.objects.filter(email__endswith=".demo")}


def _partners() -> dict[str, Organisation]:
    return {o.name: o for o in Organisation.objects.filter(kind__in=["partner", "customer"])}


def load_demo_sales(today: date | None = None) -> int:
    """Sales in each of the last twelve months, growing toward today, some to the demo customer."""
    today = today or timezone.localdate()
    if Sale.objects.filter(external_ref__startswith=SALES_REF).exists():
        return 0
    user, orgs = _users(), _partners()
    finance = user.get("finance@vendor.demo")
    bank = orgs.get("Северный Банк")
    if finance is None:
        return 0
    made = 0
    for name, (base, family, *_rest) in PROFILES.items():
        org = orgs.get(name)
        if org is None:
            continue
        for n, month in enumerate(last_months(today)):
            sold_on = min(today, month + timedelta(days=9 + (n * 5) % 15))
            amount = (Decimal(base) * (Decimal(70 + 5 * n + (n * 37) % 23) / 100)).quantize(Decimal(1000))
            to_bank = bank is not None and n % 4 == 1
            rewards.record_sale(
                actor=finance, organisation=org, product_family=family, amount=amount, currency="RUB",
                sold_on=sold_on, reference=f"{SALES_REF}{org.pk}-{n}",
                customer_name=bank.legal_name if to_bank else f"Клиент {n + 1} ({org.name})",
                customer_inn=bank.inn if to_bank else "",
            )  # fmt: skip
            made += 1
    return made


def load_demo_catalogue() -> int:
    """The demo partners describe themselves and opt into the public catalogue (the locator)."""
    user, orgs = _users(), _partners()
    vendor_admin = user.get("admin@vendor.demo")
    listed = 0
    for name, (_base, _family, description, competences, regions, families) in PROFILES.items():
        org = orgs.get(name)
        profile = PartnerProfile.objects.filter(organisation=org).first() if org else None
        if org is None or vendor_admin is None or (profile and profile.listed_in_catalogue):
            continue
        onboarding.profile_update(actor=vendor_admin, organisation=org, description=description,
                                  competences=competences, regions=regions, listed_in_catalogue=True,
                                  product_families=families)  # fmt: skip
        listed += 1
    return listed


def load_demo_leads() -> int:
    """Leads in every state: offered (with the clock running), accepted, declined and routed on, closed."""
    if Lead.objects.filter(description__startswith="[demo]").exists():
        return 0
    user, orgs = _users(), _partners()
    alpha, beta, gamma = (orgs.get(n) for n in ("Альфа Интеграция", "Бета Софт", "Гамма Сервис"))
    admin = user.get("admin@vendor.demo")
    if not (alpha and beta and gamma and admin):
        return 0

    def contact(org: Organisation, company: str, inn: str, message: str) -> Lead:
        return leads.contact_partner(organisation_id=org.pk, name="Контактное лицо", company=company,
                                     email=f"it@{inn}.example", inn=inn, message=f"[demo] {message}",
                                     consent=True)  # fmt: skip

    contact(alpha, "ООО «Северсталь-Сервис»", _inn("352800059"), "Нужна DLP-система на 300 рабочих мест")
    contact(alpha, "АО «Московский Транспорт»", _inn("770100001"), "Запрос на аудит и межсетевые экраны")
    accepted = contact(alpha, "ООО «Волга Ритейл»", _inn("631500001"), "Защита сети магазинов")
    offer = LeadOffer.objects.get(lead=accepted, status=LeadOffer.Status.OFFERED)
    leads.accept_offer(actor=user["admin@alpha.demo"], offer=offer, product_family="software", amount="1400000")
    contact(beta, "ПАО «Балтийский Порт»", _inn("780500001"), "Нужен SIEM для порта")
    declined = contact(gamma, "ООО «Сибирский Хлеб»", _inn("540600007"), "Небольшой офис, 20 мест")
    offer = LeadOffer.objects.get(lead=declined, status=LeadOffer.Status.OFFERED)
    leads.decline_offer(actor=user["admin@gamma.demo"], offer=offer, reason="Нет свободных инженеров в этом месяце")
    closed = leads.create_lead(
        actor=admin, route=False, source=Lead.Source.TENDER, customer_name="ГБУ «Электронный регион»",
        email="zakupki@e-region.example", region="Республика Татарстан", description="[demo] тендер отменён заказчиком",
    )  # fmt: skip
    leads.close_lead(actor=admin, lead=closed, reason="Тендер отменён")
    leads.create_lead(
        actor=admin, route=False, source=Lead.Source.REGIONAL_REQUEST, customer_name="ООО «Уральские Сети»",
        phone="+7 343 200-00-00", region="Свердловская область", description="[demo] региональный запрос",
    )  # fmt: skip
    return Lead.objects.filter(description__startswith="[demo]").count()


def load_demo_referrals(today: date | None = None) -> int:
    """Two referral links of Альфа with a year of clicks, two referred sign-ups and their purchases."""
    user, orgs = _users(), _partners()
    alpha = orgs.get("Альфа Интеграция")
    if alpha is None or ReferralLink.objects.filter(organisation=alpha).exists():
        return 0
    today = today or timezone.localdate()
    a_admin, finance = user["admin@alpha.demo"], user["finance@vendor.demo"]
    spring = referrals.link_create(actor=a_admin, organisation=alpha, target="/signup/", campaign="Вебинар по DLP")
    site = referrals.link_create(actor=a_admin, organisation=alpha, target="/partners/", campaign="Сайт партнёра")
    clicks = 0
    for n, month in enumerate(last_months(today)):
        for k in range(3 + n % 5 + n // 2):
            at = timezone.make_aware(datetime.combine(min(today, month + timedelta(days=k * 2 % 27)), time(10 + k % 8)))
            link = spring if k % 3 else site
            referrals.record_click(code=link.code, method="GET", headers={"User-Agent": PERSON},
                                   ip=f"198.51.100.{(n * 16 + k) % 250 + 1}", cookie=None, now=at)  # fmt: skip
            clicks += 1
    for n, (company, inn, amount) in enumerate(
        (("ООО «Ромашка»", _inn("770200001"), "240000"), ("АО «Полярная Звезда»", _inn("290100001"), "560000"))
    ):
        outcome = referrals.record_click(code=spring.code, method="GET", headers={"User-Agent": PERSON},
                                         ip=f"203.0.113.{n + 1}", cookie=None)  # fmt: skip
        membership, _attribution = referrals.sign_up_customer(
            company_name=company, inn=inn, email=f"admin@{inn}.example", password=DEMO_PASSWORD,
            full_name="Клиент по ссылке", cookie=outcome.cookie,
        )  # fmt: skip
        referrals.record_purchase(actor=finance, customer=membership.organisation, amount=Decimal(amount),
                                  currency="RUB", product_family="software", sold_on=today,
                                  reference=f"demo-referral-{inn}")  # fmt: skip
    return clicks


def load_demo_applications() -> int:
    """Two companies applied to join and wait for the vendor's review."""
    if Application.objects.filter(message__startswith="[demo]").exists():
        return 0
    programme = Programme.objects.filter(code="security-partners").first()
    if programme is None:
        return 0
    for company, inn, region, city in (
        ("ООО «Кедр Безопасность»", _inn("720300001"), "Тюменская область", "Тюмень"),
        ("ООО «Невский Интегратор»", _inn("781000001"), "Санкт-Петербург", "Санкт-Петербург"),
    ):
        onboarding.application_submit(
            programme=programme, role_code="reseller", company_name=company, inn=inn, kpp=inn[:4] + "01001",
            region=region, city=city,
            contact_name="Директор", contact_email=f"director@{inn}.example", consent=True,
            message="[demo] Хотим продавать решения вендора в нашем регионе",
        )  # fmt: skip
    return 2


def load_demo_notifications() -> int:
    """A welcome note for each demo user who has none yet, with a link to where their work starts."""
    made = 0
    where = {"vendor_admin": "/", "partner_manager": "/deals/review/", "finance": "/sales/",
             "moderator": "/", "partner_admin": "/lead-inbox/", "sales": "/deals/", "engineer": "/tier/",
             "customer_admin": "/partners/", "customer_member": "/partners/"}  # fmt: skip
    for u in User.objects.filter(email__endswith=".demo").prefetch_related("memberships__organisation"):
        if Notification.objects.filter(user=u).exists():
            continue
        m = u.memberships.first()
        if m is None:
            continue
        notify(users=[u], organisation=m.organisation, kind="welcome", email=False,
               title=f"Добро пожаловать в Partnerhub, {u.get_short_name()}",
               body="Здесь собраны ваши задачи, показатели и всё, что нужно для работы с партнёрской программой.",
               url=where.get(m.role, "/"))  # fmt: skip
        made += 1
    return made


@transaction.atomic
def load_demo_activity() -> dict[str, int]:
    return {
        "sales": load_demo_sales(),
        "catalogue": load_demo_catalogue(),
        "leads": load_demo_leads(),
        "referrals": load_demo_referrals(),
        "applications": load_demo_applications(),
        "notifications": load_demo_notifications(),
    }
