from django import template
from django.utils import timezone

from sellerauth.models import marketplace_names
from sellerauth.selectors import ATTENTION, authorization_candidates, renewal_banner_stores
from sellerauth.status import ConnectionStatus, connection_status, days_left
from sellerauth.verification import verify_error_text as _verify_error_text
from stores.cards import Fragment, expiry_clock

register = template.Library()

# How many stores the home page's renewal banner lists before "and N more".
BANNER_STORES = 10


@register.filter
def verify_error_text(code: str) -> str:
    """Show the code of the last failed verification in words."""
    return _verify_error_text(code) if code else ""


@register.filter
def needs_attention(authorization) -> bool:
    """Tell whether an authorization asks for renewal: due, expired or refused by Amazon."""
    return connection_status(state=authorization.state, expires_at=authorization.expires_at) in ATTENTION


@register.simple_tag(takes_context=True)
def renewal_banner(context, limit=BANNER_STORES):
    """Render the banner of the stores whose authorization asks for renewal (nothing when none does).

    A cached fragment (stores.cards): its Renew buttons submit the page's card-action form, which carries the CSRF
    token and the way back, so the banner holds nothing of the request.
    """
    stores, total = renewal_banner_stores(limit=limit)
    if not stores:
        return ""
    now = timezone.now()
    banner = Fragment(
        "sellerauth/includes/renewal_banner.html",
        {
            "stores": stores,
            "total": total,
            "more": total - len(stores),
            "can_renew": bool(context["perms"]["sellerauth"]["renew_sellerauthorization"]),
        },
        clock=tuple(expiry_clock(store.auth_expires_at, now) for store in stores),
    )
    return banner.render()


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
def card_connection(card, can_connect, part="facts", can_renew=False):
    """Render the connection facts (or, with part="actions", the Connect or Renew button) of a store card."""
    status = _status(card.auth_state, card.auth_expires_at)
    return {
        "card": card,
        "status": status,
        "days_left": days_left(card.auth_expires_at) if card.auth_expires_at else None,
        "expired": card.auth_expires_at is not None and card.auth_expires_at <= timezone.now(),
        "marketplaces": marketplace_names(card.auth_marketplace_ids or []),
        "can_connect": can_connect,
        "can_renew": can_renew,
        "reconnect": status in RECONNECT,
        "part": part,
    }


@register.inclusion_tag("sellerauth/includes/connection_panel.html", takes_context=True)
def connection_panel(context, store):
    """Render the store dashboard's Amazon connection panel, with the actions the user may take."""
    connection = getattr(store, "connection", None)  # a missing one-to-one raises an AttributeError subclass
    authorization = connection.authorization if connection else None
    status = ConnectionStatus(authorization.status) if authorization else ConnectionStatus.NOT_CONNECTED
    perms = context["perms"]
    can_connect = perms["stores"]["connect_amazonstore"]
    return {
        "store": store,
        "authorization": authorization,
        "status": status,
        "reconnect": status in RECONNECT,
        "can_connect": can_connect,
        # Authorization staff renew (always offered to them, first when it is due) and revoke the authorization.
        "can_renew": bool(authorization) and perms["sellerauth"]["renew_sellerauthorization"],
        "can_revoke": bool(authorization)
        and status != ConnectionStatus.REVOKED
        and perms["sellerauth"]["revoke_sellerauthorization"],
        "candidates": authorization_candidates(store=store) if can_connect and not connection else [],
        "csrf_token": context.get("csrf_token"),
    }
