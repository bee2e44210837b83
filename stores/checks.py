from django.conf import settings
from django.core.checks import Error, register

from .marketplaces import MARKETPLACES


@register()
def check_marketplaces_setting(app_configs, **kwargs):
    """Refuse an ASC_MARKETPLACES that names unknown marketplaces or none at all."""
    codes = settings.ASC_MARKETPLACES
    unknown = [code for code in codes if code not in MARKETPLACES]
    errors = []
    if unknown:
        errors.append(
            Error(
                f"ASC_MARKETPLACES names unknown marketplaces: {', '.join(unknown)}.",
                hint=f"Use country codes from this list: {', '.join(MARKETPLACES)} (the United Kingdom is GB).",
                id="stores.E001",
            )
        )
    if not codes:
        errors.append(
            Error(
                "ASC_MARKETPLACES is empty, so no store could be added.",
                hint="Set it to a comma-separated list of country codes, e.g. US,CA,MX,GB.",
                id="stores.E002",
            )
        )
    return errors
