from django import template

from sellerauth.status import ConnectionStatus, connection_status

register = template.Library()


@register.inclusion_tag("sellerauth/includes/connection_badge.html")
def connection_badge(state=None, expires_at=None):
    """Render the connection status badge of an authorization's state and expiry (empty: not connected)."""
    status = ConnectionStatus(connection_status(state=state or None, expires_at=expires_at or None))
    return {"status": status}
