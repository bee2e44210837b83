"""The sandbox's SP-API: the Sellers API's getMarketplaceParticipations, per region."""

import uuid

from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from ..faults import fault_or_none
from ..selectors import access_token_seller, participations_payload

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


@csrf_exempt
@login_not_required
@require_GET
def marketplace_participations(request, region: str):
    """Return the marketplaces the access token's seller participates in, as GET /sellers/v1/… does."""
    response = fault_or_none(target="spapi") or _participations(request, region=region.upper())
    response["x-amzn-RequestId"] = str(uuid.uuid4())
    return response


def _participations(request, *, region: str) -> JsonResponse:
    seller = access_token_seller(token=request.headers.get("x-amz-access-token", ""), region=region)
    if seller is None:
        return JsonResponse(UNAUTHORIZED, status=403)
    response = JsonResponse({"payload": participations_payload(seller=seller)})
    # The operation's documented rate, in requests per second.
    response["x-amzn-RateLimit-Limit"] = "0.016"
    return response
