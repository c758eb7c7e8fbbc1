from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LibraryConfig(AppConfig):
    name = "partnerhub.library"
    label = "library"
    verbose_name = _("Content library")

    def ready(self) -> None:
        from partnerhub.core import audit_labels
        from partnerhub.programmes.selectors import roles_by_code, tiers_by_code

        def tiers(values: set[str]) -> dict[str, object]:
            """A material's tiers are stored as ",certified,privileged,": each named, in a list."""
            parts = {value: [c for c in value.split(",") if c] for value in values}
            names = tiers_by_code({c for codes in parts.values() for c in codes})
            return {value: ", ".join(str(names.get(c, c)) for c in codes) for value, codes in parts.items()}

        def roles(values: set[str]) -> dict[str, object]:
            parts = {value: [c for c in value.split(",") if c] for value in values}
            names = roles_by_code({c for codes in parts.values() for c in codes})
            return {value: ", ".join(str(names.get(c, c)) for c in codes) for value, codes in parts.items()}

        def tags(values: set[str]) -> dict[str, object]:
            return {value: ", ".join(c for c in value.split(",") if c) for value in values}

        audit_labels.register_values("library.material", ("tiers",), tiers)
        audit_labels.register_values("library.material", ("roles",), roles)
        audit_labels.register_values("library.material", ("tags",), tags)
