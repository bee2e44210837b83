"""
Access tokens: fetched with the refresh grant, kept only in the cache, refreshed 60 s before they expire.

One refresh is in flight per authorization across processes: a row lock on PostgreSQL, a cache lock
elsewhere (SQLite has no row locks). Whoever waited re-reads the cache and reuses the new token. A refresh is
where the application learns that Amazon no longer accepts an authorization (invalid_grant), or that its token
cannot be decrypted: the authorization is marked here, Amazon is not asked again for it, and a task e-mails the
contacts of its stores once.
"""

import logging
from contextlib import ExitStack, contextmanager
from typing import NoReturn

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from stores.models import StoreEvent
from stores.services import store_event_record

from . import amazon_client
from .errors import AuthorizationError
from .locks import LockTimeout, cache_lock
from .models import AuthorizationState, SellerAuthorization, StoreConnection
from .token_vault import token_decrypt

logger = logging.getLogger(__name__)

EARLY_REFRESH = 60  # seconds: Amazon's SDKs refresh this long before expiry, and so do we
# Longer than the slowest refresh: 4 attempts × (connect + read timeouts) and the waits between them.
LOCK_TIMEOUT = 180
# Failures that prove the stored authorization is of no more use: Amazon refused it, or it cannot be read.
LOST = {"invalid_grant", "token_undecryptable"}


def _key(authorization_id: int) -> str:
    return f"sellerauth:access-token:{authorization_id}"


@sensitive_variables("token")
def access_token_remember(*, authorization_id: int, token: str, expires_in: int) -> None:
    """Keep an access token in the cache until shortly before it expires."""
    lifetime = expires_in - EARLY_REFRESH
    if lifetime > 0:
        cache.set(_key(authorization_id), token, timeout=lifetime)


def access_token_forget(*, authorization_id: int) -> None:
    cache.delete(_key(authorization_id))


@contextmanager
def _refresh_lock(authorization_id: int):
    """Hold the authorization's refresh lock: its row on PostgreSQL, a cache entry elsewhere."""
    if connection.vendor == "postgresql":
        with transaction.atomic():
            SellerAuthorization.objects.select_for_update().filter(pk=authorization_id).exists()
            yield
        return
    with ExitStack() as held:
        try:
            held.enter_context(cache_lock(f"{_key(authorization_id)}:lock", hold=LOCK_TIMEOUT, wait=LOCK_TIMEOUT))
        except LockTimeout:
            raise AuthorizationError(
                "refresh_lock_timeout",
                amazon_client.UNAVAILABLE,
                operator=f"Waited {LOCK_TIMEOUT} s for another process's refresh of authorization {authorization_id}.",
            ) from None
        yield


@sensitive_variables("token")
def access_token_get(*, authorization: SellerAuthorization) -> str:
    """Return a valid access token for the authorization, refreshing it when needed."""
    token = cache.get(_key(authorization.pk))
    if token:
        return token
    failure = None
    with _refresh_lock(authorization.pk):
        token = cache.get(_key(authorization.pk))
        if token:
            return token
        current = SellerAuthorization.objects.get(pk=authorization.pk)
        try:
            token = _refresh(current)
        except AuthorizationError as exc:
            failure = exc
    if failure is not None:
        # Outside the lock: on PostgreSQL the lock is a transaction, which the failure would roll back, mark and all.
        _give_up(authorization, failure)
    return token


@sensitive_variables("tokens")
def _refresh(authorization: SellerAuthorization) -> str:
    if authorization.state != AuthorizationState.ACTIVE:
        # Amazon refused it before: calling again would only be refused again.
        raise AuthorizationError("not_active", amazon_client.NEEDS_REAUTHORIZATION)
    tokens = amazon_client.lwa_refresh(refresh_token=token_decrypt(authorization.refresh_token_encrypted))
    access_token_remember(authorization_id=authorization.pk, token=tokens.access_token, expires_in=tokens.expires_in)
    return tokens.access_token


def _give_up(authorization: SellerAuthorization, failure: AuthorizationError) -> NoReturn:
    """Raise the failure of a refresh, first marking the authorization when the failure proves it lost."""
    if failure.code in LOST:
        authorization_mark_lost(authorization=authorization, reason=failure.code)
    raise failure


def authorization_mark_lost(*, authorization: SellerAuthorization, reason: str) -> None:
    """Record that Amazon refused an authorization (or its token is unreadable); stop using it."""
    with transaction.atomic():
        updated = SellerAuthorization.objects.filter(pk=authorization.pk, state=AuthorizationState.ACTIVE).update(
            state=AuthorizationState.NEEDS_REAUTHORIZATION, updated_at=timezone.now()
        )
        if updated:
            for link in StoreConnection.objects.filter(authorization_id=authorization.pk).select_related("store"):
                store_event_record(
                    store=link.store, kind=StoreEvent.Kind.AUTHORIZATION_LOST, details={"reason": reason}
                )
    access_token_forget(authorization_id=authorization.pk)
    logger.warning("Authorization %s needs re-authorization (%s)", authorization.pk, reason)
    if updated:
        # Imported here: the tasks import the verification, which imports this module.
        from .tasks import notify_authorization_lost

        # Whoever noticed (the scheduled verification, a Verify button, any API call), the contacts hear it once.
        notify_authorization_lost.enqueue(authorization_id=authorization.pk)
