import os

from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class SellerauthConfig(AppConfig):
    name = "sellerauth"
    verbose_name = _("Amazon authorizations")

    def ready(self):
        from stores.marketplaces import MARKETPLACES

        from . import checks  # noqa: F401  (registers the system checks)

        if settings.AMAZON_SANDBOX and settings.AMAZON_LWA_TOKEN_URL.startswith("http://"):
            # The embedded sandbox is served over plain HTTP on this machine; oauthlib refuses that unless told.
            os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")
        # Connect store is a form whose answer redirects to Seller Central: the CSP must allow that target.
        targets = {m.seller_central_url for m in MARKETPLACES.values()} | set(
            settings.AMAZON_SELLER_CENTRAL_URLS.values()
        )
        if not settings.AMAZON_SANDBOX:
            form_action = settings.SECURE_CSP.setdefault("form-action", [])
            form_action.extend(sorted(targets - set(form_action)))
