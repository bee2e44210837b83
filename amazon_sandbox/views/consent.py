"""
The sandbox's Seller Central consent pages: sign in, two-factor, consent, "You are almost done".

Step 1 and 2 of https://developer-docs.amazon.com/sp-api/docs/website-authorization-workflow
"""

from urllib.parse import urlencode, urlsplit, urlunsplit

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from .. import session
from ..app import ACCESS, registered_application
from ..authorize import ConsentRequestError, consent_request_parse
from ..demo import DEMO_PASSWORD, SELLERS
from ..forms import ConsentForm, MfaForm, SignInForm
from ..services import authorization_code_issue
from .common import error_page, seller_central_page


@seller_central_page
@require_GET
def consent_start(request):
    """Check the application's consent request, keep it, and send the seller on to sign in or consent."""
    try:
        consent = consent_request_parse(request.GET)
    except ConsentRequestError as error:
        return error_page(request, code=error.code, message=error.message)
    session.consent_request_stash(
        request.session,
        application_id=consent.application_id,
        state=consent.state,
        redirect_uri=consent.redirect_uri,
    )
    return redirect(_next_step(request))


@seller_central_page
@require_http_methods(["GET", "POST"])
def sign_in(request):
    """Sign the seller's primary user in with email or phone and password, then ask for the code."""
    if session.seller_signed_in(request.session):
        return redirect(_next_step(request))
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        session.mfa_start(request.session, seller=form.seller)
        return redirect("amazon_sandbox:mfa")
    context = {"form": form, "demo_sellers": SELLERS, "demo_password": DEMO_PASSWORD}
    return render(request, "amazon_sandbox/signin.html", context)


@seller_central_page
@require_http_methods(["GET", "POST"])
def mfa(request):
    """Ask for the two-factor code; the sandbox shows it on the page instead of sending it."""
    pending = session.mfa_pending(request.session)
    if pending is None:
        return redirect("amazon_sandbox:sign_in")
    form = MfaForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        seller = session.mfa_verify(request.session, code=form.cleaned_data["code"])
        if seller:
            session.seller_sign_in(request, seller=seller)
            return redirect(_next_step(request))
        if session.mfa_pending(request.session) is None:
            messages.error(request, _("Too many wrong codes. Sign in again to get a new one."))
            return redirect("amazon_sandbox:sign_in")
        form.add_error("code", _("The code you entered is not valid. Check the code and try again."))
    return render(request, "amazon_sandbox/mfa.html", {"form": form, "hint": pending["code"]})


@seller_central_page
@require_http_methods(["GET", "POST"])
def consent_page(request):
    """Show what the application asks for: Next with "I understand…" ticked, or Cancel."""
    seller, pending = session.seller_signed_in(request.session), session.consent_request_get(request.session)
    if pending is None:
        return _no_request(request)
    if seller is None:
        return redirect("amazon_sandbox:sign_in")
    if request.method == "POST" and "cancel" in request.POST:
        session.consent_request_pop(request.session)
        return HttpResponseRedirect(_with_query(pending["redirect_uri"], error="access_denied", state=pending["state"]))
    form = ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        session.consent_request_agree(request.session)
        return redirect("amazon_sandbox:almost_done")
    name = registered_application().name
    context = {"form": form, "seller": seller, "application_name": name, "access": ACCESS}
    return render(request, "amazon_sandbox/consent.html", context)


@seller_central_page
@require_http_methods(["GET", "POST"])
def almost_done(request):
    """Say "You are almost done"; Continue sends the browser back to the application with a fresh code."""
    seller, pending = session.seller_signed_in(request.session), session.consent_request_get(request.session)
    if pending is None:
        return _no_request(request)
    if seller is None or not pending["agreed"]:
        return redirect("amazon_sandbox:consent")
    if request.method == "POST":
        session.consent_request_pop(request.session)
        code = authorization_code_issue(
            seller=seller, application_id=pending["application_id"], redirect_uri=pending["redirect_uri"]
        )
        return HttpResponseRedirect(
            _with_query(
                pending["redirect_uri"],
                spapi_oauth_code=code,
                state=pending["state"],
                selling_partner_id=seller.selling_partner_id,
            )
        )
    host = urlsplit(pending["redirect_uri"]).netloc
    context = {"application_name": registered_application().name, "seller": seller, "host": host}
    return render(request, "amazon_sandbox/almost_done.html", context)


def _next_step(request) -> str:
    if session.seller_signed_in(request.session) is None:
        return "amazon_sandbox:sign_in"
    if session.consent_request_get(request.session):
        return "amazon_sandbox:consent"
    return "amazon_sandbox:manage"


def _no_request(request):
    message = _("There is no authorization request in progress. Start again from the application.")
    return error_page(request, message=message)


def _with_query(uri: str, **params: str) -> str:
    parts = urlsplit(uri)
    query = "&".join(filter(None, [parts.query, urlencode(params)]))
    return urlunsplit(parts._replace(query=query))
