from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ska.demo import DEMO_PASSWORD, MUNICIPALITY, seed_demo
from ska.demo_chain import DEFAULT_YEARS


class Command(BaseCommand):
    help = "Build the demo municipality (idempotent). With --units N, generate units until there are N."

    def add_arguments(self, parser):
        parser.add_argument("--units", type=int, default=None, help="Total number of municipal units wanted.")
        parser.add_argument(
            "--years",
            type=int,
            default=DEFAULT_YEARS,
            help=f"School years of goal chain, up to the current one (default {DEFAULT_YEARS}).",
        )
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Seed even in production mode (creates logins with a published password).",
        )

    def handle(self, *args, units=None, years=DEFAULT_YEARS, allow_production=False, **options):
        if settings.PRODUCTION and not allow_production:
            raise CommandError(
                "Refusing to seed demo data in production mode: the demo logins have a published password. "
                "Use --allow-production for a demonstration server."
            )
        if units is not None and units < 1:
            raise CommandError("--units must be a positive number.")
        if years < 1:
            raise CommandError("--years must be a positive number.")
        seed_demo(units=units, years=years, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(f"{MUNICIPALITY} is ready. Demo logins use the password {DEMO_PASSWORD!r}."))
