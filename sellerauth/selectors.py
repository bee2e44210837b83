"""Reads of sellerauth."""

from django.db.models import QuerySet
from django.utils import timezone

from stores.models import AmazonStore

from .models import AuthorizationState, SellerAuthorization


def connected_store_queryset() -> QuerySet[AmazonStore]:
    """Return the stores that have a connection, with it."""
    return AmazonStore.objects.filter(connection__isnull=False).select_related("connection__authorization")


def authorization_candidates(*, store: AmazonStore) -> list[SellerAuthorization]:
    """Return the live authorizations of the store's region whose seller sells in the store's marketplace."""
    if hasattr(store, "connection"):
        return []
    market = store.marketplace_info
    authorizations = SellerAuthorization.objects.filter(
        region=market.region, state=AuthorizationState.ACTIVE, expires_at__gt=timezone.now()
    ).order_by("selling_partner_id")
    return [a for a in authorizations if market.marketplace_id in a.marketplace_ids]
