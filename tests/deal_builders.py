"""Register deals in tests through the real service."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from partnerhub.deals import services
from tests.factories import valid_inn
from tests.programme_builders import family

CUSTOMER_INN = valid_inn(9001)


def deal_fields(**over) -> dict:
    family()
    fields = {
        "title": "Firewall for HQ",
        "customer_name": "ООО «Ромашка»",
        "customer_inn": CUSTOMER_INN,
        "customer_domain": "romashka.ru",
        "customer_region": "Москва",
        "customer_city": "Москва",
        "lines": [{"product_family": "software", "product": "NGFW", "amount": "1200000.00", "quantity": 1}],
        "expected_close_on": timezone.localdate() + timedelta(days=60),
        "contact_name": "Ivan Petrov",
        "contact_email": "ivan@a.test",
    }
    fields.update(over)
    return fields


def register(actor, org, **over):
    return services.register_claim(actor=actor, organisation=org, **deal_fields(**over))
