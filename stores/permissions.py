import functools
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from .models import AmazonStore, StoreEvent
from .services import store_event_record

# Refusals of the same action by the same person within this time share one line of the log, with a count.
DENIAL_WINDOW = timedelta(hours=1)


@transaction.atomic
def store_denial_record(*, store: AmazonStore, actor, action: str, permission: str) -> StoreEvent:
    """Record a refused action in the store's log; repeats by the same actor within the hour are counted."""
    latest = StoreEvent.objects.select_for_update().filter(store=store, actor=actor).order_by("-created_at", "-id")
    latest = latest.first()
    if (
        latest is not None
        and latest.kind == StoreEvent.Kind.DENIED
        and latest.details.get("action") == action
        and latest.created_at >= timezone.now() - DENIAL_WINDOW
    ):
        latest.details["count"] = latest.details.get("count", 1) + 1
        latest.save(update_fields=["details"])
        return latest
    details = {"action": action, "permission": permission, "count": 1}
    return store_event_record(store=store, kind=StoreEvent.Kind.DENIED, actor=actor, details=details)


def store_permission_required(permission: str):
    """Require `permission` on a view of one store; a refused change is a 403 and a line in the store's log."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, pk, *args, **kwargs):
            if request.user.has_perm(permission):
                return view(request, pk, *args, **kwargs)
            store = AmazonStore.objects.filter(pk=pk).first() if request.method == "POST" else None
            if store is not None:
                store_denial_record(
                    store=store, actor=request.user, action=request.resolver_match.url_name, permission=permission
                )
            raise PermissionDenied

        return wrapper

    return decorator
