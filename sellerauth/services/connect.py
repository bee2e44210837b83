"""
The consent flow: a store connected, or an authorization renewed, through Seller Central.

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
from contextlib import ExitStack, contextmanager
from typing import NoReturn
from urllib.parse import urlencode

from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from stores.models import AmazonStore, StoreEvent
from stores.services import store_event_record

from .. import amazon_client
from ..errors import AuthorizationError, StateError
from ..locks import LockTimeout, cache_lock
from ..models import AuthorizationPurpose, AuthorizationRequest, SellerAuthorization, StoreConnection
from ..oauth_state import state_consume, state_issue
from .consent import ConnectResult, Consent, consent_accept, security_record
from .sellers import authorization_marketplace, seller_central_url, stores_record, wrong_marketplace

logger = logging.getLogger(__name__)

# One consent of a seller at a time (_one_consent_at_a_time): held no longer than gunicorn lets a request run (an
# exchange and a Sellers API call at Amazon's slowest), waited for no longer than a person waits for a page.
CONSENT_LOCK_HOLD = 150
CONSENT_LOCK_WAIT = 15


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
    stores_record(authorization, kind=StoreEvent.Kind.CONNECT_STARTED, actor=request.user, details={"purpose": "renew"})
    return _consent_url(base=base, state=state)


@sensitive_variables("state", "amazon_state", "params")
def authorization_renew_from_seller_central(
    *, request, authorization: SellerAuthorization, callback_uri: str, amazon_state: str
) -> str:
    """Answer Seller Central's call of the Log-in URI with a renewal; return where to send the browser back to.

    `callback_uri` must already be checked (sellerauth.login_uri): the browser goes there with our state.
    """
    state = state_issue(request=request, purpose=AuthorizationPurpose.RENEW, authorization=authorization)
    stores_record(
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
            stores_record(
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
def _consent_receive(*, user, code: str, seller_id: str, region: str) -> Consent:
    """Exchange the code and ask the Sellers API who the token's seller is."""
    started = timezone.now()
    tokens = amazon_client.lwa_exchange_code(code=code)
    participations = amazon_client.spapi_marketplace_participations(region=region, access_token=tokens.access_token)
    return Consent(user, seller_id, region, tokens, participations, started)


@sensitive_variables("params", "code", "consent")
def _connect_finish(*, user, store: AmazonStore, params: dict[str, str]) -> ConnectResult:
    code, seller_id = _code_and_seller(params)
    _refuse_other_seller(store, seller_id)
    with _one_consent_at_a_time(seller_id=seller_id, region=store.marketplace_info.region):
        consent = _consent_receive(user=user, code=code, seller_id=seller_id, region=store.marketplace_info.region)
        result = consent_accept(consent=consent, store=store, warn=[store])
    if result.store is None:
        # The seller's token and dates are saved (its other stores keep working); only this link is refused.
        raise wrong_marketplace(store, seller_id, consent.participations, saved=True)
    return result


@sensitive_variables("params", "code", "consent")
def _renew_finish(*, user, authorization: SellerAuthorization, params: dict[str, str]) -> ConnectResult:
    code, seller_id = _code_and_seller(params)
    stores = [link.store for link in authorization.connections.select_related("store")]
    if seller_id != authorization.selling_partner_id:
        # Checked before the code is exchanged, so the seller who consented keeps its current token too.
        security_record(stores, user=user, claimed=seller_id, code="renew_other_seller", expected=authorization)
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
        return consent_accept(consent=consent, store=None, warn=stores)


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
