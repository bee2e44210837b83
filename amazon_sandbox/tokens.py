"""The shapes of what the sandbox issues, and the hash it keeps of each instead of the value."""

import hashlib
import secrets
import string


def token_hash(value: str) -> str:
    """Return the SHA-256 hex digest under which an issued code or token is stored."""
    # The values are long and random, so a plain digest cannot be reversed by guessing; no salt is needed.
    return hashlib.sha256(value.encode()).hexdigest()


def authorization_code_new() -> str:
    """Return a new authorization code, shaped like Amazon's: "AN" and 18 letters."""
    return "AN" + "".join(secrets.choice(string.ascii_letters) for _ in range(18))


def refresh_token_new() -> str:
    """Return a new refresh token: "Atzr|" and 384 URL-safe characters (Amazon's are under 2048 bytes)."""
    return "Atzr|" + secrets.token_urlsafe(288)


def access_token_new() -> str:
    """Return a new access token: "Atza|" and 256 URL-safe characters."""
    return "Atza|" + secrets.token_urlsafe(192)


def amazon_state_new() -> str:
    """Return a new amazon_state for the Log-in URI workflow: 43 URL-safe characters (256 bits)."""
    return secrets.token_urlsafe(32)


def mfa_code_new() -> str:
    """Return a six-digit two-factor code."""
    return f"{secrets.randbelow(10**6):06d}"
