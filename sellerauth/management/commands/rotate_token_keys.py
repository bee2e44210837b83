from django.core.management.base import BaseCommand, CommandError

from sellerauth.services import authorization_tokens_reencrypt


class Command(BaseCommand):
    help = "Re-encrypt every stored refresh token under the newest key of ASC_TOKEN_KEYS."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Check every token decrypts; change nothing.")

    def handle(self, *args, dry_run=False, **options):
        result = authorization_tokens_reencrypt(dry_run=dry_run, progress=self.stdout.write)
        summary = (
            f"{result['reencrypted']} tokens {'would be ' if dry_run else ''}re-encrypted under the newest key; "
            f"{result['failed']} could not be decrypted."
        )
        if result["failed"]:
            raise CommandError(summary + " Those authorizations were left unchanged: add back the key they need.")
        self.stdout.write(summary)
