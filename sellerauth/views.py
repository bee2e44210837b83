import logging
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from stores.models import AmazonStore, StoreEvent
from stores.permissions import store_permission_required
from stores.services import store_event_record

from . import selectors, services
from .errors import AmazonError, AuthorizationError
from .models import SellerAuthorization

logger = logging.getLogger(__name__)

CONNECT = "stores.connect_amazonstore"
RESULT_KEY = "sellerauth:result"

# What Amazon may send back to the redirect URI: each at most once, bounded, in its alphabet.
CALLBACK_PARAMETERS = {
    "state": re.compile(r"[A-Za-z0-9_-]{1,128}"),
    "spapi_oauth_code": re.compile(r"[A-Za-z0-9_-]{1,512}"),
    "selling_partner_id": re.compile(r"[A-Z0-9]{1,32}"),
    "error": re.compile(r"[a-z_]{1,64}"),
    "error_description": re.compile(r"[\w .,:;'()/+-]{0,512}"),
    "mws_auth_token": re.compile(r"[A-Za-z0-9._-]{0,512}"),
}


def _see_other(to):
    """Redirect with 303 See Other: the next request is a GET, whatever came before."""
    response = redirect(to)
    response.status_code = 303
    return response


def _no_store(response):
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_GET
@permission_required(CONNECT, raise_exception=True)
def connect_confirm(request, pk):
    """Say what will happen at Seller Central before the merchant goes there (the page without script)."""
    store = get_object_or_404(AmazonStore, pk=pk)
    return render(request, "sellerauth/connect_confirm.html", {"store": store})


def _log_failure(error: AuthorizationError) -> None:
    """Log a failure for the operator: its code, what to fix and Amazon's request ID, never a secret."""
    request_id = error.request_id if isinstance(error, AmazonError) else ""
    suffix = f" [Amazon request {request_id}]" if request_id else ""
    if error.operator:
        logger.error("Amazon authorization failed (%s): %s%s", error.code, error.operator, suffix)
    else:
        logger.info("Amazon authorization failed: %s%s", error.code, suffix)


@require_POST
@store_permission_required(CONNECT)
def connect_start(request, pk):
    store = get_object_or_404(AmazonStore, pk=pk)
    try:
        consent_url = services.connect_start(request=request, store=store)
    except AuthorizationError as error:
        _log_failure(error)
        messages.error(request, error.message)
        return redirect(store)
    return _no_store(_see_other(consent_url))


def _callback_params(query) -> dict[str, str] | None:
    """Return the known callback parameters, or None when any is repeated, too long or malformed."""
    if len(query) > 10:
        return None
    params = {}
    for name, pattern in CALLBACK_PARAMETERS.items():
        values = query.getlist(name)
        if len(values) > 1 or (values and not pattern.fullmatch(values[0])):
            return None
        if values:
            params[name] = values[0]
    return params


@login_not_required  # an expired session is told so by the state check, not sent to a login URL with the code
@never_cache
@require_GET
@sensitive_variables("params")
def callback(request):
    """Receive Amazon's answer (step 2 of the website authorization workflow) and finish the connection."""
    params = _callback_params(request.GET)
    if params is None:
        response = render(request, "sellerauth/callback_invalid.html", status=400)
        return _no_store(response)
    try:
        result = services.connect_complete(request=request, params=params)
    except AuthorizationError as error:
        _record_failure(request, error)
        request.session[RESULT_KEY] = {
            "ok": False,
            "message": str(error.message),
            "store": getattr(error.store, "pk", None),
        }
    else:
        request.session[RESULT_KEY] = {"ok": True, "store": result.store.pk, "renewed": result.renewed}
    return _no_store(_see_other("sellerauth:result"))


def _record_failure(request, error: AuthorizationError) -> None:
    _log_failure(error)
    if error.store is not None and request.user.is_authenticated:
        store_event_record(
            store=error.store, kind=StoreEvent.Kind.CONNECT_FAILED, actor=request.user, details={"code": error.code}
        )


@login_not_required
@never_cache
@require_GET
def result(request):
    """Show how the connection ended, in the tab Seller Central sent back."""
    outcome = request.session.pop(RESULT_KEY, None)
    if outcome is None:
        return redirect("stores:home")
    store = AmazonStore.objects.filter(pk=outcome.get("store")).select_related("connection__authorization").first()
    return _no_store(render(request, "sellerauth/connect_result.html", {"outcome": outcome, "store": store}))


@require_POST
@store_permission_required(CONNECT)
def verify(request, pk):
    store = get_object_or_404(selectors.connected_store_queryset(), pk=pk)
    try:
        authorization = services.connection_verify(store=store, actor=request.user)
    except AuthorizationError as error:
        _log_failure(error)
        messages.error(request, error.message)
    else:
        if store.marketplace_info.marketplace_id in authorization.marketplace_ids:
            messages.success(request, _("Amazon confirmed the connection of “%(name)s”.") % {"name": store.name})
        else:
            messages.warning(
                request,
                _("Amazon answered, but seller %(seller)s no longer sells in %(country)s.")
                % {"seller": authorization.selling_partner_id, "country": store.marketplace_info.country},
            )
    return redirect(store)


@require_http_methods(["POST"])
@store_permission_required(CONNECT)
def link_existing(request, pk, authorization_pk):
    store = get_object_or_404(AmazonStore, pk=pk)
    authorization = get_object_or_404(SellerAuthorization, pk=authorization_pk)
    try:
        services.connection_link_existing(store=store, authorization=authorization, actor=request.user)
    except AuthorizationError as error:
        _log_failure(error)
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("“%(name)s” now uses the authorization of seller %(seller)s.")
            % {"name": store.name, "seller": authorization.selling_partner_id},
        )
    return redirect(store)
