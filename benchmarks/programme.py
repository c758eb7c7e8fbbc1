def load_security_programme():
    from partnerhub.enablement.models import CertificationType
    from partnerhub.programmes.models import Requirement
    from tests.programme_builders import family, security_programme

    family("hardware")
    family("appliance")
    v = security_programme()
    CertificationType.objects.get_or_create(code="security-engineer", defaults={"name": "Security engineer"})
    Requirement.objects.filter(metric="certified_staff").update(certification="security-engineer")
    return v
