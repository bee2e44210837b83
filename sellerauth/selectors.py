"""Reads of sellerauth."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Prefetch, Q, QuerySet, Window
from django.utils import timezone

from stores.models import AmazonStore

from .models import AuthorizationState, SellerAuthorization, StoreConnection
from .status import ConnectionStatus, renewal_window

# The statuses that ask someone to renew: the home page's banner lists their stores.
ATTENTION = (ConnectionStatus.RENEWAL_DUE, ConnectionStatus.EXPIRED, ConnectionStatus.NEEDS_REAUTHORIZATION)


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


def authorization_status_conditions(*, now: datetime | None = None, prefix: str = "") -> dict[str, Q]:
    """Return the row condition of each derived status, as sellerauth/status.py derives it, for the database."""
    now = now or timezone.now()
    due_from = now + renewal_window()

    def row(**lookups) -> Q:
        return Q(**{f"{prefix}{name}": value for name, value in lookups.items()})

    # Written positively (state__in rather than a negation), so the conditions stay plain joins across relations.
    not_revoked = [AuthorizationState.ACTIVE, AuthorizationState.NEEDS_REAUTHORIZATION]
    return {
        ConnectionStatus.REVOKED: row(state=AuthorizationState.REVOKED),
        ConnectionStatus.EXPIRED: row(state__in=not_revoked, expires_at__lte=now),
        ConnectionStatus.NEEDS_REAUTHORIZATION: row(state=AuthorizationState.NEEDS_REAUTHORIZATION, expires_at__gt=now),
        ConnectionStatus.RENEWAL_DUE: row(
            state=AuthorizationState.ACTIVE, expires_at__gt=now, expires_at__lte=due_from
        ),
        ConnectionStatus.CONNECTED: row(state=AuthorizationState.ACTIVE, expires_at__gt=due_from),
    }


def authorization_status_q(*, statuses: Iterable[str], now: datetime | None = None, prefix: str = "") -> Q:
    """Return the condition matching authorizations in any of the statuses (Not connected matches none)."""
    conditions = authorization_status_conditions(now=now, prefix=prefix)
    matched = Q(pk__in=[])
    for status in statuses:
        matched |= conditions.get(status, Q(pk__in=[]))
    return matched


def authorization_list(*, status: str = "", region: str = "", q: str = "") -> QuerySet[SellerAuthorization]:
    """Return the authorizations for the Current Authorizations page, soonest expiry first, with their stores."""
    stores = StoreConnection.objects.select_related("store").order_by("store__name", "store_id")
    authorizations = SellerAuthorization.objects.prefetch_related(Prefetch("connections", queryset=stores))
    if status:
        statuses = ATTENTION if status == "attention" else [status]
        authorizations = authorizations.filter(authorization_status_q(statuses=statuses))
    if region:
        authorizations = authorizations.filter(region=region)
    if q:
        authorizations = authorizations.filter(Q(selling_partner_id__iexact=q) | Q(seller_store_name__icontains=q))
    return authorizations.order_by("expires_at", "pk")


@dataclass(frozen=True, slots=True)
class BannerStore:
    """What the renewal banner shows of a store and of the authorization it is connected through."""

    pk: int
    name: str
    auth_pk: int
    auth_state: str
    auth_expires_at: datetime
    auth_selling_partner_id: str


BANNER_FIELDS = {
    "pk": "id",
    "name": "name",
    "auth_pk": "connection__authorization__id",
    "auth_state": "connection__authorization__state",
    "auth_expires_at": "connection__authorization__expires_at",
    "auth_selling_partner_id": "connection__authorization__selling_partner_id",
}


def renewal_banner_stores(*, limit: int = 10) -> tuple[list[BannerStore], int]:
    """Return up to `limit` stores whose authorization asks for renewal, soonest expiry first, and how many in all.

    Those statuses (sellerauth.status) come to this: not revoked, and refused by Amazon or expiring within the
    renewal window. The home page asks on every view, so it is one query, through the expiry index, that counts
    the whole list beside the first rows.
    """
    asking = ~Q(connection__authorization__state=AuthorizationState.REVOKED) & (
        Q(connection__authorization__expires_at__lte=timezone.now() + renewal_window())
        | Q(connection__authorization__state=AuthorizationState.NEEDS_REAUTHORIZATION)
    )
    rows = list(
        AmazonStore.objects.filter(asking)
        .annotate(total=Window(Count("pk")))
        .order_by("connection__authorization__expires_at", "connection__authorization__id", "name", "pk")
        .values_list(*BANNER_FIELDS.values(), "total")[:limit]
    )
    return [BannerStore(*row[:-1]) for row in rows], rows[0][-1] if rows else 0
