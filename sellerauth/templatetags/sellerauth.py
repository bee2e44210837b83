from django import template

from sellerauth.models import marketplace_names
from sellerauth.selectors import authorization_candidates
from sellerauth.status import ConnectionStatus, connection_status, days_left

register = template.Library()

# Statuses from which the merchant grants access again (a fresh consent) rather than just looking.
RECONNECT = {
    ConnectionStatus.RENEWAL_DUE,
    ConnectionStatus.EXPIRED,
    ConnectionStatus.REVOKED,
    ConnectionStatus.NEEDS_REAUTHORIZATION,
}


def _status(state, expires_at) -> ConnectionStatus:
    return ConnectionStatus(connection_status(state=state or None, expires_at=expires_at or None))


@register.inclusion_tag("sellerauth/includes/connection_badge.html")
def connection_badge(state=None, expires_at=None):
    """Render the connection status badge of an authorization's state and expiry (empty: not connected)."""
    return {"status": _status(state, expires_at)}


@register.inclusion_tag("sellerauth/includes/card_connection.html")
def card_connection(card, can_connect, part="facts"):
    """Render the connection facts (or, with part="actions", the Connect button) of a store card."""
    status = _status(card.auth_state, card.auth_expires_at)
    return {
        "card": card,
        "status": status,
        "days_left": days_left(card.auth_expires_at) if card.auth_expires_at else None,
        "marketplaces": marketplace_names(card.auth_marketplace_ids or []),
        "can_connect": can_connect,
        "reconnect": status in RECONNECT,
        "part": part,
    }


@register.inclusion_tag("sellerauth/includes/connection_panel.html", takes_context=True)
def connection_panel(context, store):
    """Render the store dashboard's Amazon connection panel, with the actions the user may take."""
    connection = getattr(store, "connection", None)  # a missing one-to-one raises an AttributeError subclass
    authorization = connection.authorization if connection else None
    status = ConnectionStatus(authorization.status) if authorization else ConnectionStatus.NOT_CONNECTED
    can_connect = context["perms"]["stores"]["connect_amazonstore"]
    return {
        "store": store,
        "authorization": authorization,
        "status": status,
        "reconnect": status in RECONNECT,
        "can_connect": can_connect,
        "candidates": authorization_candidates(store=store) if can_connect and not connection else [],
        "csrf_token": context.get("csrf_token"),
    }
