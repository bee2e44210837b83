"""
The one application registered with the sandbox: its identifiers, its secret and its redirect URI.

These are the values the project's sandbox settings point at. The redirect URI and the Draft state are read
from settings on every request, so tests can change them.
"""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

APPLICATION_ID = "amzn1.sp.solution.sandbox-app"
APPLICATION_NAME = _("Amazon Sales Channel (sandbox)")
CLIENT_ID = "amzn1.application-oa2-client.sandbox-app"
# The sandbox's published demo secret, not a real one.
CLIENT_SECRET = "sandbox-secret"  # noqa: S105

# What the consent page says the application may do, as Seller Central lists an app's roles.
ACCESS = [
    _("See which marketplaces you sell in and your store name"),
    _("Product listing"),
    _("Inventory and order tracking"),
]


def registered_redirect_uri() -> str:
    """Return the application's one registered redirect URI."""
    return settings.AMAZON_REDIRECT_URI


def app_is_draft() -> bool:
    """Return whether the application is in Draft state, so consent needs version=beta."""
    return getattr(settings, "AMAZON_SANDBOX_APP_IS_DRAFT", False)
