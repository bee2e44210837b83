"""
Writes of sellerauth: connecting a store to Amazon Seller Central, renewing and revoking an authorization, and
keeping it verified.

The callback follows step 2–3 of Amazon's website authorization workflow
(https://developer-docs.amazon.com/sp-api/docs/website-authorization-workflow) and checks in a fixed order:
error, state, parameters, (renewal: the seller is the authorization's), exchange, participations, the seller's
identity, the token saved on the seller's authorization, the store's marketplace, the link. The callback's
`selling_partner_id` comes through the browser, where anyone can edit it, and Amazon's token response does not
name the seller: a token is attached to a seller already known only when the store name the Sellers API gives
for the token is the one recorded for that seller. Every failure is an AuthorizationError (sellerauth/errors.py),
shown through one page; once the state names the store, the error names it too.
"""

import logging
import unicodedata
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import NoReturn
from urllib.parse import urlencode

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from stores.marketplaces import MARKETPLACES, Marketplace
from stores.models import AmazonStore, StoreEvent
from stores.services import store_event_record

from . import access_tokens, amazon_client
from .amazon_client import Participation, TokenSet
from .errors import AuthorizationError, StateError, TokenVaultError
from .locks import LockTimeout, cache_lock
from .models import (
    AUTHORIZATION_LIFETIME,
    AuthorizationPurpose,
    AuthorizationRequest,
    AuthorizationState,
    SellerAuthorization,
    StoreConnection,
    marketplace_names,
)
from .oauth_state import state_consume, state_issue
from .token_vault import token_encrypt, token_reencrypt

logger = logging.getLogger(__name__)

# One consent of a seller at a time (_one_consent_at_a_time): held no longer than gunicorn lets a request run (an
# exchange and a Sellers API call at Amazon's slowest), waited for no longer than a person waits for a page.
CONSENT_LOCK_HOLD = 150
CONSENT_LOCK_WAIT = 15


@dataclass(frozen=True)
class ConnectResult:
    store: AmazonStore | None  # None for a renewal, which is for the authorization and all its stores
    authorization: SellerAuthorization
    renewed: bool


@dataclass(frozen=True)
class _Consent:
    """What one completed consent brought: the seller the callback claims, the tokens, what Amazon says of them."""

    user: object
    seller_id: str
    region: str
    tokens: TokenSet
    participations: list[Participation]
    started: datetime

    @property
    def store_name(self) -> str:
        return next((p.store_name for p in self.participations if p.store_name), "")[:255]


class _SellerMismatch(Exception):
    """The token's seller is not the known seller the callback named."""

    def __init__(self, authorization: SellerAuthorization):
        super().__init__(authorization.selling_partner_id)
        self.authorization = authorization


def seller_identity_key(name: str) -> str:
    """Return the form of a seller's store name that the identity check compares."""
    return unicodedata.normalize("NFKC", name).casefold().strip()


def authorization_marketplace(*, authorization: SellerAuthorization) -> Marketplace:
    """Return the marketplace of one of the authorization's stores, or else the first of its region."""
    link = authorization.connections.select_related("store").order_by("store_id").first()
    if link is not None:
        return link.store.marketplace_info
    return next(m for m in MARKETPLACES.values() if m.region == authorization.region)


def seller_central_url(*, store: AmazonStore | None = None, marketplace: Marketplace | None = None) -> str:
    """Return the Seller Central base URL for a marketplace (or the store's): setting, then the code table."""
    if settings.AMAZON_SANDBOX_SELLER_CENTRAL_URL:
        url = settings.AMAZON_SANDBOX_SELLER_CENTRAL_URL
    else:
        market = marketplace or store.marketplace_info
        url = settings.AMAZON_SELLER_CENTRAL_URLS.get(market.code, market.seller_central_url).rstrip("/")
    return amazon_client.amazon_url(url=url)


def manage_apps_url(*, authorization: SellerAuthorization) -> str:
    """Return Seller Central's Manage Your Apps page for the authorization, where the seller removes an app."""
    return f"{seller_central_url(marketplace=authorization_marketplace(authorization=authorization))}/apps/manage"


