"""
Encryption of refresh tokens at rest: Fernet (AES-128-CBC + HMAC-SHA256) with several keys.

Keys come from ASC_TOKEN_KEYS, newest first, never from SECRET_KEY. The newest encrypts; every key decrypts,
so a new key can be added, the rows re-encrypted (`manage.py rotate_token_keys`), and the old key dropped.
"""

from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.views.decorators.debug import sensitive_variables

from .errors import TokenVaultError


@cache
def _vault(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("ASC_TOKEN_KEYS is empty: refresh tokens cannot be encrypted.")
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured("ASC_TOKEN_KEYS holds a value that is not a Fernet key.") from exc


def _current() -> MultiFernet:
    return _vault(tuple(settings.ASC_TOKEN_KEYS))


@sensitive_variables("plain")
def token_encrypt(plain: str) -> str:
    """Return the ciphertext of a token under the newest key."""
    return _current().encrypt(plain.encode()).decode()


@sensitive_variables("ciphertext")
def token_decrypt(ciphertext: str) -> str:
    """Return the plain token, or raise TokenVaultError (fail closed)."""
    try:
        return _current().decrypt(ciphertext.encode()).decode()
    except (InvalidToken, ValueError, TypeError) as exc:
        raise TokenVaultError from exc


@sensitive_variables("ciphertext")
def token_reencrypt(ciphertext: str) -> str:
    """Return the same token encrypted under the newest key."""
    try:
        return _current().rotate(ciphertext.encode()).decode()
    except (InvalidToken, ValueError, TypeError) as exc:
        raise TokenVaultError from exc
