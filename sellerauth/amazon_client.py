"""
The only module that talks to Amazon: Login with Amazon (LWA) tokens and the Selling Partner API.

Every call has connect and read timeouts and goes only to https URLs (plain http only for the embedded
sandbox with DEBUG on). The code exchange is never retried (a code works once); refreshes and API reads retry
on connection errors, 408, 429 (honouring Retry-After), 500, 502, 503 and 504 with capped exponential backoff
and jitter, and never on invalid_grant or invalid_client. An SP-API 429 without Retry-After is not retried at
all: the operation's usage plan refills its bucket slowly (getMarketplaceParticipations: one request a minute),
so the error says when the bucket has room again. Every failure is an AmazonError with a code, a
sentence a merchant can act on and Amazon's request ID when it sent one. Nothing here logs a token.
"""

import json
import logging
import math
import random
import re
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

import requests
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from .errors import AmazonError, AuthorizationError

logger = logging.getLogger(__name__)

MAX_TOKEN_BYTES = 2048  # Amazon: each token is at most 2048 bytes.
MAX_RESPONSE_BYTES = 64 * 1024
RETRY_STATUSES = {408, 429, 500, 502, 503, 504}
MAX_ATTEMPTS = 4
BACKOFF_BASE = 0.5
BACKOFF_CAP = 8.0
# A Retry-After longer than this is not waited for while a person waits: the call fails and says when to retry.
RETRY_AFTER_LIMIT = 10.0
# SP-API usage plans (requests per second, per seller and application): a throttled call waits for the bucket.
# https://developer-docs.amazon.com/sp-api/docs/usage-plans-and-rate-limits
USAGE_PLAN_RATES = {"getMarketplaceParticipations": 0.016}
# Amazon's request IDs go into log lines: keep them to the characters they are made of.
REQUEST_ID = re.compile(r"[A-Za-z0-9-]{1,64}")
LWA_HEADERS = {"Content-Type": "application/x-www-form-urlencoded;charset=UTF-8", "Accept": "application/json"}

# Swapped in tests, so that retries do not sleep.
sleep = time.sleep


@dataclass(frozen=True)
class TokenSet:
    # Out of the repr: a TokenSet in a failing frame or a log line shows no token.
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_in: int


@dataclass(frozen=True)
class Participation:
    marketplace_id: str
    country_code: str
    name: str
    store_name: str
    is_participating: bool


UNAVAILABLE = _("Amazon is not answering properly right now. Nothing was saved; try again in a few minutes.")
THROTTLED = _("Amazon allows this check only about once a minute per seller. Nothing was saved; try again later.")
NOT_SECURE = _(
    "This application is not set up to reach Amazon securely, so nothing was sent. Ask your administrator; "
    "nothing was changed on your store."
)
# LWA's refusals, by error code, as the merchant reads them: for a code exchange, then for a refresh.
EXCHANGE_ERRORS = {
    "invalid_grant": _(
        "Amazon did not accept the authorization: it expired before it was completed (codes last five "
        "minutes) or was already used. Start the connection again and complete it without pausing."
    ),
}
NEEDS_REAUTHORIZATION = _(
    "Amazon no longer accepts this store's authorization (it was removed in Seller Central or has expired). "
    "Connect the store again."
)
REFRESH_ERRORS = {"invalid_grant": NEEDS_REAUTHORIZATION}
CLIENT_ERRORS = {
    "invalid_client": _(
        "Amazon did not accept this application's credentials. Ask your administrator to check the Login with "
        "Amazon client ID and secret; nothing was changed on your store."
    ),
    "unauthorized_client": _(
        "Amazon says this application may not be authorized this way. Ask your administrator to check the "
        "application's settings in Seller Central."
    ),
}
OPERATOR_HINTS = {
    "invalid_client": "LWA rejected the client credentials: check LWA_CLIENT_ID and LWA_CLIENT_SECRET "
    "(secrets must be rotated every 180 days in Seller Central, Develop Apps; while a rotation is under way, "
    "LWA_CLIENT_SECRET_PREVIOUS holds the secret being replaced).",
    "unauthorized_client": "LWA says the client may not use this grant: check the application's setup.",
}


