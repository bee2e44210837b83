from django.core.management.base import BaseCommand
from django.tasks import TaskResultStatus
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from sellerauth.tasks import verifications_enqueue


def _outcome_word(outcome: str) -> str:
    """Return a verification's outcome (sellerauth.verification.VerifyResult) in words."""
    words = {
        "ok": pgettext("verification outcome", "ok"),
        "retry": pgettext("verification outcome", "retry"),
        "lost": pgettext("verification outcome", "lost"),
        "skipped": pgettext("verification outcome", "skipped"),
    }
    return words.get(outcome, outcome)


def _outcome_count(outcome: str, number: int) -> str:
    """Return how many verifications ended with an outcome, e.g. "2 retry"."""
    texts = {
        "ok": ngettext("%(count)d ok", "%(count)d ok", number),
        "retry": ngettext("%(count)d retry", "%(count)d retry", number),
        "lost": ngettext("%(count)d lost", "%(count)d lost", number),
        "skipped": ngettext("%(count)d skipped", "%(count)d skipped", number),
        "error": ngettext("%(count)d error", "%(count)d errors", number),
    }
    return texts[outcome] % {"count": number} if outcome in texts else f"{number} {outcome}"


def _outcome(result) -> tuple[str, str]:
    """Return a task's outcome and a line about it (a queue backend's workers have not run it yet)."""
    authorization_id = result.kwargs["authorization_id"]
    if result.status == TaskResultStatus.SUCCESSFUL:
        outcome, code = result.return_value["outcome"], result.return_value["code"]
        values = {"id": authorization_id, "outcome": _outcome_word(outcome), "code": code}
        if code:
            return outcome, _("Authorization %(id)s: %(outcome)s (%(code)s)") % values
        return outcome, _("Authorization %(id)s: %(outcome)s") % values
    if result.status == TaskResultStatus.FAILED:
        line = _("Authorization %(id)s: the task failed (its traceback is in the log)")
        return "error", line % {"id": authorization_id}
    return "queued", _("Authorization %(id)s: queued") % {"id": authorization_id}


class Command(BaseCommand):
    help = (
        "Queue a verification with Amazon of each active authorization that is due (never verified, or its "
        "verify-after time passed). Run it every 15 minutes from cron; the tasks run on the configured backend."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List what would be queued; queue nothing.")

    def handle(self, *args, dry_run=False, **options):
        counts = verifications_enqueue(dry_run=dry_run, progress=self.stdout.write)
        outcomes: dict[str, int] = {}
        for result in counts["results"]:
            outcome, line = _outcome(result)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
            self.stdout.write(line)
        queued = counts["due"] if dry_run else counts["queued"]
        if dry_run:
            queued_text = ngettext(
                "%(count)d verification would be queued", "%(count)d verifications would be queued", queued
            )
        else:
            queued_text = ngettext("%(count)d verification queued", "%(count)d verifications queued", queued)
        parts = [queued_text % {"count": queued}]
        if counts["already_queued"]:
            already = counts["already_queued"]
            parts.append(ngettext("%(count)d already queued", "%(count)d already queued", already) % {"count": already})
        parts += [
            _outcome_count(outcome, number) for outcome, number in sorted(outcomes.items()) if outcome != "queued"
        ]
        due = ngettext("%(count)d authorization due", "%(count)d authorizations due", counts["due"])
        self.stdout.write(f"{', '.join(parts)}; {due % {'count': counts['due']}}.")
