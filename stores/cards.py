"""
The home page's list of stores, rendered from plain values and cached under a digest of exactly those values.

A `Fragment` renders its template from its own context and nothing else: no request, no user, no `perms`, no
CSRF token. Its key is made from that same context, with the language, time zone and script prefix that
templates also read, so a cached fragment can only be served where it would be rendered the same: never
stale, never another user's. The cards of a page are fragments too, each cached on its own, so a changed
store renders one card again, not the whole page.
"""

import hashlib
from dataclasses import dataclass, fields, is_dataclass
from datetime import date, datetime
from functools import cache, cached_property
from math import ceil

from django.core.cache import caches
from django.db import connection
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils import timezone, translation
from django.utils.safestring import SafeData, SafeString, mark_safe

from . import sql
from .marketplaces import MARKETPLACES, Marketplace
from .models import AmazonStore
from .names import name_key

CACHE = "template_fragments"  # local to the process: a key names its content, so copies need no sharing
TIMEOUT = 24 * 3600
LISTING_TEMPLATE = "stores/includes/home_listing.html"
CARD_TEMPLATE = "stores/includes/store_card.html"

# Card attribute -> ORM lookup; the connection columns come through the relation sellerauth declares.
CARD_FIELDS = {
    "pk": "id",
    "name": "name",
    "is_active": "is_active",
    "marketplace": "marketplace",
    "created_at": "created_at",
    "updated_at": "updated_at",
    "website_name": "website__name",
    "auth_pk": "connection__authorization__id",
    "auth_state": "connection__authorization__state",
    "auth_expires_at": "connection__authorization__expires_at",
    "auth_selling_partner_id": "connection__authorization__selling_partner_id",
    "auth_seller_store_name": "connection__authorization__seller_store_name",
    "auth_region": "connection__authorization__region",
    "auth_granted_at": "connection__authorization__granted_at",
    "auth_marketplace_ids": "connection__authorization__marketplace_ids",
}


@dataclass(frozen=True, slots=True)
class StoreCard:
    pk: int
    name: str
    is_active: bool
    marketplace: str
    created_at: datetime
    updated_at: datetime
    website_name: str
    auth_pk: int | None
    auth_state: str | None
    auth_expires_at: datetime | None
    auth_selling_partner_id: str | None
    auth_seller_store_name: str | None
    auth_region: str | None
    auth_granted_at: datetime | None
    auth_marketplace_ids: list | None

    @classmethod
    def from_row(cls, row) -> "StoreCard":
        """Return the card of a row of `card_values`, matching columns to attributes by name."""
        return cls(**dict(zip(CARD_FIELDS, row, strict=True)))

    @property
    def marketplace_info(self) -> Marketplace:
        return MARKETPLACES[self.marketplace]


EXPIRES_COLUMN = list(CARD_FIELDS).index("auth_expires_at")


def card_values(queryset):
    """Return the queryset as rows of exactly the columns a card shows."""
    return queryset.values_list(*CARD_FIELDS.values())


def expiry_clock(expires_at: datetime | None, now: datetime) -> tuple | None:
    """Return what time alone changes on a card expiring at `expires_at`: its status and its days left."""
    if expires_at is None:
        return None
    # Whole days since the expiry step exactly when `expires_at <= now` or `expires_at - now <= N days`
    # turns true, the only comparisons with time the status makes; today's date gives the days left.
    return ((now - expires_at).days, timezone.localdate(now))


def _digest(value) -> str:
    return "fragment:" + hashlib.blake2b(repr(value).encode(), digest_size=16).hexdigest()


def _ambient() -> tuple:
    """Return what a template reads besides its context: the language, the time zone and the URL prefix."""
    return (translation.get_language(), timezone.get_current_timezone_name(), get_script_prefix())


PLAIN = (str, int, float, date, type(None))  # their repr says all a template can show of them (bool is an int)


def _key_material(value):
    """Return `value` as it goes into a key; refuse a value whose repr may not say all a template shows of it."""
    if isinstance(value, SafeData):
        return ("safe", str(value))  # rendered unescaped, unlike the same text as a plain string
    if isinstance(value, PLAIN):
        return value
    if isinstance(value, list | tuple):
        return tuple(_key_material(item) for item in value)
    if hasattr(value, "fragment_key"):
        return ("fragment", value.fragment_key)
    if is_dataclass(value) and not isinstance(value, type) and type(value).__dataclass_params__.frozen:
        # Its fields, then: its properties may derive from them (and constants), never from the request or the clock.
        return (type(value).__qualname__, *(_key_material(getattr(value, field.name)) for field in fields(value)))
    raise TypeError(f"A {type(value).__name__} cannot be in a cached fragment's context: pass plain values.")


