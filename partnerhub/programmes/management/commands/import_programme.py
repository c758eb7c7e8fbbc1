from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from partnerhub.programmes.services import import_programme


class Command(BaseCommand):
    help = (
        "Load programme versions from YAML files (schema: docs/programme-schema.md); a file with errors loads nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+")
        parser.add_argument("--draft", action="store_true", help="keep the version as a draft instead of publishing it")

    def handle(self, *args, paths, draft, **options):
        for name in paths:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"{name}: no such file")
            try:
                v = import_programme(actor=None, text=path.read_text(encoding="utf-8"), source=str(path),
                                     publish=not draft)  # fmt: skip
            except ValidationError as exc:
                raise CommandError("\n".join(m for msgs in exc.message_dict.values() for m in msgs)) from exc
            self.stdout.write(self.style.SUCCESS(f"{path}: {v.programme.code} version {v.number} ({v.status})"))
