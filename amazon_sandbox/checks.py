"""System checks: the sandbox cannot play Seller Central without an application registered with it."""

from django.conf import settings
from django.core.checks import Error, register

from .app import SETTING, registration_problems


@register()
def check_registered_application(app_configs, **kwargs):
    return [
        Error(
            problem,
            hint=f"Set {SETTING} to a dict of APPLICATION_ID, CLIENT_ID, CLIENT_SECRET and REDIRECT_URIS, as "
            "Seller Central › Develop Apps shows them; amazon_sandbox/app.py describes every key.",
            id="amazon_sandbox.E001",
        )
        for problem in registration_problems(getattr(settings, SETTING, None))
    ]