@sensitive_variables("state", "params")
def _consent_url(*, base: str, state: str) -> str:
    params = {
        "application_id": settings.SPAPI_APPLICATION_ID,
        "state": state,
        "redirect_uri": settings.AMAZON_REDIRECT_URI,
    }
    if settings.AMAZON_APP_IS_DRAFT:
        params["version"] = "beta"
    return f"{base}/apps/authorize/consent?{urlencode(params)}"


def _stores_record(authorization: SellerAuthorization, *, kind: str, actor=None, details: dict) -> None:
    """Append the same line to the activity log of every store sharing the authorization."""
    for link in authorization.connections.select_related("store").order_by("store_id"):
        store_event_record(store=link.store, kind=kind, actor=actor, details=details)


@sensitive_variables("state")
def connect_start(*, request, store: AmazonStore) -> str:
    """Begin connecting (or reconnecting) a store; return the consent URL to send the browser to."""
    base = seller_central_url(store=store)  # first: a URL we may not use issues no state
    # Connecting a store again is still a connect: renewing is done for an authorization, by authorization staff.
    state = state_issue(request=request, purpose=AuthorizationPurpose.CONNECT, store=store)
    store_event_record(store=store, kind=StoreEvent.Kind.CONNECT_STARTED, actor=request.user)
    return _consent_url(base=base, state=state)


@sensitive_variables("state")
def authorization_renew_start(*, request, authorization: SellerAuthorization) -> str:
    """Begin renewing an authorization for every store sharing it; return the consent URL to send the browser to."""
    base = seller_central_url(marketplace=authorization_marketplace(authorization=authorization))
    state = state_issue(request=request, purpose=AuthorizationPurpose.RENEW, authorization=authorization)
    _stores_record(
        authorization, kind=StoreEvent.Kind.CONNECT_STARTED, actor=request.user, details={"purpose": "renew"}
    )
    return _consent_url(base=base, state=state)


@sensitive_variables("state", "amazon_state", "params")
def authorization_renew_from_seller_central(
    *, request, authorization: SellerAuthorization, callback_uri: str, amazon_state: str
) -> str:
    """Answer Seller Central's call of the Log-in URI with a renewal; return where to send the browser back to.

    `callback_uri` must already be checked (sellerauth.login_uri): the browser goes there with our state.
    """
    state = state_issue(request=request, purpose=AuthorizationPurpose.RENEW, authorization=authorization)
    _stores_record(
        authorization,
        kind=StoreEvent.Kind.CONNECT_STARTED,
        actor=request.user,
        details={"purpose": "renew", "started_in": "seller_central"},
    )
    params = {"amazon_state": amazon_state, "state": state, "redirect_uri": settings.AMAZON_REDIRECT_URI}
    if settings.AMAZON_APP_IS_DRAFT:
        params["version"] = "beta"
    return f"{callback_uri}?{urlencode(params)}"


@sensitive_variables("params")
def connect_complete(*, request, params: dict[str, str]) -> ConnectResult:
    """Finish a connection or a renewal from Amazon's callback parameters (already checked for shape)."""
    attempt = None
    try:
        attempt = state_consume(request=request, value=params.get("state", ""))
    except StateError:
        if not params.get("error"):
            raise
        # A cancel with a bad state is still just a cancel.
    try:
        if params.get("error"):
            _cancelled(params)
        return _finish(user=request.user, attempt=attempt, params=params)
    except AuthorizationError as error:
        if attempt is not None and attempt.purpose == AuthorizationPurpose.RENEW:
            details = {"purpose": "renew", "code": error.code}
            _stores_record(
                attempt.authorization, kind=StoreEvent.Kind.CONNECT_FAILED, actor=request.user, details=details
            )
        elif attempt is not None:
            error.store = attempt.store  # the result page and the store's activity log name it
        raise


