"""The programme the tier benchmark evaluates: the shipped 002 file, through the YAML loader."""

from pathlib import Path


def load_security_programme():
    from partnerhub.programmes import services

    path = Path(services.DEFINITIONS) / "security_002.yaml"
    return services.import_programme(actor=None, text=path.read_text(encoding="utf-8"), source=path.name)
