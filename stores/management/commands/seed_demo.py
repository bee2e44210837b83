from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from stores.demo import USERS, demo_data_seed

DEFAULT_PASSWORD = "demo-password"  # noqa: S105  (a demo password, printed on purpose; never in production)


class Command(BaseCommand):
    help = "Create the demo websites, catalog attributes and one user per role; safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Seed even though DEBUG is off.")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates users with a known password and runs only with DEBUG on. "
                "Use --force to seed a demo deployment anyway."
            )
        password = getattr(settings, "ASC_DEMO_PASSWORD", "") or DEFAULT_PASSWORD
        created = demo_data_seed(password=password)
        self.stdout.write(
            f"Demo data: {created['websites']} websites, {created['attributes']} catalog attributes and "
            f"{created['users']} users created (what existed was kept)."
        )
        self.stdout.write(f"Sign in with one of these (password for all: {password}):")
        for username, group in USERS:
            self.stdout.write(f"  {username:<10} {group or 'superuser: can do everything'}")
