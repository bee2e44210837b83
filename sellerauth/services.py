"""
Writes of sellerauth: connecting a store to Amazon Seller Central and keeping the connection verified.

The callback follows step 2–3 of Amazon's website authorization workflow
(https://developer-docs.amazon.com/sp-api/docs/website-authorization-workflow) and checks in a fixed order:
error, state, parameters, exchange, verify, save. Every failure is an AuthorizationError (sellerauth/errors.py),
shown through one page; once the state names the store, the error names it too.
"""

import contextlib
from dataclasses import dataclass
from datetime import datetime
from typing import NoReturn
from urllib.parse import urlencode

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from stores.models import AmazonStore, StoreEvent
from stores.services import store_event_record

from . import access_tokens, amazon_client
from .amazon_client import Participation, TokenSet
from .errors import AuthorizationError, StateError, TokenVaultError
from .models import (
    AUTHORIZATION_LIFETIME,
    AuthorizationPurpose,
    AuthorizationState,
    SellerAuthorization,
    StoreConnection,
    marketplace_names,
)
from .oauth_state import state_consume, state_issue
from .token_vault import token_encrypt, token_reencrypt


@dataclass(frozen=True)
class ConnectResult:
    store: AmazonStore
    authorization: SellerAuthorization
    renewed: bool


def seller_central_url(*, store: AmazonStore) -> str:
    """Return the Seller Central base URL for the store's marketplace (setting, then the code table)."""
    if settings.AMAZON_SANDBOX_SELLER_CENTRAL_URL:
        url = settings.AMAZON_SANDBOX_SELLER_CENTRAL_URL
    else:
        market = store.marketplace_info
        url = settings.AMAZON_SELLER_CENTRAL_URLS.get(market.code, market.seller_central_url).rstrip("/")
    return amazon_client.amazon_url(url=url)


def connect_start(*, request, store: AmazonStore) -> str:
    """Begin connecting (or renewing) a store; return the consent URL to send the browser to."""
    consent = f"{seller_central_url(store=store)}/apps/authorize/consent"
    # Connecting a store again is still a connect: renewing is done for an authorization, by authorization staff.
    state = state_issue(request=request, store=store, purpose=AuthorizationPurpose.CONNECT)
    store_event_record(store=store, kind=StoreEvent.Kind.CONNECT_STARTED, actor=request.user)
    params = {
        "application_id": settings.SPAPI_APPLICATION_ID,
        "state": state,
        "redirect_uri": settings.AMAZON_REDIRECT_URI,
    }
    if settings.AMAZON_APP_IS_DRAFT:
        params["version"] = "beta"
    return f"{consent}?{urlencode(params)}"


def connect_complete(*, request, params: dict[str, str]) -> ConnectResult:
    """Finish a connection from Amazon's callback parameters (already checked for shape)."""
    if params.get("error"):
        _cancelled(request, params)
    attempt = state_consume(request=request, value=params.get("state", ""))
    try:
        return _connect_finish(user=request.user, store=attempt.store, params=params)
    except AuthorizationError as error:
        error.store = attempt.store  # the result page and the store's activity log name it
        raise


def _connect_finish(*, user, store: AmazonStore, params: dict[str, str]) -> ConnectResult:
    code, seller_id = params.get("spapi_oauth_code"), params.get("selling_partner_id")
    if not code or not seller_id:
        raise AuthorizationError(
            "missing_parameters",
            _("Amazon's answer was incomplete (no authorization code or seller). Connect the store again."),
        )
    _refuse_other_seller(store, seller_id)
    started = timezone.now()
    tokens = amazon_client.lwa_exchange_code(code=code)
    participations = amazon_client.spapi_marketplace_participations(
        region=store.marketplace_info.region, access_token=tokens.access_token
    )
    _require_marketplace(store, seller_id, participations)
    return _connection_save(
        user=user, store=store, seller_id=seller_id, tokens=tokens, participations=participations, started=started
    )