def plain_http_allowed() -> bool:
    """Return whether Amazon's URLs may be plain http: only for the embedded sandbox on a development machine."""
    return settings.AMAZON_SANDBOX and settings.DEBUG


def amazon_url(*, url: str) -> str:
    """Return a configured Amazon URL, refusing anything but https outside the development sandbox."""
    if urlsplit(url).scheme != "https" and not plain_http_allowed():
        raise AuthorizationError(
            "amazon_url_not_https",
            NOT_SECURE,
            operator=f"The Amazon URL {url!r} is not https: use Amazon's https endpoints (plain http only with "
            "AMAZON_SANDBOX and DEBUG on); `manage.py check` lists every such setting.",
        )
    return url


def _timeout() -> tuple[float, float]:
    return (settings.AMAZON_CONNECT_TIMEOUT, settings.AMAZON_READ_TIMEOUT)


def _request_id(response: requests.Response, data: dict | None = None) -> str:
    """Return Amazon's ID of the request (SP-API: a header; LWA: the error body), for its support."""
    value = response.headers.get("x-amzn-RequestId") or str((data or {}).get("request_id", ""))
    return value if REQUEST_ID.fullmatch(value) else ""


@sensitive_variables("body", "data")
def _json_object(response: requests.Response) -> dict:
    """Return the response body as a JSON object, or raise: size, content and shape are checked."""
    body = response.content
    if len(body) > MAX_RESPONSE_BYTES:
        raise AmazonError("response_too_large", UNAVAILABLE, request_id=_request_id(response))
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise AmazonError("response_not_json", UNAVAILABLE, request_id=_request_id(response)) from None
    if not isinstance(data, dict):
        raise AmazonError("response_not_object", UNAVAILABLE, request_id=_request_id(response))
    return data


def _lwa_error(response: requests.Response, *, messages: dict) -> AmazonError:
    """Translate an LWA error response into the error the merchant (and operator) sees."""
    try:
        data = _json_object(response)
    except AmazonError:
        data = {}
    code, request_id = str(data.get("error", ""))[:64], _request_id(response, data)
    if response.status_code in RETRY_STATUSES or not code:
        return AmazonError(
            f"lwa_http_{response.status_code}", UNAVAILABLE, retry_after=_retry_after(response), request_id=request_id
        )
    message = (messages | CLIENT_ERRORS).get(
        code,
        _("Amazon refused the request (%(code)s). Try again; if it persists, ask your administrator.") % {"code": code},
    )
    return AmazonError(code, message, operator=OPERATOR_HINTS.get(code, ""), request_id=request_id)


@sensitive_variables("data", "access", "refresh", "tokens")
def _token_set(data: dict, *, expect_refresh: bool) -> TokenSet:
    """Check a token response: non-empty string tokens of at most 2048 bytes, bearer, integer expires_in."""
    access, refresh, expires_in = data.get("access_token"), data.get("refresh_token"), data.get("expires_in")
    token_type = data.get("token_type")
    tokens = [access, refresh] if expect_refresh or refresh is not None else [access]
    valid = (
        all(isinstance(t, str) and t and len(t.encode()) <= MAX_TOKEN_BYTES for t in tokens)
        and isinstance(token_type, str)
        and token_type.lower() == "bearer"
        and isinstance(expires_in, int)
        and not isinstance(expires_in, bool)
        and 0 < expires_in <= 86400
    )
    if not valid:
        raise AmazonError("token_response_invalid", UNAVAILABLE)
    return TokenSet(access_token=access, refresh_token=refresh or "", expires_in=expires_in)


