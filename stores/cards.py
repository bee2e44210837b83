"""
The store cards of the home page: one query for a page of cards, and each card rendered once.

A card is cached under a key made of everything it shows, so a cached card can never be stale: any change
to the store, its website, its connection, the viewer's permissions, the language or the day count to the
authorization's expiry makes a new key.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import caches
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from .marketplaces import MARKETPLACES, Marketplace

CARD_TIMEOUT = 24 * 3600

# Card attribute -> ORM lookup; the connection columns come through the relation sellerauth declares.
CARD_FIELDS = {
    "pk": "id",
    "name": "name",
    "is_active": "is_active",
    "marketplace": "marketplace",
    "created_at": "created_at",
    "updated_at": "updated_at",
    "website_name": "website__name",
    "auth_state": "connection__authorization__state",
    "auth_expires_at": "connection__authorization__expires_at",
    "auth_updated_at": "connection__authorization__updated_at",
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
    auth_state: str | None
    auth_expires_at: datetime | None
    auth_updated_at: datetime | None
    auth_selling_partner_id: str | None
    auth_seller_store_name: str | None
    auth_region: str | None
    auth_granted_at: datetime | None
    auth_marketplace_ids: list | None

    @property
    def marketplace_info(self) -> Marketplace:
        return MARKETPLACES[self.marketplace]

    def days_to_expiry(self, now: datetime) -> tuple | None:
        """Return what of the expiry changes with time: whole days to it, and today's date (for days left)."""
        if self.auth_expires_at is None:
            return None
        return ((self.auth_expires_at - now).days, timezone.localdate(now))


def card_values(queryset):
    """Return the queryset as rows of exactly the columns a card shows."""
    return queryset.values_list(*CARD_FIELDS.values())


class CardGrid:
    """A page of cards. Its key is known from the rows alone; the HTML is rendered only when iterated."""

    def __init__(self, rows, *, can_change: bool, can_delete: bool, can_connect: bool):
        now = timezone.now()
        self.variant = (can_change, can_delete, can_connect, translation.get_language())
        self.rows = list(rows)
        self.cards = [StoreCard(*row) for row in self.rows]
        self.shown = [(row, card.days_to_expiry(now)) for row, card in zip(self.rows, self.cards, strict=True)]
        # One digest for the page; each card's own key is made only when the page must be rendered.
        self.key = _digest((self.shown, self.variant))

    def __len__(self):
        return len(self.cards)

    def __iter__(self):
        return iter(self._render())

    def _render(self) -> list[SafeString]:
        cache = caches["template_fragments"]  # the same cache as {% cache %}: local, keys are content
        keys = [_digest((shown, self.variant)) for shown in self.shown]
        found = cache.get_many(keys)
        rendered = {}
        can_change, can_delete, can_connect, _ = self.variant
        for card, key in zip(self.cards, keys, strict=True):
            if key not in found:
                context = {"card": card, "can_change": can_change, "can_delete": can_delete, "can_connect": can_connect}
                rendered[key] = render_to_string("stores/includes/store_card.html", context)
        if rendered:
            cache.set_many(rendered, CARD_TIMEOUT)
        found |= rendered
        # Safe: each value is the output of an autoescaped template.
        return [mark_safe(found[key]) for key in keys]  # noqa: S308


def _digest(value) -> str:
    return "store-card:" + hashlib.blake2b(repr(value).encode(), digest_size=16).hexdigest()