@sensitive_variables("params")
def _finish(*, user, attempt: AuthorizationRequest, params: dict[str, str]) -> ConnectResult:
    """Do what the attempt's purpose says, whatever the URL says; a database failure on the way fails it cleanly."""
    try:
        if attempt.purpose == AuthorizationPurpose.RENEW:
            return _renew_finish(user=user, authorization=attempt.authorization, params=params)
        return _connect_finish(user=user, store=attempt.store, params=params)
    except DatabaseError:
        # A consent is saved in one transaction, rolled back by now: no token, date or link is half-written. The
        # state stays used, as Amazon's code is, so the user starts again.
        logger.exception("Saving Amazon's answer failed in the database; nothing was saved")
        raise AuthorizationError(
            "database_error",
            _(
                "This application could not save Amazon's answer, so nothing was changed. Try again in a moment; "
                "if it happens again, ask your administrator."
            ),
        ) from None


@sensitive_variables("params", "code")
def _code_and_seller(params: dict[str, str]) -> tuple[str, str]:
    code, seller_id = params.get("spapi_oauth_code"), params.get("selling_partner_id")
    if not code or not seller_id:
        raise AuthorizationError(
            "missing_parameters",
            _("Amazon's answer was incomplete (no authorization code or seller). Connect the store again."),
        )
    return code, seller_id


@contextmanager
def _one_consent_at_a_time(*, seller_id: str, region: str):
    """Exchange and save one consent of a seller at a time, across processes.

    Amazon may end a seller's earlier refresh tokens when it issues a new one, so of two consents the token to keep
    is the one Amazon issued last. Exchanged one at a time, the consent saved last is also the one exchanged last;
    overlapping, the first exchange could finish at Amazon after the second and its token be the only one alive.
    """
    with ExitStack() as held:
        try:
            held.enter_context(
                cache_lock(f"sellerauth:consent:{region}:{seller_id}", hold=CONSENT_LOCK_HOLD, wait=CONSENT_LOCK_WAIT)
            )
        except LockTimeout:
            raise AuthorizationError(
                "consent_in_progress",
                _(
                    "Another authorization of seller %(seller)s is being saved right now. Nothing was changed; "
                    "wait a moment and connect again."
                )
                % {"seller": seller_id},
                operator=f"Waited {CONSENT_LOCK_WAIT} s for another consent of {seller_id} in {region}.",
            ) from None
        yield


@sensitive_variables("code", "tokens")
def _consent_receive(*, user, code: str, seller_id: str, region: str) -> _Consent:
    """Exchange the code and ask the Sellers API who the token's seller is."""
    started = timezone.now()
    tokens = amazon_client.lwa_exchange_code(code=code)
    participations = amazon_client.spapi_marketplace_participations(region=region, access_token=tokens.access_token)
    return _Consent(user, seller_id, region, tokens, participations, started)


@sensitive_variables("params", "code", "consent")
def _connect_finish(*, user, store: AmazonStore, params: dict[str, str]) -> ConnectResult:
    code, seller_id = _code_and_seller(params)
    _refuse_other_seller(store, seller_id)
    with _one_consent_at_a_time(seller_id=seller_id, region=store.marketplace_info.region):
        consent = _consent_receive(user=user, code=code, seller_id=seller_id, region=store.marketplace_info.region)
        result = _consent_accept(consent=consent, store=store, warn=[store])
    if result.store is None:
        # The seller's token and dates are saved (its other stores keep working); only this link is refused.
        raise _wrong_marketplace(store, seller_id, consent.participations, saved=True)
    return result


@sensitive_variables("params", "code", "consent")
def _renew_finish(*, user, authorization: SellerAuthorization, params: dict[str, str]) -> ConnectResult:
    code, seller_id = _code_and_seller(params)
    stores = [link.store for link in authorization.connections.select_related("store")]
    if seller_id != authorization.selling_partner_id:
        # Checked before the code is exchanged, so the seller who consented keeps its current token too.
        _security_record(stores, user=user, claimed=seller_id, code="renew_other_seller", expected=authorization)
        raise AuthorizationError(
            "renew_other_seller",
            _(
                "This renewal is for seller %(expected)s%(name)s, but Amazon answered for seller %(other)s. Nothing "
                "was changed. Sign in to Seller Central as %(expected)s's primary user and renew again."
            )
            % {
                "expected": authorization.selling_partner_id,
                "name": f" ({authorization.seller_store_name})" if authorization.seller_store_name else "",
                "other": seller_id,
            },
        )
    with _one_consent_at_a_time(seller_id=seller_id, region=authorization.region):
        consent = _consent_receive(user=user, code=code, seller_id=seller_id, region=authorization.region)
        return _consent_accept(consent=consent, store=None, warn=stores)