@sensitive_variables("grant", "body", "client_secret")
def _lwa_post(grant: dict[str, str], *, client_secret: str) -> requests.Response:
    """POST a grant to the LWA token endpoint with the application's credentials, as Amazon documents it."""
    body = urlencode(grant | {"client_id": settings.LWA_CLIENT_ID, "client_secret": client_secret})
    url = amazon_url(url=settings.AMAZON_LWA_TOKEN_URL)
    return requests.post(url, data=body, headers=LWA_HEADERS, timeout=_timeout())


def _refuses_client(response: requests.Response) -> bool:
    """Return whether LWA refused the client's credentials (invalid_client)."""
    if response.status_code not in (400, 401):
        return False
    try:
        return _json_object(response).get("error") == "invalid_client"
    except AmazonError:
        return False


@sensitive_variables("previous", "client_secret")
def _lwa_with_secrets(send, *, what: str) -> requests.Response:
    """Call send(client_secret) with LWA_CLIENT_SECRET; if LWA refuses it, once more with the previous secret.

    While the client secret is rotated (every 180 days), LWA_CLIENT_SECRET_PREVIOUS holds the one being replaced:
    whichever of the two Amazon accepts at the moment, the calls go through.
    """
    response = send(settings.LWA_CLIENT_SECRET)
    previous = settings.LWA_CLIENT_SECRET_PREVIOUS
    if not previous or not _refuses_client(response):
        return response
    response = send(previous)
    if _refuses_client(response):
        logger.warning("%s: LWA refused both LWA_CLIENT_SECRET and LWA_CLIENT_SECRET_PREVIOUS (invalid_client)", what)
    else:
        logger.warning(
            "%s: LWA refused LWA_CLIENT_SECRET (invalid_client) and the call was made again with "
            "LWA_CLIENT_SECRET_PREVIOUS. Finish the rotation of the client secret: put the secret Seller Central "
            "shows (Develop Apps, LWA credentials) in LWA_CLIENT_SECRET, and empty LWA_CLIENT_SECRET_PREVIOUS once "
            "LWA accepts it, before the previous secret expires.",
            what,
        )
    return response


@sensitive_variables("code", "grant")
def lwa_exchange_code(*, code: str) -> TokenSet:
    """Exchange an authorization code for tokens (step 3 of the website authorization workflow); no retry."""
    # A plain form POST, like the refresh: LWA documents no more, and an OAuth library's parser is laxer than ours.
    grant = {"grant_type": "authorization_code", "code": code, "redirect_uri": settings.AMAZON_REDIRECT_URI}
    try:
        # Sending the code again with the previous secret does not spend it twice: invalid_client means the client
        # authentication failed, and RFC 6749 (section 4.1.3) has the server authenticate the client before it
        # checks the code (it must check that the code was issued to that client); section 5.2 reports that first
        # failure as invalid_client. A server that had spent the code anyway would answer invalid_grant: a clean
        # failure, as any other.
        response = _lwa_with_secrets(
            lambda client_secret: _lwa_post(grant, client_secret=client_secret), what="LWA code exchange"
        )
    except requests.RequestException as exc:
        logger.warning("LWA code exchange failed: %s", type(exc).__name__)
        raise AmazonError("lwa_unreachable", UNAVAILABLE) from None
    if response.status_code != 200:
        raise _lwa_error(response, messages=EXCHANGE_ERRORS)
    return _token_set(_json_object(response), expect_refresh=True)


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    try:
        seconds = float(value)
    except ValueError:
        return None  # an HTTP date, or garbage: fall back to our own backoff
    return max(seconds, 0.0) if math.isfinite(seconds) else None


def _backoff(attempt: int) -> float:
    return random.uniform(0, min(BACKOFF_CAP, BACKOFF_BASE * 2**attempt))  # noqa: S311  (jitter, not secrecy)


def _bucket_wait(operation: str) -> float:
    """Return the seconds an empty usage-plan bucket of the operation takes to hold one request again."""
    return float(math.ceil(1 / USAGE_PLAN_RATES[operation]))