def _cancelled(request, params: dict[str, str]) -> NoReturn:
    store = None
    with contextlib.suppress(StateError):  # a cancel with a bad state is still just a cancel
        store = state_consume(request=request, value=params.get("state", "")).store
    if params["error"] == "access_denied":
        message = _("You cancelled the authorization in Seller Central. Nothing was changed; connect again when ready.")
    else:
        message = _("Amazon ended the authorization with the error “%(error)s”. Nothing was changed; try again.") % {
            "error": params["error"]
        }
    code = "cancelled" if params["error"] == "access_denied" else "amazon_error"
    raise AuthorizationError(code, message, store=store)


def _refuse_other_seller(store: AmazonStore, seller_id: str) -> None:
    connection = StoreConnection.objects.filter(store=store).select_related("authorization").first()
    if connection and connection.authorization.selling_partner_id != seller_id:
        raise AuthorizationError(
            "different_seller",
            _(
                "This store is connected to seller %(linked)s, but Amazon answered for seller %(other)s. Nothing was "
                "changed. Sign in to Seller Central as %(linked)s's primary user, or add another store for the other "
                "seller."
            )
            % {"linked": connection.authorization.selling_partner_id, "other": seller_id},
        )


def _require_marketplace(store: AmazonStore, seller_id: str, participations: list[Participation]) -> None:
    wanted = store.marketplace_info.marketplace_id
    if any(p.marketplace_id == wanted and p.is_participating for p in participations):
        return
    names = ", ".join(marketplace_names([p.marketplace_id for p in participations if p.is_participating])) or _("none")
    store_name = next((p.store_name for p in participations if p.store_name), "")
    raise AuthorizationError(
        "wrong_marketplace",
        _(
            "Seller %(seller)s%(store_name)s does not sell in %(country)s; it sells in: %(names)s. Nothing was "
            "saved. Connect with the seller account that sells in %(country)s, or add a store for one of its "
            "marketplaces."
        )
        % {
            "seller": seller_id,
            "store_name": f" ({store_name})" if store_name else "",
            "country": store.marketplace_info.country,
            "names": names,
        },
    )


@transaction.atomic
def _connection_save(
    *,
    user,
    store: AmazonStore,
    seller_id: str,
    tokens: TokenSet,
    participations: list[Participation],
    started: datetime,
) -> ConnectResult:
    """Store the token, the authorization's dates, the link and the event, all or nothing."""
    region = store.marketplace_info.region
    now = timezone.now()
    authorization, created = SellerAuthorization.objects.select_for_update().get_or_create(
        selling_partner_id=seller_id,
        region=region,
        defaults={"granted_at": now, "expires_at": now + AUTHORIZATION_LIFETIME},
    )
    # A consent granted while this one was on its way has a newer token: keep it.
    if created or authorization.granted_at <= started:
        authorization.refresh_token_encrypted = token_encrypt(tokens.refresh_token)
        authorization.granted_at, authorization.expires_at = now, now + AUTHORIZATION_LIFETIME
        transaction.on_commit(
            lambda: access_tokens.access_token_remember(
                authorization_id=authorization.pk, token=tokens.access_token, expires_in=tokens.expires_in
            )
        )
    _participations_apply(authorization, participations, now)
    authorization.state = AuthorizationState.ACTIVE
    authorization.save()
    renewed = StoreConnection.objects.filter(store=store).exists()
    StoreConnection.objects.update_or_create(
        store=store, defaults={"authorization": authorization, "connected_by": user, "connected_at": now}
    )
    store_event_record(
        store=store,
        kind=StoreEvent.Kind.RENEWED if renewed else StoreEvent.Kind.CONNECTED,
        actor=user,
        details={
            "selling_partner_id": seller_id,
            "region": region,
            "expires": authorization.expires_at.date().isoformat(),
        },
    )
    return ConnectResult(store=store, authorization=authorization, renewed=renewed)


