from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AmazonSandboxConfig(AppConfig):
    name = "amazon_sandbox"
    verbose_name = _("Amazon sandbox (Seller Central, LWA, SP-API)")

    def ready(self):
        from . import checks  # noqa: F401  (registers the system checks)
