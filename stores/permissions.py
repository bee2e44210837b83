import functools

from django.core.exceptions import PermissionDenied

from .models import AmazonStore, StoreEvent
from .services import store_event_record


def store_permission_required(permission: str):
    """Require `permission` on a view of one store; a refused change is a 403 and a line in the store's log."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, pk, *args, **kwargs):
            if request.user.has_perm(permission):
                return view(request, pk, *args, **kwargs)
            store = AmazonStore.objects.filter(pk=pk).first() if request.method == "POST" else None
            if store is not None:
                store_event_record(
                    store=store,
                    kind=StoreEvent.Kind.DENIED,
                    actor=request.user,
                    details={"action": request.resolver_match.url_name, "permission": permission},
                )
            raise PermissionDenied

        return wrapper

    return decorator
