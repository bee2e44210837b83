"""System checks: the sandbox cannot play Seller Central without an application registered with it."""

from django.conf import settings
from django.core.checks import Error, register

from . import usage
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


@register()
def check_usage_plans(app_configs, **kwargs):
    return [
        Error(
            problem,
            hint=f"Set {usage.SETTING} to JSON such as "
            '{"getMarketplaceParticipations": {"rate": 0.016, "burst": 15}}, or leave it out for Amazon\'s plans.',
            id="amazon_sandbox.E002",
        )
        for problem in usage.usage_plan_problems(getattr(settings, usage.SETTING, None))
    ]
