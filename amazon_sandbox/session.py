"""
What the sandbox's Seller Central keeps in the browser session: the signed-in seller, a sign-in waiting for
its two-factor code, the consent request being answered, and the amazon_state values of Re-Authorize.

Keys are the sandbox's own, so they never meet the application's, which shares the session on this site.
"""

import hmac

from django.utils import timezone

from .models import SandboxSeller
from .selectors import seller_get
from .tokens import amazon_state_new, mfa_code_new, token_hash

SELLER_KEY = "amazon_sandbox:seller"
MFA_KEY = "amazon_sandbox:mfa"
CONSENT_KEY = "amazon_sandbox:consent"
AMAZON_STATES_KEY = "amazon_sandbox:amazon_states"

# Long enough for a person to read the pages; the application's own state expires sooner anyway.
CONSENT_LIFETIME_SECONDS = 30 * 60
MFA_LIFETIME_SECONDS = 10 * 60
MFA_MAX_ATTEMPTS = 5
# Amazon does not say how long its amazon_state lasts: long enough to sign in to the application first.
AMAZON_STATE_LIFETIME_SECONDS = 15 * 60
# Re-Authorize clicked in several tabs keeps a few pending; the oldest give way.
AMAZON_STATES_MAX = 5


def _now() -> float:
    return timezone.now().timestamp()


def consent_request_stash(
    session, *, application_id: str, state: str, redirect_uri: str, seller: SandboxSeller | None = None
) -> None:
    """Keep a validated consent request, for any seller or only `seller`; a newer one replaces it."""
    session[CONSENT_KEY] = {
        "application_id": application_id,
        "state": state,
        "redirect_uri": redirect_uri,
        "seller": seller.pk if seller else None,
        "agreed": False,
        "created": _now(),
    }


def consent_request_is_for(request: dict, *, seller: SandboxSeller) -> bool:
    """Return whether the signed-in seller may answer a consent request (Re-Authorize binds it to one seller)."""
    return request.get("seller") in (None, seller.pk)


def consent_request_get(session) -> dict | None:
    """Return the consent request being answered, or None when there is none or it is too old."""
    request = session.get(CONSENT_KEY)
    if request and _now() - request["created"] > CONSENT_LIFETIME_SECONDS:
        consent_request_pop(session)
        return None
    return request


def consent_request_agree(session) -> None:
    """Record that the seller ticked "I understand" and chose Next."""
    session[CONSENT_KEY] = {**session[CONSENT_KEY], "agreed": True}


def consent_request_pop(session) -> dict | None:
    """Remove the consent request and return it: it is answered once."""
    return session.pop(CONSENT_KEY, None)


def seller_signed_in(session) -> SandboxSeller | None:
    """Return the seller signed in to the sandbox's Seller Central, or None."""
    return seller_get(pk=session.get(SELLER_KEY))


def seller_sign_in(request, *, seller: SandboxSeller) -> None:
    """Sign a seller in to the sandbox; a new session key guards against fixation, the data stays."""
    request.session.cycle_key()
    request.session[SELLER_KEY] = seller.pk


def seller_sign_out(session) -> None:
    """Sign the sandbox's seller out, leaving the application's own sign-in alone."""
    session.pop(SELLER_KEY, None)
    session.pop(MFA_KEY, None)


def mfa_start(session, *, seller: SandboxSeller) -> None:
    """Start the two-factor step for a seller whose password was right, with a fresh code."""
    session[MFA_KEY] = {"seller": seller.pk, "code": mfa_code_new(), "attempts": 0, "created": _now()}


def mfa_pending(session) -> dict | None:
    """Return the two-factor step in progress, or None when there is none or it ran out."""
    pending = session.get(MFA_KEY)
    if pending and (_now() - pending["created"] > MFA_LIFETIME_SECONDS or pending["attempts"] >= MFA_MAX_ATTEMPTS):
        session.pop(MFA_KEY)
        return None
    return pending


def mfa_verify(session, *, code: str) -> SandboxSeller | None:
    """Return the seller when the code is the one sent, counting a wrong try; None otherwise."""
    pending = mfa_pending(session)
    if pending is None:
        return None
    if not hmac.compare_digest(code.encode(), pending["code"].encode()):
        session[MFA_KEY] = {**pending, "attempts": pending["attempts"] + 1}
        return None
    session.pop(MFA_KEY)
    return seller_get(pk=pending["seller"])


def amazon_state_issue(session, *, seller: SandboxSeller, application_id: str) -> str:
    """Issue an amazon_state for the seller's Re-Authorize of an application; only its hash is kept."""
    amazon_state = amazon_state_new()
    pending = [
        *_amazon_states(session),
        {
            "hash": token_hash(amazon_state),
            "seller": seller.pk,
            "application_id": application_id,
            "created": _now(),
        },
    ]
    session[AMAZON_STATES_KEY] = pending[-AMAZON_STATES_MAX:]
    return amazon_state


def amazon_state_find(session, *, amazon_state: str, application_id: str) -> dict | None:
    """Return the pending amazon_state issued to this session for the application, unexpired, or None."""
    digest = token_hash(amazon_state)
    for pending in _amazon_states(session):
        if hmac.compare_digest(pending["hash"], digest) and pending["application_id"] == application_id:
            return pending
    return None


def amazon_state_spend(session, *, amazon_state: str) -> None:
    """Forget an amazon_state: it is used once."""
    digest = token_hash(amazon_state)
    session[AMAZON_STATES_KEY] = [pending for pending in _amazon_states(session) if pending["hash"] != digest]


def _amazon_states(session) -> list[dict]:
    return [
        pending
        for pending in session.get(AMAZON_STATES_KEY, [])
        if _now() - pending["created"] <= AMAZON_STATE_LIFETIME_SECONDS
    ]
