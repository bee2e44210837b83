"""
The sandbox's Manage Your Apps, where a seller removes an application's access or re-authorizes it, and sign-out.

Re-Authorize starts the Log-in URI workflow, as Amazon's renewal does:
https://developer-docs.amazon.com/sp-api/docs/selling-partner-appstore-authorization-workflow
"""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_GET, require_POST

from .. import session
from ..app import registered_application
from ..selectors import authorizations_of_seller
from ..services import authorization_remove
from .common import error_page, seller_central_page, with_query


@seller_central_page
@require_GET
def manage(request):
    """List the applications the signed-in seller has authorized."""
    seller = session.seller_signed_in(request.session)
    if seller is None:
        return redirect("amazon_sandbox:sign_in")
    application = registered_application()
    context = {
        "seller": seller,
        "authorizations": authorizations_of_seller(seller=seller),
        "now": timezone.now(),
        # Re-Authorize opens the application's Log-in URI: only an application that registered one offers it.
        "reauthorizable": application.application_id if application.login_uri else None,
    }
    return render(request, "amazon_sandbox/manage.html", context)


@seller_central_page
@require_POST
@sensitive_variables("amazon_state", "params")
def reauthorize(request, pk: int):
    """Send the seller to the application's Log-in URI with a fresh amazon_state, as Re-Authorize does."""
    seller = session.seller_signed_in(request.session)
    if seller is None:
        return redirect("amazon_sandbox:sign_in")
    application = registered_application()
    authorization = authorizations_of_seller(seller=seller).filter(pk=pk).first()
    if authorization is None or authorization.application_id != application.application_id:
        return error_page(request, message=_("You have not authorized this application."), status=404)
    if not application.login_uri:
        return error_page(request, message=_("This application has no Log-in URI, so it cannot be re-authorized here."))
    amazon_state = session.amazon_state_issue(request.session, seller=seller, application_id=application.application_id)
    # Absolute and on the host this page was reached at, as Seller Central names its own confirm page.
    confirm = reverse("amazon_sandbox:authorize_confirm", args=[application.application_id])
    params = {
        "amazon_callback_uri": request.build_absolute_uri(confirm),
        "amazon_state": amazon_state,
        "selling_partner_id": seller.selling_partner_id,
    }
    if application.is_draft:
        params["version"] = "beta"
    return HttpResponseRedirect(with_query(application.login_uri, **params), status=303)


@seller_central_page
@require_POST
def authorization_remove_view(request, pk: int):
    """Remove an application's access: its refresh token and access tokens stop working at once."""
    seller = session.seller_signed_in(request.session)
    if seller is None:
        return redirect("amazon_sandbox:sign_in")
    if authorization_remove(seller=seller, authorization_id=pk):
        messages.success(request, _("You removed the application. It can no longer access your account."))
    return redirect("amazon_sandbox:manage")


@seller_central_page
@require_POST
def sign_out(request):
    """Sign the seller out of the sandbox's Seller Central; a consent in progress waits for another sign-in."""
    session.seller_sign_out(request.session)
    return redirect("amazon_sandbox:sign_in")
