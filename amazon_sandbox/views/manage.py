"""The sandbox's Manage Your Apps, where a seller removes an application's access, and sign-out."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .. import session
from ..selectors import authorizations_of_seller
from ..services import authorization_remove
from .common import seller_central_page


@seller_central_page
@require_GET
def manage(request):
    """List the applications the signed-in seller has authorized."""
    seller = session.seller_signed_in(request.session)
    if seller is None:
        return redirect("amazon_sandbox:sign_in")
    context = {"seller": seller, "authorizations": authorizations_of_seller(seller=seller)}
    return render(request, "amazon_sandbox/manage.html", context)


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
