"""Reads of the stores app."""

from django.db.models import QuerySet

from .models import AmazonStore, StoreEvent, name_key


def store_list(*, q: str = "", marketplace: str = "", status: str = "") -> QuerySet[AmazonStore]:
    """Return the stores for the home page, newest first, filtered."""
    stores = AmazonStore.objects.all()
    if q:
        # name_key is case-folded in Python, so the search ignores case in every script and database.
        stores = stores.filter(name_key__contains=name_key(q))
    if marketplace:
        stores = stores.filter(marketplace=marketplace)
    if status:
        stores = stores.filter(is_active=(status == "active"))
    return stores


def store_detail_queryset() -> QuerySet[AmazonStore]:
    """Return the stores with what the store dashboard shows."""
    return AmazonStore.objects.select_related(
        "website", "product_id_attribute", "created_by", "connection__authorization"
    )


def stores_exist() -> bool:
    return AmazonStore.objects.exists()


def store_events(*, store: AmazonStore, limit: int = 100) -> list[StoreEvent]:
    """Return the store's most recent activity, newest first."""
    return list(store.events.select_related("actor")[:limit])
