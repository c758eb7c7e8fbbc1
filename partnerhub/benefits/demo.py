"""Demo benefit requests (called by ``load_demo``; idempotent): Альфа Интеграция, if its tier allows, has an NFR
licence issued and an internal-use request awaiting the vendor."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from partnerhub.identity.models import Organisation, User

from . import services
from .models import BenefitRequest, Kind


def load_demo_benefits() -> int:
    alpha = Organisation.objects.filter(name="Альфа Интеграция").first()
    admin = User.objects.filter(email="admin@alpha.demo").first()
    bdm = User.objects.filter(email="bdm@vendor.demo").first()
    if not all((alpha, admin, bdm)) or BenefitRequest.objects.filter(organisation=alpha).exists():
        return 0
    made = 0
    try:
        nfr = services.submit_request(actor=admin, organisation=alpha, kind=Kind.NFR_LICENCES,
                                      note="Демо-стенд для заказчиков в Казани")  # fmt: skip
        services.approve(actor=bdm, request=nfr)
        services.fulfil(actor=bdm, request=nfr, licence_key="NFR-DEMO-7Q4K-2M9X-ALPHA")
        services.submit_request(actor=admin, organisation=alpha, kind=Kind.INTERNAL_USE, quantity=25,
                                note="Лицензии для собственного офиса")  # fmt: skip
        made = 2
    except ValidationError:  # the demo partner's tier gives no such benefit (evaluation put it lower)
        pass
    return made
