"""
Access tokens: fetched with the refresh grant, kept only in the cache, refreshed 60 s before they expire.

One refresh is in flight per authorization across processes: a row lock on PostgreSQL, a cache lock
elsewhere (SQLite has no row locks). Whoever waited re-reads the cache and reuses the new token.
"""

import secrets
import time
from contextlib import contextmanager

from django.core.cache import cache
from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _

from . import amazon_client
from .amazon_client import AmazonAuthorizationError
from .models import AuthorizationState, SellerAuthorization
from .token_vault import TokenVaultError, token_decrypt

EARLY_REFRESH = 60  # seconds: Amazon's SDKs refresh this long before expiry, and so do we
# Longer than the slowest refresh: 4 attempts × (connect + read timeouts) and the waits between them.
LOCK_TIMEOUT = 180
NEEDS_REAUTHORIZATION = _(
    "Amazon no longer accepts this store's authorization (it was removed in Seller Central or has expired). "
    "Connect the store again."
)


def _key(authorization_id: int) -> str:
    return f"sellerauth:access-token:{authorization_id}"


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
    key, mine = f"{_key(authorization_id)}:lock", secrets.token_hex(8)
    deadline = time.monotonic() + LOCK_TIMEOUT
    while not cache.add(key, mine, timeout=LOCK_TIMEOUT):
        if time.monotonic() > deadline:
            raise AmazonAuthorizationError("refresh_lock_timeout", amazon_client.UNAVAILABLE)
        time.sleep(0.05)
    try:
        yield
    finally:
        if cache.get(key) == mine:  # never release a lock that lapsed and another process now holds
            cache.delete(key)


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
        except (AmazonAuthorizationError, TokenVaultError) as exc:
            failure = exc
    if failure is not None:
        _give_up(authorization, failure)
    return token


def _refresh(authorization: SellerAuthorization) -> str:
    if authorization.state != AuthorizationState.ACTIVE:
        # Amazon refused it before: calling again would only be refused again.
        raise AmazonAuthorizationError("not_active", NEEDS_REAUTHORIZATION)
    tokens = amazon_client.lwa_refresh(refresh_token=token_decrypt(authorization.refresh_token_encrypted))
    access_token_remember(authorization_id=authorization.pk, token=tokens.access_token, expires_in=tokens.expires_in)
    return tokens.access_token


def _give_up(authorization: SellerAuthorization, failure: Exception):
    """Mark an authorization Amazon refused (or that cannot be decrypted) and raise the merchant's message."""
    from .services import authorization_mark_lost  # services use this module too

    if isinstance(failure, TokenVaultError):
        authorization_mark_lost(authorization=authorization, reason="token_undecryptable")
        raise AmazonAuthorizationError("token_undecryptable", NEEDS_REAUTHORIZATION) from failure
    if failure.code == "invalid_grant":
        authorization_mark_lost(authorization=authorization, reason="invalid_grant")
        raise AmazonAuthorizationError("invalid_grant", NEEDS_REAUTHORIZATION) from failure
    raise failure
