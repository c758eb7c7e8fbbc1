"""The programme the tier benchmark evaluates: the shipped 002 file, through the YAML loader."""

from pathlib import Path


def load_security_programme():
    """Load partnerhub/programmes/definitions/security_002.yaml (published) and return its ProgrammeVersion.

    Product families hardware, appliance and software and the certification type
    ``security-engineer`` come with it.
    """
    from partnerhub.programmes import services

    return services.import_programme(actor=None, path=Path(services.DEFINITIONS) / "security_002.yaml")
