from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sellerauth.services import authorization_tokens_reencrypt


class Command(BaseCommand):
    help = "Re-encrypt every stored refresh token under the newest key of ASC_TOKEN_KEYS."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Check every token decrypts; change nothing.")

    def handle(self, *args, dry_run=False, **options):
        result = authorization_tokens_reencrypt(dry_run=dry_run, progress=self.stdout.write)
        done, failed = result["reencrypted"], result["failed"]
        if dry_run:
            reencrypted = ngettext(
                "%(count)d token would be re-encrypted under the newest key",
                "%(count)d tokens would be re-encrypted under the newest key",
                done,
            )
        else:
            reencrypted = ngettext(
                "%(count)d token re-encrypted under the newest key",
                "%(count)d tokens re-encrypted under the newest key",
                done,
            )
        undecryptable = ngettext("%(count)d could not be decrypted", "%(count)d could not be decrypted", failed)
        summary = f"{reencrypted % {'count': done}}; {undecryptable % {'count': failed}}."
        if failed:
            raise CommandError(
                _("%(summary)s Those authorizations were left unchanged: add back the key they need.")
                % {"summary": summary}
            )
        self.stdout.write(summary)
