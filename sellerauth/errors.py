"""
The one error of sellerauth: a code, a sentence for the merchant, and what an operator must know.

Views show `message` (never a 500) and log `code` and `operator`. Subclasses exist only where the handling
differs: an AmazonError may say when Amazon will answer again and names Amazon's request for its support, a
StateError means the callback was refused before anything was asked of Amazon, and a TokenVaultError marks the
authorization whose token cannot be read.
"""

from django.utils.translation import gettext_lazy as _


class AuthorizationError(Exception):
    """An authorization step failed; `message` says what happened and what to do next."""

    def __init__(self, code: str, message, *, operator: str = "", store=None):
        super().__init__(code)
        self.code = code
        self.message = message  # for the merchant: through gettext, lazy or not
        self.operator = operator  # for whoever reads the logs: what to fix; never a secret
        self.store = store  # the store the attempt was for, when it is known


class AmazonError(AuthorizationError):
    """Amazon refused or failed; `retry_after` says when it may answer again, `request_id` names the call."""

    def __init__(
        self, code: str, message, *, operator: str = "", retry_after: float | None = None, request_id: str = ""
    ):
        super().__init__(code, message, operator=operator)
        self.retry_after = retry_after
        self.request_id = request_id


class StateError(AuthorizationError):
    """The callback's state is missing, unknown, used, expired or another session's: Amazon was not called."""


class TokenVaultError(AuthorizationError):
    """A stored token could not be decrypted: wrong keys or damaged data. Never use the ciphertext."""

    def __init__(self):
        super().__init__(
            "token_undecryptable",
            _("This store's stored authorization can no longer be read. Connect the store again."),
            operator="A stored refresh token cannot be decrypted with ASC_TOKEN_KEYS: add back the key that "
            "encrypted it (a key was dropped before `manage.py rotate_token_keys` ran) or connect the store again.",
        )
