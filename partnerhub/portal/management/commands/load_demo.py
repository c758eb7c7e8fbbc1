from django.conf import settings
from django.core.management.base import BaseCommand

from partnerhub.identity.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load the demo organisations and users (idempotent) and print the demo logins."

    def handle(self, *args, **options):
        logins = load_demo()
        from partnerhub.deals.demo import load_demo_deals
        from partnerhub.enablement.demo import load_demo_enablement
        from partnerhub.portal.demo_partners import load_demo_partners
        from partnerhub.programmes.services import load_demo_programmes
        from partnerhub.rewards.demo import load_demo_catalogue, load_demo_rates

        load_demo_programmes()
        load_demo_rates()  # before any sale: the demo's dollar and euro sales are rated as they arrive
        load_demo_catalogue()
        load_demo_partners()
        load_demo_deals()
        load_demo_enablement()
        from partnerhub.portal.demo_activity import load_demo_activity

        load_demo_activity()
        from partnerhub.portal.demo_partners import load_demo_network

        load_demo_network()
        from partnerhub.marketplace.demo import load_demo_marketplace

        load_demo_marketplace()
        from partnerhub.incentives.demo import load_demo_incentives

        load_demo_incentives()
        from partnerhub.funds.demo import load_demo_funds

        load_demo_funds()
        from partnerhub.enablement.demo_events import load_demo_events
        from partnerhub.library.demo import load_demo_library

        load_demo_events()
        load_demo_library()
        from partnerhub.support.demo import load_demo_support

        load_demo_support()
        from partnerhub.benefits.demo import load_demo_benefits

        load_demo_benefits()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Logins (password for all: {DEMO_PASSWORD}):"))
        for email, role, org in logins:
            self.stdout.write(f"  {email:<26} {role!s:<28} {org}")
        self.stdout.write(f"Open {settings.SITE_URL}/")
