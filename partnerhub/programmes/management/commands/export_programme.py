from django.core.management.base import BaseCommand, CommandError

from partnerhub.programmes import yaml_io
from partnerhub.programmes.models import Programme


class Command(BaseCommand):
    help = "Print a programme version as YAML (default: the latest version). Schema: docs/programme-schema.md."

    def create_parser(self, prog_name, subcommand, **kwargs):
        # --version names the programme version here, so it replaces Django's own --version flag.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("code", help="the programme's code")
        parser.add_argument("--version", "--number", type=int, dest="version", help="the version number")
        parser.add_argument("--output", "-o", help="write to this file instead of standard output")

    def handle(self, *args, code, version=None, output=None, **options):
        number = version
        p = Programme.objects.filter(code=code).first()
        if p is None:
            raise CommandError(f"no programme {code!r}")
        versions = p.versions.order_by("-number")
        v = versions.filter(number=number).first() if number else versions.first()
        if v is None:
            raise CommandError(f"{code} has no version {number}")
        text = yaml_io.export(v)
        if output:
            with open(output, "w", encoding="utf-8") as f:
                f.write(text)
            self.stderr.write(f"{code} version {v.number} written to {output}")
        else:
            self.stdout.write(text, ending="")
