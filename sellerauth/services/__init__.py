"""
Writes of sellerauth: connecting a store to Amazon Seller Central, renewing and revoking an authorization, and
keeping it verified.

- `connect`: the consent flow, from the redirect to Seller Central to the callback's checks;
- `consent`: saving what a completed consent brought on its seller's authorization, or refusing it;
- `lifecycle`: revoking, verifying, linking a store to an authorization already granted, re-encrypting tokens;
- `sellers`: what the others share about sellers, their stores and Seller Central.
"""

from .connect import (
    authorization_renew_from_seller_central,
    authorization_renew_start,
    connect_complete,
    connect_start,
)
from .consent import ConnectResult
from .lifecycle import (
    authorization_revoke,
    authorization_tokens_reencrypt,
    connection_link_existing,
    connection_verify,
)
from .sellers import authorization_marketplace, manage_apps_url, seller_central_url, seller_identity_key

__all__ = [
    "ConnectResult",
    "authorization_marketplace",
    "authorization_renew_from_seller_central",
    "authorization_renew_start",
    "authorization_revoke",
    "authorization_tokens_reencrypt",
    "connect_complete",
    "connect_start",
    "connection_link_existing",
    "connection_verify",
    "manage_apps_url",
    "seller_central_url",
    "seller_identity_key",
]
