from django.core.management.base import BaseCommand

from partnerhub.programmes.services import DEMO_FILES, load_demo_programmes


class Command(BaseCommand):
    help = f"Load the shipped programmes ({', '.join(DEMO_FILES)}); idempotent: programmes already there are kept."

    def handle(self, *args, **options):
        loaded = load_demo_programmes()
        for v in loaded:
            self.stdout.write(self.style.SUCCESS(f"{v.programme.code} version {v.number} loaded"))
        if not loaded:
            self.stdout.write("The shipped programmes are already loaded.")
