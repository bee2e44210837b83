"""
The application's Log-in URI: which `amazon_callback_uri` it may send a browser to, and for which authorization.

Seller Central (its Appstore, Manage Your Apps › Re-Authorize, Amazon's renewal e-mails) opens the Log-in URI
with `amazon_callback_uri`, `amazon_state` and `selling_partner_id`; the application answers by sending the
browser to `amazon_callback_uri` with its own state
(https://developer-docs.amazon.com/sp-api/docs/selling-partner-appstore-authorization-workflow). Anyone can
make such a link, so the address is followed only when it is exactly Seller Central's confirm page for this
application: https, a host of AMAZON_CALLBACK_HOSTS (and the sandbox's own origin in sandbox mode), no
userinfo, no port, nothing encoded, the path /apps/authorize/confirm/{SPAPI_APPLICATION_ID}, no query or fragment.
"""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from stores.marketplaces import MARKETPLACES

from .amazon_client import plain_http_allowed
from .models import SellerAuthorization

CALLBACK_URI_MAX_LENGTH = 2048
# What a Seller Central confirm URL is made of: scheme, host, path and an application ID. No "%", "\", "@",
# "?", "#", spaces or non-ASCII characters, so nothing can hide another host inside it.
CALLBACK_URI_CHARACTERS = re.compile(r"[A-Za-z0-9:/._~-]+")
HOST_LABEL = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")


@dataclass(frozen=True)
class CallbackTarget:
    uri: str
    host: str


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _confirm_path() -> str:
    return f"/apps/authorize/confirm/{settings.SPAPI_APPLICATION_ID}"


def host_is_plain(host: str) -> bool:
    """Return whether a host name is plain lower-case ASCII labels (no IDNA/punycode, no trailing dot)."""
    labels = host.split(".")
    return all(HOST_LABEL.fullmatch(label) and not label.startswith("xn--") for label in labels)


def _sandbox_target(uri: str) -> CallbackTarget | None:
    """Return the target when `uri` is the sandbox's confirm page (sandbox mode only)."""
    sandbox = settings.AMAZON_SANDBOX_SELLER_CENTRAL_URL if settings.AMAZON_SANDBOX else ""
    if not sandbox:
        return None
    parts, base = urlsplit(uri), urlsplit(sandbox)
    if base.scheme != "https" and not plain_http_allowed():
        return None
    if _origin(uri) != _origin(sandbox) or parts.path != base.path.rstrip("/") + _confirm_path():
        return None
    return CallbackTarget(uri=uri, host=parts.hostname or "")


def callback_target(uri: str) -> CallbackTarget | None:
    """Return where the Log-in URI may send the browser for this `amazon_callback_uri`, or None: refuse it."""
    if len(uri) > CALLBACK_URI_MAX_LENGTH or not CALLBACK_URI_CHARACTERS.fullmatch(uri):
        return None
    if sandbox := _sandbox_target(uri):
        return sandbox
    parts = urlsplit(uri)
    host = parts.netloc.lower()  # no "@" or ":" below: the netloc is the bare host
    if not uri.startswith("https://") or ":" in parts.netloc or not host_is_plain(host):
        return None
    if host not in {allowed.lower() for allowed in settings.AMAZON_CALLBACK_HOSTS}:
        return None
    if parts.path != _confirm_path() or parts.query or parts.fragment:
        return None
    return CallbackTarget(uri=uri, host=host)


def _host_regions(host: str) -> set[str]:
    """Return the regions whose marketplaces have their Seller Central on this host."""
    overrides = settings.AMAZON_SELLER_CENTRAL_URLS
    return {
        m.region
        for m in MARKETPLACES.values()
        if urlsplit(overrides.get(m.code, m.seller_central_url)).hostname == host
    }


def authorizations_for_login(*, selling_partner_id: str, host: str) -> list[SellerAuthorization]:
    """Return the seller's authorizations that a Log-in URI call from `host` may renew (one, or the choices)."""
    authorizations = list(SellerAuthorization.objects.filter(selling_partner_id=selling_partner_id).order_by("region"))
    if len(authorizations) > 1:
        regions = _host_regions(host)
        matching = [a for a in authorizations if a.region in regions]
        if len(matching) == 1:
            return matching
    return authorizations
