from __future__ import annotations

import factory

from partnerhub.identity.models import Membership, Organisation, User
from partnerhub.identity.roles import OrgKind
from partnerhub.identity.validators import inn_check_digits, ogrn_check_digit

PASSWORD = "Correct-horse-42"


def valid_inn(n: int) -> str:
    prefix = f"77{n:07d}"
    return prefix + inn_check_digits(prefix)


def valid_ogrn(n: int) -> str:
    prefix = f"1027700{n:05d}"
    return prefix + ogrn_check_digit(prefix)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Sequence(lambda n: f"User {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = OrgKind.PARTNER
    name = factory.Sequence(lambda n: f"Partner {n}")
    inn = factory.Sequence(lambda n: valid_inn(n + 1))
    kpp = "770101001"
    ogrn = factory.Sequence(lambda n: valid_ogrn(n + 1))
    region = "Москва"
    city = "Москва"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = "partner_admin"
