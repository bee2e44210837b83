"""
Check a consent request as Seller Central does, step 1 of the website authorization workflow:
https://developer-docs.amazon.com/sp-api/docs/website-authorization-workflow
Error codes from https://developer-docs.amazon.com/sp-api/docs/authorization-errors
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .app import RegisteredApplication, registered_application

STATE_MAX_LENGTH = 2048
PARAMETERS = ("application_id", "state", "redirect_uri", "version")

# Amazon documents no code for an unknown application or a malformed request; these two are the sandbox's own.
UNKNOWN_APPLICATION = "MD9000"
MALFORMED_REQUEST = "MD9001"


@dataclass(frozen=True)
class ConsentRequest:
    application_id: str
    state: str
    redirect_uri: str


class ConsentRequestError(Exception):
    """A consent request Seller Central refuses, with its error code and a sentence for the seller."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def consent_request_parse(params) -> ConsentRequest:
    """Return the consent request of a query string, or raise ConsentRequestError, checking in a fixed order."""
    application = registered_application()
    repeated = [name for name in PARAMETERS if len(params.getlist(name)) > 1]
    if params.get("application_id") != application.application_id:
        raise ConsentRequestError(UNKNOWN_APPLICATION, _("No application is registered with this application ID."))
    if repeated:
        raise ConsentRequestError(MALFORMED_REQUEST, _("A parameter of the authorization request is repeated."))
    state = params.get("state", "")
    if not state:
        raise ConsentRequestError(MALFORMED_REQUEST, _("The authorization request has no state parameter."))
    if len(state) > STATE_MAX_LENGTH:
        raise ConsentRequestError(MALFORMED_REQUEST, _("The state parameter is longer than 2048 characters."))
    redirect_uri = _redirect_uri_check(params.get("redirect_uri"), application=application)
    if application.is_draft and params.get("version") != "beta":
        raise ConsentRequestError(
            "MD1000", _("This application is in Draft state: the authorization request must include version=beta.")
        )
    return ConsentRequest(application.application_id, state, redirect_uri)


def _redirect_uri_check(redirect_uri: str | None, *, application: RegisteredApplication) -> str:
    if redirect_uri is None:
        return application.default_redirect_uri
    if "#" in redirect_uri:
        raise ConsentRequestError("MD5110", _("The redirect URI contains a fragment (#), which is not allowed."))
    # Compared as registered, character for character: no normalising of case, ports or trailing slashes.
    if redirect_uri not in application.redirect_uris:
        raise ConsentRequestError(
            "MD5101", _("The redirect URI does not match a redirect URI registered for this application.")
        )
    return redirect_uri
