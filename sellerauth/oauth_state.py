"""
The OAuth `state` of a connect or renew attempt, kept on the server.

Only a hash is stored. The record binds the state to the browser session (through a random value kept in
it), the user and the purpose with its target: the store to connect, or the authorization to renew. It
expires after ASC_STATE_TTL_SECONDS and is consumed once, atomically, before the code is exchanged. Any
other state is a StateError. The callback does what the record's purpose says, whatever the URL claims.
"""

import hashlib
import secrets
from datetime import timedelta
from typing import NoReturn

from django.conf import settings
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from .errors import StateError
from .models import AuthorizationRequest

# A user rarely has more than a couple of Seller Central tabs open; older attempts are dropped.
MAX_PENDING_PER_SESSION = 5
SESSION_BINDING_KEY = "sellerauth:binding"
START_AGAIN = _("Nothing was changed. Start again with Connect store on the store's card.")


@sensitive_variables("value")
def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@sensitive_variables("binding")
def _session_hash(request, *, create: bool = False) -> str:
    """Return the hash of this browser session's binding value (made on first use when `create`).

    A random value kept in the session, rather than the session key: the key changes when Django cycles it
    (at sign-in), the session's contents do not; another browser never has it.
    """
    binding = request.session.get(SESSION_BINDING_KEY)
    if binding is None and create:
        binding = request.session[SESSION_BINDING_KEY] = secrets.token_urlsafe(32)
    return _digest(binding or "")


@sensitive_variables("value")
def state_issue(*, request, purpose: str, store=None, authorization=None) -> str:
    """Create an attempt for this session, user and target; return the state value to send to Amazon."""
    value = secrets.token_urlsafe(32)  # 256 bits
    session_hash = _session_hash(request, create=True)
    now = timezone.now()
    AuthorizationRequest.objects.create(
        state_hash=_digest(value),
        store=store,
        authorization=authorization,
        user=request.user,
        session_binding_hash=session_hash,
        purpose=purpose,
        created_at=now,
        expires_at=now + timedelta(seconds=settings.ASC_STATE_TTL_SECONDS),
    )
    # Attempts long expired serve nothing (the store's activity log keeps the history): drop them.
    AuthorizationRequest.objects.filter(expires_at__lt=now - timedelta(days=1)).delete()
    pending = AuthorizationRequest.objects.filter(session_binding_hash=session_hash, consumed_at__isnull=True)
    stale = pending.order_by("-created_at").values_list("pk", flat=True)[MAX_PENDING_PER_SESSION:]
    AuthorizationRequest.objects.filter(pk__in=list(stale)).delete()
    return value


def _refuse(code: str, message) -> NoReturn:
    raise StateError(code, format_lazy("{} {}", message, START_AGAIN))


@sensitive_variables("value", "binding")
def state_consume(*, request, value: str) -> AuthorizationRequest:
    """Return the attempt the state belongs to, marking it used; raise StateError for any other state."""
    attempt = (
        AuthorizationRequest.objects.select_related("store", "authorization").filter(state_hash=_digest(value)).first()
    )
    if attempt is None:
        _refuse("state_unknown", _("This answer from Amazon does not belong to a connection started here."))
    binding = request.session.get(SESSION_BINDING_KEY)
    same_session = binding is not None and secrets.compare_digest(attempt.session_binding_hash, _digest(binding))
    if not same_session or attempt.user_id != request.user.pk:
        _refuse("state_session", _("This connection was started in another browser session or by another user."))
    if attempt.consumed_at is not None:
        _refuse("state_used", _("This answer from Amazon was already used."))
    now = timezone.now()
    if attempt.expires_at <= now:
        _refuse("state_expired", _("The connection took too long and expired."))
    # The conditional UPDATE is the atomic step: of two simultaneous callbacks, only one changes the row.
    if not AuthorizationRequest.objects.filter(pk=attempt.pk, consumed_at__isnull=True).update(consumed_at=now):
        _refuse("state_used", _("This answer from Amazon was already used."))
    attempt.consumed_at = now
    return attempt
