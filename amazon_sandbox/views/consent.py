"""
The sandbox's Seller Central consent pages: sign in, two-factor, consent, "You are almost done".

Step 1 and 2 of https://developer-docs.amazon.com/sp-api/docs/website-authorization-workflow, and the confirm
step of the Log-in URI workflow that Manage Your Apps › Re-Authorize starts, which goes on through the same pages.
"""

from urllib.parse import urlsplit

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods

from .. import session
from ..app import ACCESS, registered_application
from ..authorize import STATE_MAX_LENGTH, ConsentRequestError, confirm_request_parse, consent_request_parse
from ..demo import DEMO_PASSWORD, SELLERS
from ..forms import ConsentForm, MfaForm, SignInForm
from ..selectors import seller_get
from ..services import authorization_code_issue
from .common import error_page, seller_central_page, with_query


@seller_central_page
@require_GET
@sensitive_variables("consent")
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
@require_GET
@sensitive_variables("amazon_state", "pending", "consent")
def confirm_start(request, application_id: str):
    """Check the application's answer to Re-Authorize (its amazon_state and state), then go on as consent does."""
    amazon_state = request.GET.get("amazon_state", "")
    pending = None
    if len(amazon_state) <= STATE_MAX_LENGTH:
        pending = session.amazon_state_find(request.session, amazon_state=amazon_state, application_id=application_id)
    expected = seller_get(pk=pending["seller"]) if pending else None
    # Issued to this browser for one seller: another seller signed in here meanwhile cannot use it.
    signed_in = session.seller_signed_in(request.session)
    valid = expected is not None and signed_in in (None, expected)
    try:
        consent = confirm_request_parse(request.GET, application_id=application_id, amazon_state_valid=valid)
    except ConsentRequestError as error:
        return error_page(request, code=error.code, message=error.message)
    session.amazon_state_spend(request.session, amazon_state=amazon_state)
    session.consent_request_stash(
        request.session,
        application_id=consent.application_id,
        state=consent.state,
        redirect_uri=consent.redirect_uri,
        seller=expected,
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
@sensitive_variables("pending")
def consent_page(request):
    """Show what the application asks for: Next with "I understand…" ticked, or Cancel."""
    seller, pending = session.seller_signed_in(request.session), session.consent_request_get(request.session)
    if pending is None:
        return _no_request(request)
    if seller is None:
        return redirect("amazon_sandbox:sign_in")
    if not session.consent_request_is_for(pending, seller=seller):
        return _another_seller(request)
    if request.method == "POST" and "cancel" in request.POST:
        session.consent_request_pop(request.session)
        return HttpResponseRedirect(with_query(pending["redirect_uri"], error="access_denied", state=pending["state"]))
    form = ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        session.consent_request_agree(request.session)
        return redirect("amazon_sandbox:almost_done")
    name = registered_application().name
    context = {"form": form, "seller": seller, "application_name": name, "access": ACCESS}
    return render(request, "amazon_sandbox/consent.html", context)


@seller_central_page
@require_http_methods(["GET", "POST"])
@sensitive_variables("pending", "code")
def almost_done(request):
    """Say "You are almost done"; Continue sends the browser back to the application with a fresh code."""
    seller, pending = session.seller_signed_in(request.session), session.consent_request_get(request.session)
    if pending is None:
        return _no_request(request)
    if seller is None or not pending["agreed"] or not session.consent_request_is_for(pending, seller=seller):
        return redirect("amazon_sandbox:consent")
    if request.method == "POST":
        session.consent_request_pop(request.session)
        code = authorization_code_issue(
            seller=seller, application_id=pending["application_id"], redirect_uri=pending["redirect_uri"]
        )
        return HttpResponseRedirect(
            with_query(
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


def _another_seller(request):
    session.consent_request_pop(request.session)
    message = _(
        "This request to re-authorize the application was started by another seller account. Sign out, sign in "
        "with that account and choose Re-Authorize in Manage Your Apps again."
    )
    return error_page(request, message=message, status=403)
