from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from partnerhub.programmes.services import import_programme


class Command(BaseCommand):
    help = (
        "Load programme versions from YAML files (schema: docs/programme-schema.md): each a new programme or the "
        "next version of one. Every file is checked; if any has errors, nothing is loaded."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument("--draft", action="store_true", help="keep the versions as drafts instead of publishing")

    def handle(self, *args, paths, draft, **options):
        missing = [name for name in paths if not Path(name).is_file()]
        if missing:
            raise CommandError("\n".join(f"{name}: no such file" for name in missing))
        errors: list[str] = []
        with transaction.atomic():
            for name in paths:
                try:
                    v = import_programme(actor=None, path=name, source=name, publish=not draft)
                except ValidationError as exc:
                    errors.extend(m for msgs in exc.message_dict.values() for m in msgs)
                else:
                    self.stdout.write(self.style.SUCCESS(f"{name}: {v.programme.code} version {v.number} ({v.status})"))
            if errors:
                transaction.set_rollback(True)
        if errors:
            raise CommandError("nothing was loaded:\n" + "\n".join(errors))
