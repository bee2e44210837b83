"""
Fault switches: make the next calls to the sandbox's LWA or SP-API fail the ways Amazon can fail.

Switches are consumed in the order they were armed, one call each, so a test can script a sequence
(for example 503 twice, then a 429).
"""

import time
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from .models import FaultMode, FaultSwitch, FaultTarget

# What each target answers, in the error shape of that service (LWA's OAuth errors, the SP-API's error list).
_LWA_ERRORS = {
    "500": ("server_error", "The server encountered an unexpected error."),
    "503": ("temporarily_unavailable", "The service is temporarily unavailable. Try again later."),
    "429": ("temporarily_unavailable", "The request was throttled. Try again later."),
}
_SPAPI_ERRORS = {
    "500": ("InternalFailure", "We encountered an internal error. Please try again."),
    "503": ("ServiceUnavailable", "Service is temporarily unavailable. Please try again."),
    "429": ("QuotaExceeded", "You exceeded your quota for the requested resource."),
}
_TRUNCATED = {
    FaultTarget.LWA: '{"access_token": "Atza|IwEBIA',
    FaultTarget.SPAPI: '{"payload": [{"marketplace": {"id": "ATVPDK',
}


def faults_arm(*, target: str, mode: str, times: int = 1, retry_after: int | None = None) -> FaultSwitch:
    """Make the next `times` calls to `target` ("lwa" or "spapi") answer with the fault `mode`."""
    if times < 1:
        raise ValidationError({"remaining": _("Arm a switch for one call or more.")})
    switch = FaultSwitch(target=target, mode=mode, remaining=times, retry_after=retry_after)
    switch.full_clean()
    switch.save()
    return switch


def faults_clear() -> None:
    """Disarm every fault switch."""
    FaultSwitch.objects.all().delete()


def faults_armed() -> list[FaultSwitch]:
    """Return the switches that still have calls to spoil, in the order they fire."""
    return list(FaultSwitch.objects.filter(remaining__gt=0))


def fault_take(*, target: str) -> FaultSwitch | None:
    """Consume one call of the first armed switch of a target and return it, or None when none is armed."""
    for switch in FaultSwitch.objects.filter(target=target, remaining__gt=0):
        # A conditional UPDATE, so two concurrent calls never both spend the last remaining one.
        if FaultSwitch.objects.filter(pk=switch.pk, remaining__gt=0).update(remaining=F("remaining") - 1):
            return switch
    return None


def fault_response(switch: FaultSwitch) -> HttpResponse:
    """Return the answer a switch stands for."""
    if switch.mode == FaultMode.TIMEOUT:
        time.sleep(getattr(settings, "AMAZON_SANDBOX_TIMEOUT_SECONDS", 20))
        return HttpResponse("Gateway Timeout", status=504, content_type="text/plain")
    if switch.mode == FaultMode.HTML:
        return HttpResponse(render_to_string("amazon_sandbox/gateway_error.html"), status=502)
    if switch.mode == FaultMode.MALFORMED_JSON:
        return HttpResponse(_TRUNCATED[switch.target], content_type="application/json")
    response = JsonResponse(_error_body(switch), status=int(switch.mode))
    if switch.mode == FaultMode.THROTTLED:
        response["Retry-After"] = str(switch.retry_after or 1)
    return response


def _error_body(switch: FaultSwitch) -> dict:
    if switch.target == FaultTarget.LWA:
        error, description = _LWA_ERRORS[switch.mode]
        return {"error": error, "error_description": description, "request_id": str(uuid.uuid4())}
    code, message = _SPAPI_ERRORS[switch.mode]
    return {"errors": [{"code": code, "message": message, "details": ""}]}


def fault_or_none(*, target: str) -> HttpResponse | None:
    """Return the fault answer for this call when a switch is armed for the target, else None."""
    switch = fault_take(target=target)
    return fault_response(switch) if switch else None
