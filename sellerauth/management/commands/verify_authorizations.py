from django.core.management.base import BaseCommand
from django.tasks import TaskResultStatus

from sellerauth.tasks import verifications_enqueue


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _outcome(result) -> tuple[str, str]:
    """Return a task's outcome and a line about it (a queue backend's workers have not run it yet)."""
    authorization_id = result.kwargs["authorization_id"]
    if result.status == TaskResultStatus.SUCCESSFUL:
        outcome, code = result.return_value["outcome"], result.return_value["code"]
        return outcome, f"Authorization {authorization_id}: {outcome}" + (f" ({code})" if code else "")
    if result.status == TaskResultStatus.FAILED:
        return "error", f"Authorization {authorization_id}: the task failed (its traceback is in the log)"
    return "queued", f"Authorization {authorization_id}: queued"


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
        parts = [f"{_count(queued, 'verification')} {'would be queued' if dry_run else 'queued'}"]
        if counts["already_queued"]:
            parts.append(f"{counts['already_queued']} already queued")
        parts += [f"{number} {outcome}" for outcome, number in sorted(outcomes.items()) if outcome != "queued"]
        self.stdout.write(f"{', '.join(parts)}; {_count(counts['due'], 'authorization')} due.")
