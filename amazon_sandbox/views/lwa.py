"""
The sandbox's Login with Amazon token endpoint: code exchange and refresh.

Steps 3 and 4 of https://developer-docs.amazon.com/sp-api/docs/website-authorization-workflow; errors as in
RFC 6749 section 5.2, which LWA follows.
"""

import base64
import binascii
import hmac
import json
from collections import Counter
from urllib.parse import unquote

from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_POST

from ..app import RegisteredApplication, registered_application
from ..faults import fault_or_none
from ..services import LwaError, access_token_refresh, authorization_code_exchange

MAX_PARAMETER_LENGTH = 4096


class _Pairs(list):
    """The (name, value) pairs of a JSON object, kept in order so that repeated names show."""


@csrf_exempt
@login_not_required
@require_POST
@sensitive_post_parameters("code", "refresh_token", "client_secret")
@sensitive_variables("params", "body")
def token(request):
    """Answer a token request as LWA's POST /auth/o2/token does."""
    fault = fault_or_none(target="lwa")
    if fault:
        return fault
    application = registered_application()
    try:
        params = _parameters(request)
        _client_authenticate(request, params, application=application)
        body = _grant(params, application=application)
    except LwaError as error:
        response = _json(error.body(), status=error.status)
        if error.status == 401 and "HTTP_AUTHORIZATION" in request.META:
            response["WWW-Authenticate"] = 'Basic realm="LWA"'
        return response
    return _json(body)


@sensitive_variables("params", "refresh_token")
def _grant(params: dict, *, application: RegisteredApplication) -> dict:
    grant_type = _required(params, "grant_type")
    if grant_type == "authorization_code":
        return authorization_code_exchange(
            code=_required(params, "code"),
            redirect_uri=_required(params, "redirect_uri"),
            application_id=application.application_id,
        )
    if grant_type == "refresh_token":
        refresh_token = _required(params, "refresh_token")
        return access_token_refresh(refresh_token=refresh_token, application_id=application.application_id)
    raise LwaError("unsupported_grant_type", f"The authorization grant type is not supported : {grant_type[:40]}")


@sensitive_variables("pairs")
def _parameters(request) -> dict:
    """Return the request's parameters, from a form or a JSON body, each given once."""
    if request.content_type == "application/json":
        try:
            pairs = json.loads(request.body, object_pairs_hook=_Pairs)
        except (ValueError, UnicodeDecodeError):
            raise LwaError("invalid_request", "The request body is not valid JSON.") from None
        if not isinstance(pairs, _Pairs) or not all(isinstance(value, str) for _, value in pairs):
            raise LwaError("invalid_request", "The request body must be a JSON object of strings.")
    elif request.content_type == "application/x-www-form-urlencoded":
        pairs = [(name, value) for name, values in request.POST.lists() for value in values]
    else:
        raise LwaError("invalid_request", "The Content-Type must be application/x-www-form-urlencoded.")
    repeated = [name for name, count in Counter(name for name, _ in pairs).items() if count > 1]
    if repeated:
        raise LwaError("invalid_request", f"The request has a duplicate parameter : {repeated[0][:40]}")
    return dict(pairs)


def _required(params: dict, name: str) -> str:
    value = params.get(name, "")
    if not value:
        raise LwaError("invalid_request", f"The request is missing a required parameter : {name}")
    if len(value) > MAX_PARAMETER_LENGTH:
        raise LwaError("invalid_request", f"The request has an invalid parameter : {name}")
    return value


@sensitive_variables("params", "basic", "client_secret")
def _client_authenticate(request, params: dict, *, application: RegisteredApplication) -> None:
    """Accept the client's ID and secret from the body or from HTTP Basic, never from both."""
    basic = _basic_credentials(request)
    if basic and ("client_id" in params or "client_secret" in params):
        raise LwaError("invalid_request", "The request uses more than one client authentication method.")
    client_id, client_secret = basic or (params.get("client_id", ""), params.get("client_secret", ""))
    # Both are compared in full, so the answer takes as long whichever one is wrong.
    id_ok = hmac.compare_digest(client_id.encode(), application.client_id.encode())
    secret_ok = hmac.compare_digest(client_secret.encode(), application.client_secret.encode())
    if not (id_ok and secret_ok):
        raise LwaError("invalid_client", "Client authentication failed", status=401)


@sensitive_variables("encoded", "client_secret")
def _basic_credentials(request) -> tuple[str, str] | None:
    scheme, _, encoded = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        client_id, _, client_secret = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise LwaError("invalid_client", "Client authentication failed", status=401) from None
    # RFC 6749 section 2.3.1: both halves are form-encoded before they are joined.
    return unquote(client_id.replace("+", " ")), unquote(client_secret.replace("+", " "))


def _json(body: dict, status: int = 200) -> JsonResponse:
    response = JsonResponse(body, status=status)
    # RFC 6749 section 5.1: token responses are never cached.
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response
