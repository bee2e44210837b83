from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SellerauthConfig(AppConfig):
    name = "sellerauth"
    verbose_name = _("Amazon authorizations")

    def ready(self):
        from . import checks  # noqa: F401  (registers the system checks)
