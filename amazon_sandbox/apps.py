from django.apps import AppConfig


class AmazonSandboxConfig(AppConfig):
    name = "amazon_sandbox"
    verbose_name = "Amazon sandbox (Seller Central, LWA, SP-API)"

    def ready(self):
        from . import checks  # noqa: F401  (registers the system checks)
