"""
Check a consent request as Seller Central does, step 1 of the website authorization workflow:
https://developer-docs.amazon.com/sp-api/docs/website-authorization-workflow
and the confirm step of the Log-in URI (seller-initiated) workflow, which checks the same parameters:
https://developer-docs.amazon.com/sp-api/docs/selling-partner-appstore-authorization-workflow
Error codes from https://developer-docs.amazon.com/sp-api/docs/authorization-errors
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .app import RegisteredApplication, registered_application

STATE_MAX_LENGTH = 2048
PARAMETERS = ("application_id", "state", "redirect_uri", "version")
# The confirm endpoint of the Log-in URI workflow takes the application ID in its path and amazon_state.
CONFIRM_PARAMETERS = ("amazon_state", "state", "redirect_uri", "version")

# Amazon documents no code for an unknown application, a malformed request or a wrong amazon_state; these
# are the sandbox's own.
UNKNOWN_APPLICATION = "MD9000"
MALFORMED_REQUEST = "MD9001"
INVALID_AMAZON_STATE = "MD9002"


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
    application = _application_check(params.get("application_id"))
    _repeats_check(params, PARAMETERS)
    return _request_check(params, application=application)


def confirm_request_parse(params, *, application_id: str, amazon_state_valid: bool) -> ConsentRequest:
    """Return the request of the Log-in URI workflow's confirm step, or raise ConsentRequestError, in a fixed order.

    `amazon_state_valid` says whether the query's amazon_state is one Seller Central issued to this browser.
    """
    application = _application_check(application_id)
    _repeats_check(params, CONFIRM_PARAMETERS)
    if not amazon_state_valid:
        raise ConsentRequestError(
            INVALID_AMAZON_STATE,
            _(
                "The amazon_state parameter is missing, expired or already used, or was not issued to you. "
                "Start again from Manage Your Apps."
            ),
        )
    return _request_check(params, application=application)


def _application_check(application_id: str | None) -> RegisteredApplication:
    application = registered_application()
    if application_id != application.application_id:
        raise ConsentRequestError(UNKNOWN_APPLICATION, _("No application is registered with this application ID."))
    return application


def _repeats_check(params, names: tuple[str, ...]) -> None:
    if any(len(params.getlist(name)) > 1 for name in names):
        raise ConsentRequestError(MALFORMED_REQUEST, _("A parameter of the authorization request is repeated."))


def _request_check(params, *, application: RegisteredApplication) -> ConsentRequest:
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