def _with_retries(send, *, what: str, retry_throttled: bool = True) -> requests.Response:
    """Call send() until it gives a final answer; return the last response or raise on exhaustion.

    With retry_throttled false, a 429 without Retry-After is final at once: waiting seconds would only spend
    the next request of a bucket that refills in about a minute.
    """
    for attempt in range(MAX_ATTEMPTS):
        last = attempt == MAX_ATTEMPTS - 1
        try:
            response = send()
        except requests.RequestException as exc:
            logger.warning("%s: %s (attempt %d)", what, type(exc).__name__, attempt + 1)
            if last:
                raise AmazonError("amazon_unreachable", UNAVAILABLE) from None
            sleep(_backoff(attempt))
            continue
        if response.status_code not in RETRY_STATUSES or last:
            return response
        wait = _retry_after(response) if response.status_code == 429 else None
        if wait is not None and wait > RETRY_AFTER_LIMIT:
            return response
        if response.status_code == 429 and wait is None and not retry_throttled:
            return response
        logger.warning("%s: HTTP %d (attempt %d)", what, response.status_code, attempt + 1)
        sleep(wait if wait is not None else _backoff(attempt))
    raise AssertionError("unreachable")  # pragma: no cover


@sensitive_variables("refresh_token", "grant")
def lwa_refresh(*, refresh_token: str) -> TokenSet:
    """Return a fresh access token for a refresh token, retrying what is worth retrying."""
    grant = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    response = _lwa_with_secrets(
        lambda client_secret: _with_retries(lambda: _lwa_post(grant, client_secret=client_secret), what="LWA refresh"),
        what="LWA refresh",
    )
    if response.status_code != 200:
        raise _lwa_error(response, messages=REFRESH_ERRORS)
    return _token_set(_json_object(response), expect_refresh=False)


def _participation(item) -> Participation:
    marketplace, participation = item["marketplace"], item["participation"]
    values = Participation(
        marketplace_id=marketplace["id"],
        country_code=marketplace["countryCode"],
        name=marketplace["name"],
        store_name=item.get("storeName", ""),
        is_participating=participation["isParticipating"],
    )
    if not all(
        isinstance(v, str) and len(v) <= 255
        for v in (values.marketplace_id, values.country_code, values.name, values.store_name)
    ):
        raise TypeError("participation field")
    if not isinstance(values.is_participating, bool):
        raise TypeError("isParticipating")
    return values


@sensitive_variables("access_token", "headers")
def spapi_marketplace_participations(*, region: str, access_token: str) -> list[Participation]:
    """Return the seller's marketplaces (GET /sellers/v1/marketplaceParticipations)."""
    url = f"{amazon_url(url=settings.AMAZON_SPAPI_ENDPOINTS[region])}/sellers/v1/marketplaceParticipations"
    headers = {"x-amz-access-token": access_token, "Accept": "application/json"}
    response = _with_retries(
        lambda: requests.get(url, headers=headers, timeout=_timeout()), what="SP-API sellers", retry_throttled=False
    )
    request_id = _request_id(response)
    if response.status_code == 403:
        raise AmazonError(
            "spapi_forbidden",
            _("Amazon refused access to the seller account. Connect the store again to renew the authorization."),
            request_id=request_id,
        )
    if response.status_code == 429:
        raise AmazonError(
            "spapi_http_429",
            THROTTLED,
            retry_after=_retry_after(response) or _bucket_wait("getMarketplaceParticipations"),
            request_id=request_id,
        )
    if response.status_code != 200:
        raise AmazonError(
            f"spapi_http_{response.status_code}",
            UNAVAILABLE,
            retry_after=_retry_after(response),
            request_id=request_id,
        )
    payload = _json_object(response).get("payload")
    try:
        return [_participation(item) for item in payload]
    except (KeyError, TypeError, AttributeError):
        raise AmazonError("spapi_response_invalid", UNAVAILABLE, request_id=request_id) from None
