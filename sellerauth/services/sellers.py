"""What the writes share about sellers: their identity, their stores' activity, Seller Central's addresses."""

import unicodedata

from django.conf import settings
from django.utils.translation import gettext as _

from stores.marketplaces import MARKETPLACES, Marketplace
from stores.models import AmazonStore
from stores.services import store_event_record

from .. import amazon_client
from ..amazon_client import Participation
from ..errors import AuthorizationError
from ..models import SellerAuthorization, marketplace_names


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


def stores_record(authorization: SellerAuthorization, *, kind: str, actor=None, details: dict) -> None:
    """Append the same line to the activity log of every store sharing the authorization."""
    for link in authorization.connections.select_related("store").order_by("store_id"):
        store_event_record(store=link.store, kind=kind, actor=actor, details=details)


def sells_in(store: AmazonStore, participations: list[Participation]) -> bool:
    wanted = store.marketplace_info.marketplace_id
    return any(p.marketplace_id == wanted and p.is_participating for p in participations)


def wrong_marketplace(
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


def participations_apply(
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