@sensitive_variables("params")
def _cancelled(params: dict[str, str]) -> NoReturn:
    if params["error"] == "access_denied":
        message = _("You cancelled the authorization in Seller Central. Nothing was changed; connect again when ready.")
    else:
        message = _("Amazon ended the authorization with the error “%(error)s”. Nothing was changed; try again.") % {
            "error": params["error"]
        }
    raise AuthorizationError("cancelled" if params["error"] == "access_denied" else "amazon_error", message)


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


def _sells_in(store: AmazonStore, participations: list[Participation]) -> bool:
    wanted = store.marketplace_info.marketplace_id
    return any(p.marketplace_id == wanted and p.is_participating for p in participations)


def _wrong_marketplace(
    store: AmazonStore, seller_id: str, participations: list[Participation], *, saved: bool
) -> AuthorizationError:
    names = ", ".join(marketplace_names([p.marketplace_id for p in participations if p.is_participating])) or _("none")
    store_name = next((p.store_name for p in participations if p.store_name), "")
    values = {
        "seller": seller_id,
        "store_name": f" ({store_name})" if store_name else "",
        "country": store.marketplace_info.country,
        "names": names,
        "store": store.name,
    }
    if saved:
        message = _(
            "Seller %(seller)s%(store_name)s does not sell in %(country)s; it sells in: %(names)s. “%(store)s” was "
            "not connected to it. The seller's authorization itself was renewed with this consent, so the stores "
            "that use it keep working."
        )
    else:
        message = _(
            "Seller %(seller)s%(store_name)s does not sell in %(country)s; it sells in: %(names)s. Nothing was "
            "saved. Connect with the seller account that sells in %(country)s, or add a store for one of its "
            "marketplaces."
        )
    return AuthorizationError("wrong_marketplace", message % values)


def _security_record(stores, *, user, claimed: str, code: str, expected=None, amazon_store_name: str = "") -> None:
    """Record a refused answer for another seller in the stores' logs and warn the operator; never a token."""
    details = {"code": code, "claimed_seller": claimed}
    if expected is not None and expected.selling_partner_id != claimed:
        details["renewing_seller"] = expected.selling_partner_id
    if amazon_store_name:
        details["amazon_store_name"] = amazon_store_name
    for store in stores:
        store_event_record(store=store, kind=StoreEvent.Kind.SECURITY, actor=user, details=details)
    logger.warning(
        "Amazon authorization refused (%s): the answer claimed seller %s, which did not match; nothing was saved",
        code,
        claimed,
    )


@sensitive_variables("consent")
def _consent_accept(*, consent: _Consent, store: AmazonStore | None, warn: list[AmazonStore]) -> ConnectResult:
    """Save the consent on its seller's authorization, or refuse it all when the seller is not the one named."""
    try:
        return _consent_save(consent=consent, store=store)
    except _SellerMismatch as mismatch:
        known = mismatch.authorization
        # Amazon may have ended the signer's previous token with this consent: keep the new one for it.
        _signer_token_keep(consent)
        _security_record(
            warn,
            user=consent.user,
            claimed=consent.seller_id,
            code="seller_mismatch",
            amazon_store_name=consent.store_name,
        )
        raise AuthorizationError(
            "seller_mismatch",
            _(
                "Amazon answered for a different seller account than %(seller)s (%(name)s), so nothing was changed: "
                "sign in to Seller Central as that seller's primary user and try again."
            )
            % {"seller": known.selling_partner_id, "name": known.seller_store_name},
        ) from None


