"""Seller authorizations as the application stores them, for tests that start from a connected seller."""

from datetime import timedelta

from django.utils import timezone

from sellerauth.models import SellerAuthorization, StoreConnection
from sellerauth.token_vault import token_encrypt
from tests.factories import AmazonStoreFactory

US, CA, MX, GB = "ATVPDKIKX0DER", "A2EUQ1WTGCTBG2", "A1AM78C64UM0Y8", "A1F83G8C2ARO7P"
KNOWN_TOKEN = "Atzr|IwEBIA-known-seller-refresh-token-KNOWN-0123456789"


def authorization_create(
    *,
    seller: str,
    store_name: str,
    region: str = "NA",
    marketplace_ids=(US,),
    age_days: int = 100,
    token: str = KNOWN_TOKEN,
    **fields,
) -> SellerAuthorization:
    """Store an authorization granted `age_days` ago, with its seller's identity and an encrypted token."""
    granted = timezone.now() - timedelta(days=age_days)
    return SellerAuthorization.objects.create(
        selling_partner_id=seller,
        region=region,
        seller_store_name=store_name,
        marketplace_ids=list(marketplace_ids),
        refresh_token_encrypted=token_encrypt(token),
        granted_at=granted,
        expires_at=granted + timedelta(days=365),
        **fields,
    )


def store_link(authorization: SellerAuthorization, *, name: str, marketplace: str = "US"):
    """Add a store linked to the authorization."""
    store = AmazonStoreFactory(name=name, marketplace=marketplace)
    StoreConnection.objects.create(store=store, authorization=authorization)
    return store


def snapshot(authorization: SellerAuthorization) -> tuple:
    """Return everything a refused answer must leave as it was, read again from the database."""
    authorization.refresh_from_db()
    return (
        authorization.refresh_token_encrypted,
        authorization.granted_at,
        authorization.expires_at,
        authorization.seller_store_name,
        authorization.marketplace_ids,
        authorization.state,
        authorization.revoked_at,
        sorted(authorization.connections.values_list("store_id", flat=True)),
    )