def _participations_apply(authorization: SellerAuthorization, participations: list[Participation], now) -> None:
    authorization.marketplace_ids = sorted(p.marketplace_id for p in participations if p.is_participating)
    authorization.seller_store_name = next((p.store_name for p in participations if p.store_name), "")[:255]
    authorization.last_verified_at = now


def connection_verify(*, store: AmazonStore, actor) -> SellerAuthorization:
    """Call Amazon with the store's authorization and record what it says; raise AuthorizationError on failure."""
    authorization = store.connection.authorization
    try:
        token = access_tokens.access_token_get(authorization=authorization)
        participations = amazon_client.spapi_marketplace_participations(region=authorization.region, access_token=token)
    except AuthorizationError as error:
        store_event_record(
            store=store, kind=StoreEvent.Kind.VERIFIED, actor=actor, details={"outcome": "failed", "code": error.code}
        )
        raise
    with transaction.atomic():
        locked = SellerAuthorization.objects.select_for_update().get(pk=authorization.pk)
        _participations_apply(locked, participations, timezone.now())
        locked.save(update_fields=["marketplace_ids", "seller_store_name", "last_verified_at", "updated_at"])
        sells_here = store.marketplace_info.marketplace_id in locked.marketplace_ids
        store_event_record(
            store=store,
            kind=StoreEvent.Kind.VERIFIED,
            actor=actor,
            details={"outcome": "ok" if sells_here else "marketplace_missing", "marketplaces": locked.marketplace_ids},
        )
    return locked


def connection_link_existing(*, store: AmazonStore, authorization: SellerAuthorization, actor) -> None:
    """Link a store to an authorization its seller already granted in this region, after a live check."""
    if hasattr(store, "connection") or authorization.region != store.marketplace_info.region:
        raise AuthorizationError("not_linkable", _("This store cannot use that authorization."))
    # Amazon first, outside any transaction: a refusal must be recorded, not rolled back.
    token = access_tokens.access_token_get(authorization=authorization)
    participations = amazon_client.spapi_marketplace_participations(region=authorization.region, access_token=token)
    _require_marketplace(store, authorization.selling_partner_id, participations)
    try:
        with transaction.atomic():
            AmazonStore.objects.select_for_update().filter(pk=store.pk).exists()
            locked = SellerAuthorization.objects.select_for_update().get(pk=authorization.pk)
            _participations_apply(locked, participations, timezone.now())
            locked.save()
            StoreConnection.objects.create(store=store, authorization=locked, connected_by=actor)
            store_event_record(
                store=store,
                kind=StoreEvent.Kind.CONNECTED,
                actor=actor,
                details={"selling_partner_id": locked.selling_partner_id, "region": locked.region, "shared": True},
            )
    except IntegrityError:
        # Linked or connected a moment ago, by a double click or another tab.
        raise AuthorizationError(
            "not_linkable", _("This store was connected meanwhile; nothing else was changed.")
        ) from None


def authorization_tokens_reencrypt(*, dry_run: bool = False, progress=None) -> dict:
    """Re-encrypt every stored refresh token under the newest key; report how many failed to decrypt."""
    counts = {"reencrypted": 0, "failed": 0}
    ids = SellerAuthorization.objects.exclude(refresh_token_encrypted="").values_list("pk", flat=True)
    for pk in ids.iterator():
        with transaction.atomic():
            authorization = SellerAuthorization.objects.select_for_update().get(pk=pk)
            try:
                ciphertext = token_reencrypt(authorization.refresh_token_encrypted)
            except TokenVaultError:
                counts["failed"] += 1
                if progress:
                    progress(f"Authorization {pk} ({authorization}): cannot be decrypted with any key.")
                continue
            if not dry_run:
                authorization.refresh_token_encrypted = ciphertext
                authorization.save(update_fields=["refresh_token_encrypted", "updated_at"])
            counts["reencrypted"] += 1
    return counts