@sensitive_variables("consent")
def _signer_token_keep(consent: _Consent) -> SellerAuthorization | None:
    """Save a refused consent's token on the known seller whose store name it carries, if exactly one is.

    The token is that seller's own whatever the callback claimed: saving it means a refused answer never breaks
    the signer's working stores, even where Amazon ends a seller's earlier token at each new consent.
    """
    key = seller_identity_key(consent.store_name)
    if not key:
        return None
    with transaction.atomic():
        candidates = SellerAuthorization.objects.select_for_update().filter(
            region=consent.region, seller_store_name__iexact=consent.store_name.strip()
        )
        signers = [a for a in candidates.exclude(selling_partner_id=consent.seller_id) if a.refresh_token_encrypted]
        signers = [a for a in signers if seller_identity_key(a.seller_store_name) == key]
        if len(signers) != 1 or not _token_replace(signers[0], consent):
            return None
        signer = signers[0]
        signer.save()
        details = {"selling_partner_id": signer.selling_partner_id, "expires": signer.expires_at.date().isoformat()}
        _stores_record(signer, kind=StoreEvent.Kind.RENEWED, actor=consent.user, details=details)
    return signer


@sensitive_variables("consent")
def _consent_save(*, consent: _Consent, store: AmazonStore | None) -> ConnectResult:
    """Check identity, store the token and dates, link the store when it may be; all or nothing.

    With `store` None (a renewal) nothing is linked. A store whose marketplace the seller does not sell in is not
    linked: the token is still saved for a known seller, and nothing at all for a seller not known yet.
    """
    sells_here = store is None or _sells_in(store, consent.participations)
    with transaction.atomic():
        now = timezone.now()
        authorization, _created = SellerAuthorization.objects.select_for_update().get_or_create(
            selling_partner_id=consent.seller_id,
            region=consent.region,
            defaults={"granted_at": now, "expires_at": now + AUTHORIZATION_LIFETIME},
        )
        known = bool(authorization.seller_store_name)
        if known and seller_identity_key(authorization.seller_store_name) != seller_identity_key(consent.store_name):
            raise _SellerMismatch(authorization)
        if not sells_here and not known:
            # Rolls back an authorization just created: a seller we do not know yet leaves no trace.
            raise _wrong_marketplace(store, consent.seller_id, consent.participations, saved=False)
        replaced = _token_replace(authorization, consent)
        _participations_apply(authorization, consent.participations, now)
        authorization.save()
        details = {
            "selling_partner_id": authorization.selling_partner_id,
            "region": authorization.region,
            "expires": authorization.expires_at.date().isoformat(),
        }
        if replaced:
            links = authorization.connections.select_related("store")
            # The store being linked gets its own line below.
            for link in links.exclude(store=store) if store is not None and sells_here else links:
                store_event_record(store=link.store, kind=StoreEvent.Kind.RENEWED, actor=consent.user, details=details)
        if not sells_here:
            return ConnectResult(store=None, authorization=authorization, renewed=replaced)
        if store is None:
            return ConnectResult(store=None, authorization=authorization, renewed=True)
        relinked = StoreConnection.objects.filter(store=store).exists()
        StoreConnection.objects.update_or_create(
            store=store, defaults={"authorization": authorization, "connected_by": consent.user, "connected_at": now}
        )
        kind = StoreEvent.Kind.RENEWED if relinked else StoreEvent.Kind.CONNECTED
        store_event_record(store=store, kind=kind, actor=consent.user, details=details)
    return ConnectResult(store=store, authorization=authorization, renewed=relinked)


@sensitive_variables("consent", "tokens")
def _token_replace(authorization: SellerAuthorization, consent: _Consent) -> bool:
    """Put the consent's token and a new year on the authorization, unless a newer consent came first."""
    # A consent granted while this one was on its way has a newer token: keep it (a slower writer never wins).
    if authorization.refresh_token_encrypted and authorization.granted_at > consent.started:
        return False
    authorization.refresh_token_encrypted = token_encrypt(consent.tokens.refresh_token)
    # Dated from when this consent's code went to Amazon, not from when it is saved: of two consents saved in
    # either order, the one exchanged last (whose token Amazon issued last) is then always the one kept.
    authorization.granted_at = consent.started
    authorization.expires_at = consent.started + AUTHORIZATION_LIFETIME
    authorization.state = AuthorizationState.ACTIVE
    authorization.revoked_at, authorization.revoked_by = None, None
    authorization.verify_after, authorization.last_verify_error = None, ""
    tokens, pk = consent.tokens, authorization.pk
    transaction.on_commit(
        lambda: access_tokens.access_token_remember(
            authorization_id=pk, token=tokens.access_token, expires_in=tokens.expires_in
        )
    )
    return True