class Fragment:
    """A template rendered from `context` alone, cached under a key made from that same context."""

    def __init__(self, template_name: str, context: dict, *, clock=None):
        self.template_name = template_name
        self.context = context
        # `clock`: what time changes in the output through template tags that read the clock themselves.
        material = sorted((name, _key_material(value)) for name, value in context.items())
        self.fragment_key = _digest((template_name, _ambient(), clock, material))

    def render(self) -> SafeString:
        """Return the fragment's HTML, from the cache or rendered now (and then cached)."""
        return fragments_render([self])[0]

    # `{{ fragment }}` renders it; `{{ fragment.render }}` would turn an error inside into an empty string.
    __str__ = render


def fragments_render(fragments: list[Fragment]) -> list[SafeString]:
    """Return the HTML of each fragment, with one cache read for them all and one write for those rendered."""
    cache = caches[CACHE]
    found = cache.get_many([fragment.fragment_key for fragment in fragments])
    # A plain dict makes a Context without request or context processors: the template sees the context only.
    rendered = {
        fragment.fragment_key: render_to_string(fragment.template_name, fragment.context)
        for fragment in fragments
        if fragment.fragment_key not in found
    }
    if rendered:
        cache.set_many(rendered, TIMEOUT)
    found |= rendered
    # Safe: each value is the output of an autoescaped template.
    return [mark_safe(found[fragment.fragment_key]) for fragment in fragments]  # noqa: S308


class CardGrid:
    """A page of cards: keyed by its rows alone; each card is made, looked up or rendered only when iterated."""

    def __init__(self, rows, *, can_change: bool, can_delete: bool, can_connect: bool, can_renew: bool):
        now = timezone.now()
        self.rows = list(rows)
        self.clocks = [expiry_clock(row[EXPIRES_COLUMN], now) for row in self.rows]
        self.permissions = {
            "can_change": can_change,
            "can_delete": can_delete,
            "can_connect": can_connect,
            "can_renew": can_renew,
        }
        # Each card is made from its row alone, so one digest of the rows (database values: their repr says all
        # they hold) keys every card; each card's own key is made only when the grid must be rendered.
        self.fragment_key = _digest(
            (CARD_TEMPLATE, _ambient(), sorted(self.permissions.items()), self.rows, self.clocks)
        )

    @cached_property
    def cards(self) -> list[StoreCard]:
        return [StoreCard.from_row(row) for row in self.rows]

    def __len__(self):
        return len(self.rows)

    def __iter__(self):
        fragments = [
            Fragment(CARD_TEMPLATE, {"card": card, **self.permissions}, clock=clock)
            for card, clock in zip(self.cards, self.clocks, strict=True)
        ]
        return iter(fragments_render(fragments))


@dataclass(frozen=True, slots=True)
class FilterField:
    """What the filter bar shows of one field: label, the value as typed, its errors (HTML) and choices."""

    label: str
    value: str | None
    errors: str
    choices: tuple = ()

    @classmethod
    def of(cls, bound_field) -> "FilterField":
        errors = bound_field.errors
        return cls(
            label=str(bound_field.label),
            value=bound_field.value(),
            errors=str(errors) if errors else "",
            choices=tuple((str(value), str(label)) for value, label in getattr(bound_field.field, "choices", ())),
        )


@dataclass(frozen=True, slots=True)
class FilterBar:
    """What the home page's filter bar shows of a StoreFilterForm."""

    q: FilterField
    marketplace: FilterField
    status: FilterField
    filtered: bool
    invalid: bool

    @classmethod
    def of(cls, form) -> "FilterBar":
        return cls(
            **{name: FilterField.of(form[name]) for name in ("q", "marketplace", "status")},
            filtered=bool(form.filters()),
            invalid=bool(form.errors),
        )


@dataclass(frozen=True, slots=True)
class PageCounts:
    count: int
    num_pages: int


@dataclass(frozen=True, slots=True)
class PageFacts:
    """What the list shows of a page: its number and the list's counts, shaped like Django's Page."""

    number: int
    paginator: PageCounts

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.paginator.num_pages

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def _card_models() -> tuple:
    """The store, its website, its connection and the connection's authorization, reached through the relations."""
    store = AmazonStore
    link = store._meta.get_field("connection").related_model  # declared by sellerauth, found here by name
    return (
        store,
        store._meta.get_field("website").related_model,
        link,
        link._meta.get_field("authorization").related_model,
    )


@cache
def _card_columns() -> tuple[tuple, ...]:
    """Return the (model, field name) of each of CARD_FIELDS' lookups, in order."""
    store, website, _link, authorization = _card_models()
    owners = {"connection__authorization__": authorization, "website__": website, "": store}
    columns = []
    for lookup in CARD_FIELDS.values():
        prefix = next(prefix for prefix in owners if lookup.startswith(prefix))
        columns.append((owners[prefix], lookup.removeprefix(prefix)))
    return tuple(columns)


