"""The sandbox's SP-API: the Sellers API's getMarketplaceParticipations, per region."""

import functools
import uuid

from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from ..faults import fault_or_none
from ..selectors import access_token_authorization, participations_payload
from ..usage import usage_plan, usage_take

# The SP-API's answer to an expired, revoked or malformed access token.
UNAUTHORIZED = {
    "errors": [
        {
            "code": "Unauthorized",
            "message": "Access to requested resource is denied.",
            "details": "The access token you provided is revoked, malformed or invalid.",
        }
    ]
}
# The answer to a call that finds its usage plan's bucket empty; Amazon sends no Retry-After with it.
QUOTA_EXCEEDED = {
    "errors": [
        {
            "code": "QuotaExceeded",
            "message": "You exceeded your quota for the requested resource.",
            "details": "",
        }
    ]
}


def spapi_answer(view):
    """Mark a view as an SP-API operation: no app sign-in or CSRF, and a request ID on every answer."""

    @csrf_exempt
    @login_not_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["x-amzn-RequestId"] = str(uuid.uuid4())
        return response

    return wrapper


@spapi_answer
@require_GET
def marketplace_participations(request, region: str):
    """Return the marketplaces the access token's seller participates in, as GET /sellers/v1/… does."""
    return fault_or_none(target="spapi") or _participations(request, region=region.upper())


def _participations(request, *, region: str) -> JsonResponse:
    operation = "getMarketplaceParticipations"
    authorization = access_token_authorization(token=request.headers.get("x-amz-access-token", ""), region=region)
    if authorization is None:
        return JsonResponse(UNAUTHORIZED, status=403)
    seller = authorization.seller
    if not usage_take(seller=seller, application_id=authorization.application_id, operation=operation):
        return JsonResponse(QUOTA_EXCEEDED, status=429)
    response = JsonResponse({"payload": participations_payload(seller=seller)})
    # The operation's rate, in requests per second.
    response["x-amzn-RateLimit-Limit"] = usage_plan(operation=operation).limit_header
    return response
