"""
The background work of sellerauth, as Django tasks: queued by the jobs (and by a lost authorization), run by
the configured backend (at once in process by default; `manage.py db_worker` on any host with django-tasks-db).
"""

from collections.abc import Callable
from datetime import timedelta

from django.core.cache import cache
from django.tasks import task
from django.utils.translation import gettext as _

from . import reminders, verification
from .models import SellerAuthorization

# While a queued verification waits for a worker, the job does not queue it again (two hosts, or a slow queue).
QUEUED_LEASE = timedelta(hours=1)


def _lease_key(authorization_id: int) -> str:
    return f"sellerauth:verify-queued:{authorization_id}"


@task
def verify_authorization(authorization_id: int) -> dict:
    """Verify one authorization with Amazon, as the scheduled job does; return its outcome."""
    try:
        authorization = SellerAuthorization.objects.filter(pk=authorization_id).first()
        if authorization is None:
            return {"outcome": "skipped", "code": "deleted"}
        result = verification.authorization_verify(authorization=authorization)
        return {"outcome": result.outcome, "code": result.error.code if result.error else ""}
    finally:
        cache.delete(_lease_key(authorization_id))


@task
def notify_authorization_lost(authorization_id: int) -> str:
    """E-mail the contacts of an authorization Amazon no longer accepts (once per expiry date)."""
    return reminders.lost_notice_send(authorization_id=authorization_id)


def verifications_enqueue(*, dry_run: bool = False, progress: Callable[[str], None] | None = None) -> dict:
    """Queue a verification of each due authorization that is not queued yet; return the counts and the results."""
    counts = {"due": 0, "queued": 0, "already_queued": 0, "results": []}
    # The IDs first: with the in-process backend each task runs, and writes, while we would still be reading.
    due = list(verification.verification_due_queryset().order_by("pk").values_list("pk", flat=True))
    counts["due"] = len(due)
    for authorization_id in due:
        if dry_run:
            if progress:
                progress(_("Authorization %(id)s: a verification would be queued") % {"id": authorization_id})
            continue
        # cache.add is atomic in a shared cache (Redis): of two hosts running the job at once, one queues it.
        if not cache.add(_lease_key(authorization_id), True, timeout=int(QUEUED_LEASE.total_seconds())):
            counts["already_queued"] += 1
            continue
        counts["queued"] += 1
        counts["results"].append(verify_authorization.enqueue(authorization_id=authorization_id))
    return counts