def _card_where(*, q: bool, marketplace: bool, status: bool, alias: str | None = None) -> str:
    """Return the WHERE clause of stores.selectors.store_list's filters, for the filters given."""
    conditions = []
    if q:
        conditions.append(f"{sql.column(AmazonStore, 'name_key', alias=alias)} {connection.operators['contains']}")
    if marketplace:
        conditions.append(f"{sql.column(AmazonStore, 'marketplace', alias=alias)} = %s")
    if status:
        conditions.append(f"{sql.column(AmazonStore, 'is_active', alias=alias)} = %s")
    return f" WHERE {' AND '.join(conditions)}" if conditions else ""


def _card_params(*, q: str, marketplace: str, status: str) -> list:
    """Return the parameters of _card_where's clause, in its order."""
    params = []
    if q:
        params.append(f"%{connection.ops.prep_for_like_query(name_key(q))}%")
    if marketplace:
        params.append(marketplace)
    if status:
        params.append(status == "active")
    return params


@cache
def _card_page_sql(*, q: bool, marketplace: bool, status: bool) -> str:
    """The page's rows of CARD_FIELDS, newest first, with the count of the whole list beside them."""
    store, website, link, authorization = _card_models()
    where = _card_where(q=q, marketplace=marketplace, status=status)
    counted_where = _card_where(q=q, marketplace=marketplace, status=status, alias="counted")
    order = ", ".join(
        f"{sql.column(store, name.removeprefix('-'))}{' DESC' if name.startswith('-') else ''}"
        for name in store._meta.ordering
    )
    selected = ", ".join(sql.column(model, name) for model, name in _card_columns())
    return (
        f"SELECT {selected}, (SELECT COUNT(*) FROM {sql.table(store)} AS {sql.quote('counted')}{counted_where}) "  # noqa: S608
        f"FROM {sql.table(store)} "
        f"INNER JOIN {sql.table(website)} ON {sql.column(website, 'id')} = {sql.column(store, 'website')} "
        f"LEFT OUTER JOIN {sql.table(link)} ON {sql.column(link, 'store')} = {sql.column(store, 'id')} "
        f"LEFT OUTER JOIN {sql.table(authorization)} "
        f"ON {sql.column(authorization, 'id')} = {sql.column(link, 'authorization')}"
        f"{where} ORDER BY {order} LIMIT %s OFFSET %s"
    )


def card_page(*, q: str = "", marketplace: str = "", status: str = "", number, per_page: int) -> tuple[list, PageFacts]:
    """Return the card rows of page `number` of the home page's list, filtered as `store_list`, and the page's facts.

    One query: the whole list is counted beside the page's rows. Numbers are read as Django's `Paginator.get_page`
    reads them: one that is not a whole number is the first page; one below 1 or past the end, the last page.
    """
    try:
        number = int(number)
    except (TypeError, ValueError):
        number = 1
    query = _card_page_sql(q=bool(q), marketplace=bool(marketplace), status=bool(status))
    params = _card_params(q=q, marketplace=marketplace, status=status)
    converters = [sql.converter(model, name) for model, name in _card_columns()]

    def rows_of(page: int) -> list:
        if page < 1:
            return []
        with connection.cursor() as cursor:
            cursor.execute(query, [*params, *params, per_page, (page - 1) * per_page])
            return cursor.fetchall()

    rows = rows_of(number)
    count = rows[0][-1] if rows else _count(q=q, marketplace=marketplace, status=status)
    pages = max(ceil(count / per_page), 1)  # an empty list still has its first page
    if not rows:
        number = pages
        rows = rows_of(number) if count else []
    cards = [tuple(convert(value) for convert, value in zip(converters, row[:-1], strict=True)) for row in rows]
    return cards, PageFacts(number=number, paginator=PageCounts(count, pages))


def _count(*, q: str, marketplace: str, status: str) -> int:
    where = _card_where(q=bool(q), marketplace=bool(marketplace), status=bool(status))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM {sql.table(AmazonStore)}{where}",  # noqa: S608
            _card_params(q=q, marketplace=marketplace, status=status),
        )
        return cursor.fetchone()[0]


def home_listing(
    *,
    rows: list,
    page: PageFacts,
    filter_form,
    query: str,
    any_store: bool,
    can_add: bool,
    can_change: bool,
    can_delete: bool,
    can_connect: bool,
    can_renew: bool,
) -> Fragment:
    """Return the home page's list of stores (menu, filters, cards, pages, connect dialog) as a fragment."""
    cards = CardGrid(
        rows,
        can_change=can_change,
        can_delete=can_delete,
        can_connect=can_connect,
        can_renew=can_renew,
    )
    context = {
        "cards": cards,
        "page": page,
        "filters": FilterBar.of(filter_form),
        "query": query,
        "any_store": any_store,
        "can_add": can_add,
        "can_connect": can_connect,
        "can_renew": can_renew,
    }
    return Fragment(LISTING_TEMPLATE, context)
