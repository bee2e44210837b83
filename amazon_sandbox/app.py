"""
The application registered with the sandbox's Seller Central, as Develop Apps would show it.

It comes from the setting AMAZON_SANDBOX_APPLICATION, a dict:
    APPLICATION_ID   the application ID (amzn1.sp.solution.…), required
    CLIENT_ID        its Login with Amazon client ID (amzn1.application-oa2-client.…), required
    CLIENT_SECRET    its Login with Amazon client secret, required
    REDIRECT_URIS    its registered OAuth redirect URIs, at least one; the first is the default
    LOGIN_URI        its Log-in URI, where Seller Central starts a seller-initiated authorization; optional
    IS_DRAFT         whether it is in Draft state, so consent needs version=beta; False when left out
    NAME             the name sellers see; the application ID when left out
The setting is read on every use, so a test can change it.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

SETTING = "AMAZON_SANDBOX_APPLICATION"
REQUIRED = ("APPLICATION_ID", "CLIENT_ID", "CLIENT_SECRET")

# What the consent page says the application may do, as Seller Central lists an app's roles.
ACCESS = [
    _("See which marketplaces you sell in and your store name"),
    _("Product listing"),
    _("Inventory and order tracking"),
]


@dataclass(frozen=True)
class RegisteredApplication:
    application_id: str
    client_id: str
    client_secret: str
    redirect_uris: tuple[str, ...]
    login_uri: str
    is_draft: bool
    name: str

    @property
    def default_redirect_uri(self) -> str:
        """Return the redirect URI Amazon uses when a consent request names none: the first registered."""
        return self.redirect_uris[0]


def registration_problems(config) -> list[str]:
    """Return what is wrong with a registration setting, one sentence each; empty when it is usable."""
    if not isinstance(config, dict):
        return [f"{SETTING} must be a dict."]
    problems = [f"{SETTING}['{key}'] must be a non-empty string." for key in REQUIRED if not _text(config.get(key))]
    uris = config.get("REDIRECT_URIS")
    if not isinstance(uris, list | tuple) or not uris or not all(_text(uri) for uri in uris):
        problems.append(f"{SETTING}['REDIRECT_URIS'] must be a list of one or more redirect URIs.")
    return problems


def registered_application() -> RegisteredApplication:
    """Return the application registered with the sandbox, read from settings now."""
    config = getattr(settings, SETTING, None)
    problems = registration_problems(config)
    if problems:
        raise ImproperlyConfigured(" ".join(problems))
    return RegisteredApplication(
        application_id=config["APPLICATION_ID"],
        client_id=config["CLIENT_ID"],
        client_secret=config["CLIENT_SECRET"],
        redirect_uris=tuple(config["REDIRECT_URIS"]),
        login_uri=config.get("LOGIN_URI") or "",
        is_draft=bool(config.get("IS_DRAFT", False)),
        name=config.get("NAME") or config["APPLICATION_ID"],
    )


def _text(value) -> bool:
    return isinstance(value, str) and bool(value)
