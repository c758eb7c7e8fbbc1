from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from partnerhub.identity.models import Organisation, User

from .models import Certification, CertificationType, Specialist


def specialists(*, actor: User, organisation: Organisation, include_inactive: bool = False) -> QuerySet[Specialist]:
    today = timezone.localdate()
    valid = Q(certifications__expires_on__isnull=True) | Q(certifications__expires_on__gt=today)
    qs = (
        Specialist.objects.visible_to(actor)
        .filter(organisation=organisation)
        .annotate(valid_certifications=Count("certifications", filter=valid & Q(certifications__issued_on__lte=today)))
        .prefetch_related(Prefetch("certifications", queryset=Certification.objects.select_related("type")))
    )
    return qs if include_inactive else qs.filter(is_active=True)


def specialist(*, actor: User, pk: int) -> Specialist:
    return Specialist.objects.select_related("organisation").get_visible_or_404(actor, pk=pk)


def certification(*, actor: User, pk: int) -> Certification:
    return Certification.objects.select_related("specialist__organisation", "type").get_visible_or_404(actor, pk=pk)


def certification_types() -> QuerySet[CertificationType]:
    return CertificationType.objects.all()
