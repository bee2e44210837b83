from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from stores.demo import USERS, demo_data_seed

DEFAULT_PASSWORD = "demo-password"  # noqa: S105  (a demo password, printed on purpose; never in production)


class Command(BaseCommand):
    help = "Create the demo websites, catalog attributes and one user per role; safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Seed even though DEBUG is off.")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                _(
                    "seed_demo creates users with a known password and runs only with DEBUG on. "
                    "Use --force to seed a demo deployment anyway."
                )
            )
        password = getattr(settings, "ASC_DEMO_PASSWORD", "") or DEFAULT_PASSWORD
        created = demo_data_seed(password=password)
        websites, attributes, users = created["websites"], created["attributes"], created["users"]
        counts = {
            "websites": ngettext("%(count)d website", "%(count)d websites", websites) % {"count": websites},
            "attributes": ngettext("%(count)d catalog attribute", "%(count)d catalog attributes", attributes)
            % {"count": attributes},
            "users": ngettext("%(count)d user", "%(count)d users", users) % {"count": users},
        }
        self.stdout.write(
            _("Demo data: %(websites)s, %(attributes)s and %(users)s created (what existed was kept).") % counts
        )
        self.stdout.write(_("Sign in with one of these (password for all: %(password)s):") % {"password": password})
        superuser = _("superuser: can do everything")
        for username, group in USERS:
            # A group's name is its name in the database: shown as it is.
            self.stdout.write(f"  {username:<10} {group or superuser}")
