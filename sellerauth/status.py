"""The connection status of a store: derived here, and only here, from its authorization's state and expiry."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuthorizationState(models.TextChoices):
    """What is stored about an authorization; the status below is derived from it and the expiry."""

    ACTIVE = "active", _("Active")
    REVOKED = "revoked", _("Revoked")
    NEEDS_REAUTHORIZATION = "needs_reauthorization", _("Needs re-authorization")


class ConnectionStatus(models.TextChoices):
    NOT_CONNECTED = "not_connected", _("Not connected")
    CONNECTED = "connected", _("Connected")
    RENEWAL_DUE = "renewal_due", _("Renewal due")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")
    NEEDS_REAUTHORIZATION = "needs_reauthorization", _("Needs re-authorization")


def renewal_window() -> timedelta:
    return timedelta(days=settings.ASC_RENEWAL_WINDOW_DAYS)


def connection_status(*, state: str | None, expires_at: datetime | None, now: datetime | None = None) -> str:
    """Return the ConnectionStatus of an authorization in `state` expiring at `expires_at` (None: no connection)."""
    if not state or expires_at is None:
        return ConnectionStatus.NOT_CONNECTED
    if state == AuthorizationState.REVOKED:
        return ConnectionStatus.REVOKED
    now = now or timezone.now()
    # Past its year Amazon refuses the token whatever else happened: "Expired" says why, and what to do.
    if expires_at <= now:
        return ConnectionStatus.EXPIRED
    if state == AuthorizationState.NEEDS_REAUTHORIZATION:
        return ConnectionStatus.NEEDS_REAUTHORIZATION
    if expires_at - now <= renewal_window():
        return ConnectionStatus.RENEWAL_DUE
    return ConnectionStatus.CONNECTED


def days_left(expires_at: datetime, now: datetime | None = None) -> int:
    """Return the calendar days from today to the expiry date (0 once expired), as people count them."""
    today = timezone.localdate(now or timezone.now())
    return max((timezone.localdate(expires_at) - today).days, 0)
