from django.core.management.base import BaseCommand

from sellerauth.reminders import OFFSETS, reminders_send


class Command(BaseCommand):
    help = (
        "E-mail the contacts of each active authorization's stores "
        f"{', '.join(map(str, OFFSETS[:-1]))} days before it expires and on the day, each reminder once. "
        "Run it daily (cron); safe to run on several hosts at once and to rerun."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List the reminders due; send and write nothing.")

    def handle(self, *args, dry_run=False, **options):
        counts = reminders_send(dry_run=dry_run, progress=self.stdout.write)
        self.stdout.write(counts.summary(dry_run=dry_run))