def _participations_apply(
    authorization: SellerAuthorization, participations: list[Participation], now
) -> dict[str, str] | None:
    """Record what Amazon says of the seller; return the old and new store name when the seller renamed it."""
    before = authorization.seller_store_name
    authorization.marketplace_ids = sorted(p.marketplace_id for p in participations if p.is_participating)
    # An answer without a store name keeps the known one: it is the seller's identity for the next consent.
    authorization.seller_store_name = next((p.store_name for p in participations if p.store_name), before)[:255]
    authorization.last_verified_at = now
    if before and seller_identity_key(before) != seller_identity_key(authorization.seller_store_name):
        return {"from": before, "to": authorization.seller_store_name}
    return None


@transaction.atomic
def authorization_revoke(*, authorization: SellerAuthorization, actor) -> bool:
    """Revoke an authorization here: wipe its token and recorded identity; its stores stay linked.

    Return False when it was revoked already. Amazon has no API for this: the seller also removes the app in
    Seller Central's Manage Your Apps.
    """
    locked = SellerAuthorization.objects.select_for_update().get(pk=authorization.pk)
    already = locked.state == AuthorizationState.REVOKED
    if not already:
        locked.refresh_token_encrypted = ""
        locked.state, locked.revoked_at, locked.revoked_by = AuthorizationState.REVOKED, timezone.now(), actor
        # The identity goes too: the seller's next consent records it afresh (how a renamed seller comes back).
        locked.seller_store_name, locked.marketplace_ids = "", []
        locked.verify_after = None
        locked.save()
        details = {"selling_partner_id": locked.selling_partner_id, "region": locked.region}
        _stores_record(locked, kind=StoreEvent.Kind.REVOKED, actor=actor, details=details)
    # Now, and again once committed, in case a refresh running meanwhile cached a token.
    access_tokens.access_token_forget(authorization_id=locked.pk)
    transaction.on_commit(lambda: access_tokens.access_token_forget(authorization_id=locked.pk))
    return not already


@sensitive_variables("token")
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
        # The stored token is trusted: a new store name here is the seller's rename, recorded on every store.
        renamed = _participations_apply(locked, participations, timezone.now())
        locked.save(update_fields=["marketplace_ids", "seller_store_name", "last_verified_at", "updated_at"])
        linked = [link.store for link in locked.connections.select_related("store").exclude(store=store)]
        for each in [store, *(linked if renamed else [])]:
            sells_here = each.marketplace_info.marketplace_id in locked.marketplace_ids
            details = {"outcome": "ok" if sells_here else "marketplace_missing", "marketplaces": locked.marketplace_ids}
            if renamed:
                details["seller_renamed"] = renamed
            store_event_record(store=each, kind=StoreEvent.Kind.VERIFIED, actor=actor, details=details)
    return locked


@sensitive_variables("token")
def connection_link_existing(*, store: AmazonStore, authorization: SellerAuthorization, actor) -> None:
    """Link a store to an authorization its seller already granted in this region, after a live check."""
    if hasattr(store, "connection") or authorization.region != store.marketplace_info.region:
        raise AuthorizationError("not_linkable", _("This store cannot use that authorization."))
    # Amazon first, outside any transaction: a refusal must be recorded, not rolled back.
    token = access_tokens.access_token_get(authorization=authorization)
    participations = amazon_client.spapi_marketplace_participations(region=authorization.region, access_token=token)
    if not _sells_in(store, participations):
        raise _wrong_marketplace(store, authorization.selling_partner_id, participations, saved=False)
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


@sensitive_variables("ciphertext")
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
                    progress(
                        _("Authorization %(id)s (%(authorization)s): cannot be decrypted with any key.")
                        % {"id": pk, "authorization": authorization}
                    )
                continue
            if not dry_run:
                authorization.refresh_token_encrypted = ciphertext
                authorization.save(update_fields=["refresh_token_encrypted", "updated_at"])
            counts["reencrypted"] += 1
    return counts
