"""
Verifying authorizations with Amazon: the scheduled job's and the Verify button's, one authorization at a time.

A verification refreshes the access token and reads the seller's marketplace participations with it. Only
Amazon refusing the refresh (invalid_grant) proves that an authorization is gone: access_tokens marks it Needs
re-authorization, and its contacts are told once. Anything else (the network, a 5xx, throttling, a 403) is
recorded with Amazon's request ID and tried again later, after the usage plan's bucket has room again or an
exponential backoff; it never marks anything lost.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stores.models import StoreEvent
from stores.services import store_event_record

from . import access_tokens, amazon_client
from .amazon_client import Participation
from .errors import AmazonError, AuthorizationError
from .models import AuthorizationState, SellerAuthorization, StoreConnection

logger = logging.getLogger(__name__)

RETRY_FIRST = timedelta(minutes=15)
RETRY_MAX = timedelta(days=1)

# The last verification error, in words, for the Current Authorizations page.
ERROR_TEXTS = {
    "spapi_http_429": _("Amazon throttled the check; it is tried again when its quota allows."),
    "amazon_unreachable": _("Amazon could not be reached; it is tried again later."),
    "lwa_unreachable": _("Amazon could not be reached; it is tried again later."),
    "spapi_forbidden": _("Amazon refused access to the seller account (403)."),
    "invalid_grant": _("Amazon no longer accepts this authorization."),
    "token_undecryptable": _("The stored authorization can no longer be read."),
    "invalid_client": _("Amazon did not accept this application's credentials."),
    "refresh_lock_timeout": _("Another process was refreshing the access token for too long."),
}


def verify_error_text(code: str) -> str:
    """Return the last verification error in words."""
    if code in ERROR_TEXTS:
        return str(ERROR_TEXTS[code])
    if code.startswith(("spapi_http_5", "lwa_http_5")):
        return str(_("Amazon had a server error; it is tried again later."))
    return str(_("Amazon's answer could not be used (%(code)s); it is tried again later.")) % {"code": code}


@dataclass(frozen=True)
class VerifyResult:
    outcome: str  # ok, retry (recorded, tried later), lost (Amazon refused the grant), skipped (not active)
    authorization: SellerAuthorization | None
    error: AuthorizationError | None = None
    renamed: bool = False


def authorization_verify(*, authorization: SellerAuthorization, actor=None) -> VerifyResult:
    """Ask Amazon about the authorization with its stored token and record the answer, good or bad."""
    if authorization.state != AuthorizationState.ACTIVE:
        return VerifyResult("skipped", authorization)
    try:
        token = access_tokens.access_token_get(authorization=authorization)
        participations = amazon_client.spapi_marketplace_participations(region=authorization.region, access_token=token)
    except AuthorizationError as error:
        return _failed(authorization, error, actor)
    return _verified(authorization, participations, actor)


def _verified(authorization: SellerAuthorization, participations: list[Participation], actor) -> VerifyResult:
    now = timezone.now()
    with transaction.atomic():
        locked = SellerAuthorization.objects.select_for_update().get(pk=authorization.pk)
        if locked.state != AuthorizationState.ACTIVE:  # revoked or lost while Amazon answered: keep that
            return VerifyResult("skipped", locked)
        previous = locked.seller_store_name
        # An answer without a store name keeps the known one: it is the seller's identity for the next consent.
        current = next((p.store_name for p in participations if p.store_name), "")[:255] or previous
        locked.seller_store_name = current
        locked.marketplace_ids = sorted(p.marketplace_id for p in participations if p.is_participating)
        locked.last_verified_at = now
        locked.verify_after = now + timedelta(hours=settings.ASC_VERIFY_INTERVAL_HOURS)
        locked.last_verify_error = ""
        locked.save()
        renamed = bool(previous) and previous != current
        for link in StoreConnection.objects.filter(authorization=locked).select_related("store"):
            sells_here = link.store.marketplace_info.marketplace_id in locked.marketplace_ids
            details = {"outcome": "ok" if sells_here else "marketplace_missing", "marketplaces": locked.marketplace_ids}
            if renamed:
                details["seller_renamed"] = {"from": previous, "to": current}
            store_event_record(store=link.store, kind=StoreEvent.Kind.VERIFIED, actor=actor, details=details)
    if renamed:
        logger.warning("Seller %s renamed its store on Amazon (authorization %s)", locked.selling_partner_id, locked.pk)
    return VerifyResult("ok", locked, renamed=renamed)


def _retry_delay(authorization: SellerAuthorization, error: AuthorizationError) -> timedelta:
    """Return how long to wait: the usage plan's bucket (or Retry-After) when throttled, else a doubling backoff."""
    retry_after = getattr(error, "retry_after", None)
    if error.code == "spapi_http_429" and retry_after:
        return timedelta(seconds=retry_after)
    # The previous wait, when the previous verification failed too: the failure set both fields at once.
    previous = None
    if authorization.last_verify_error and authorization.verify_after:
        previous = authorization.verify_after - authorization.updated_at
    delay = min(previous * 2, RETRY_MAX) if previous and previous >= RETRY_FIRST else RETRY_FIRST
    return max(delay, timedelta(seconds=retry_after or 0))


def _failed(authorization: SellerAuthorization, error: AuthorizationError, actor) -> VerifyResult:
    if error.code == "not_active":  # marked lost or revoked by someone else a moment ago
        return VerifyResult("skipped", authorization, error)
    lost = error.code in access_tokens.LOST  # access_tokens marked it, and queued the notice to its contacts
    now = timezone.now()
    verify_after = None if lost else now + _retry_delay(authorization, error)
    SellerAuthorization.objects.filter(pk=authorization.pk).update(
        last_verify_error=error.code[:64], verify_after=verify_after, updated_at=now
    )
    request_id = error.request_id if isinstance(error, AmazonError) else ""
    details = {"outcome": "lost" if lost else "failed", "code": error.code}
    if request_id:
        details["amazon_request_id"] = request_id
    if verify_after:
        details["retry_after"] = verify_after.isoformat(timespec="seconds")
    for link in StoreConnection.objects.filter(authorization_id=authorization.pk).select_related("store"):
        store_event_record(store=link.store, kind=StoreEvent.Kind.VERIFIED, actor=actor, details=details)
    logger.warning(
        "Verification of authorization %s failed (%s)%s; %s",
        authorization.pk,
        error.code,
        f" [Amazon request {request_id}]" if request_id else "",
        "it needs re-authorization" if lost else f"tried again after {verify_after:%Y-%m-%d %H:%M:%S %Z}",
    )
    return VerifyResult("lost" if lost else "retry", authorization, error)


def verification_due_queryset(*, now: datetime | None = None):
    """Return the active authorizations whose verification is due: never verified, or verify_after passed."""
    now = now or timezone.now()
    return SellerAuthorization.objects.filter(state=AuthorizationState.ACTIVE).filter(
        Q(verify_after__isnull=True) | Q(verify_after__lte=now)
    )
