"""Reads of sellerauth."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from django.db import connection
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from stores import sql
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


@cache
def _banner_sql() -> str:
    """The banner's query, written once from the models' tables and columns."""
    store, link, auth = AmazonStore, StoreConnection, SellerAuthorization
    state, expires_at = sql.column(auth, "state"), sql.column(auth, "expires_at")
    return (
        f"SELECT {sql.column(store, 'id')}, {sql.column(store, 'name')}, {sql.column(auth, 'id')}, {state}, "  # noqa: S608
        f"{expires_at}, {sql.column(auth, 'selling_partner_id')}, COUNT(*) OVER () "
        f"FROM {sql.table(store)} "
        f"INNER JOIN {sql.table(link)} ON {sql.column(link, 'store')} = {sql.column(store, 'id')} "
        f"INNER JOIN {sql.table(auth)} ON {sql.column(auth, 'id')} = {sql.column(link, 'authorization')} "
        f"WHERE {state} <> %s AND ({expires_at} <= %s OR {state} = %s) "
        f"ORDER BY {expires_at}, {sql.column(auth, 'id')}, {sql.column(store, 'name')}, {sql.column(store, 'id')} "
        "LIMIT %s"
    )


def renewal_banner_stores(*, limit: int = 10) -> tuple[list[BannerStore], int]:
    """Return up to `limit` stores whose authorization asks for renewal, soonest expiry first, and how many in all.

    Those statuses (sellerauth.status) come to this: not revoked, and refused by Amazon or expiring within the
    renewal window. The home page asks on every view, so it is one query, through the expiry index, that counts
    the whole list beside the first rows; written in SQL, as building it with the ORM cost more than running it.
    """
    horizon = connection.ops.adapt_datetimefield_value(timezone.now() + renewal_window())
    params = [AuthorizationState.REVOKED, horizon, AuthorizationState.NEEDS_REAUTHORIZATION, limit]
    with connection.cursor() as cursor:
        cursor.execute(_banner_sql(), params)
        rows = cursor.fetchall()
    expires = sql.converter(SellerAuthorization, "expires_at")
    stores = [
        BannerStore(pk, name, auth, state, expires(at), partner) for pk, name, auth, state, at, partner, _ in rows
    ]
    return stores, rows[0][-1] if rows else 0
