from django.core.management.base import BaseCommand, CommandError

from partnerhub.programmes import yaml_io
from partnerhub.programmes.models import Programme


class Command(BaseCommand):
    help = "Print a programme version as YAML (default: the latest version)."

    def add_arguments(self, parser):
        parser.add_argument("code")
        parser.add_argument("--number", type=int, dest="number", help="the version number")

    def handle(self, *args, code, number, **options):
        p = Programme.objects.filter(code=code).first()
        if p is None:
            raise CommandError(f"no programme {code!r}")
        versions = p.versions.order_by("-number")
        v = versions.filter(number=number).first() if number else versions.first()
        if v is None:
            raise CommandError(f"{code} has no version {number}")
        self.stdout.write(yaml_io.export(v))
