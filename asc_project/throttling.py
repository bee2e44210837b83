"""
Sign-in throttling with django-axes: after ASC_LOGIN_FAILURE_LIMIT failed sign-ins of one account from one
address, that account is locked for that address for ASC_LOGIN_COOLOFF_MINUTES (each new attempt meanwhile
starts the wait again). Administrators unlock in the admin (Axes › Access attempts: delete the row) or with
`manage.py axes_reset_username USERNAME`.
"""

import ipaddress
import math

from axes.helpers import get_cool_off, get_failure_limit
from django.conf import settings
from django.shortcuts import render


def client_ip(request) -> str:
    """Return the address failures are counted for: the peer's, or the one the trusted proxies saw.

    X-Forwarded-For is anyone's to write: it counts only with ASC_PROXY_COUNT set to the number of proxies in
    front of the application, each of which appends the address it received the request from. The client's is
    then the ASC_PROXY_COUNT-th from the right; whatever stands left of it came from the client itself.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.ASC_PROXY_COUNT
    if proxies <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(hops) < proxies:
        return remote  # reached the application without passing every proxy
    try:
        return str(ipaddress.ip_address(hops[-proxies]))
    except ValueError:
        return remote


def lockout(request, original_response=None, credentials=None):
    """Explain a locked sign-in on the sign-in page's own layout, with 429 Too Many Requests."""
    cool_off = get_cool_off(request)
    minutes = max(1, math.ceil(cool_off.total_seconds() / 60)) if cool_off else None
    context = {"failure_limit": get_failure_limit(request, credentials), "minutes": minutes}
    response = render(request, "registration/locked_out.html", context, status=429)
    if cool_off:
        response["Retry-After"] = str(math.ceil(cool_off.total_seconds()))
    return response
