import functools
import logging
import re
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from stores.models import AmazonStore, StoreEvent
from stores.permissions import store_denial_record, store_permission_required
from stores.services import store_event_record

from . import login_uri as login_uri_rules
from . import selectors, services, verification
from .errors import AmazonError, AuthorizationError
from .forms import AuthorizationFilterForm
from .models import SellerAuthorization, StoreConnection

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
@sensitive_variables("consent_url")
def connect_start(request, pk):
    store = get_object_or_404(AmazonStore, pk=pk)
    try:
        consent_url = services.connect_start(request=request, store=store)
    except AuthorizationError as error:
        _log_failure(error)
        messages.error(request, error.message)
        return redirect(store)
    return _no_store(_see_other(consent_url))


@sensitive_variables("params", "values")
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
        request.session[RESULT_KEY] = (
            {"ok": True, "store": result.store.pk, "renewed": result.renewed}
            if result.store is not None
            else {"ok": True, "authorization": result.authorization.pk}  # a renewal, for all its stores
        )
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
    if outcome.get("authorization"):
        return _renew_result(request, outcome["authorization"])
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


# Renew, revoke and the Log-in URI ------------------------------------------------------------------------

RENEW = "sellerauth.renew_sellerauthorization"
REVOKE = "sellerauth.revoke_sellerauthorization"

# What Seller Central sends to the Log-in URI: each at most once, bounded, in its alphabet. amazon_state is
# Amazon's opaque value; the callback URI gets its own, stricter check (sellerauth.login_uri).
LOGIN_PARAMETERS = {
    "amazon_callback_uri": re.compile(r"[\x21-\x7e]{1,2048}"),
    "amazon_state": re.compile(r"[A-Za-z0-9._~+/=-]{1,1024}"),
    "selling_partner_id": re.compile(r"[A-Z0-9]{1,32}"),
    "version": re.compile(r"beta"),
}
LOGIN_REQUIRED = ("amazon_callback_uri", "amazon_state", "selling_partner_id")


def _authorization_stores(authorization: SellerAuthorization) -> list[AmazonStore]:
    return [link.store for link in authorization.connections.select_related("store").order_by("store__name")]


def _denied(request, authorizations, permission: str) -> None:
    """Record a refused change on each store of the authorizations, counted rather than repeated."""
    links = StoreConnection.objects.filter(authorization__in=authorizations).select_related("store")
    for link in links:
        store_denial_record(
            store=link.store, actor=request.user, action=request.resolver_match.url_name, permission=permission
        )


def authorization_permission_required(permission: str):
    """Require `permission` on a view of one authorization; a refused POST is a 403 and a line in its stores' logs."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, pk, *args, **kwargs):
            if request.user.has_perm(permission):
                return view(request, pk, *args, **kwargs)
            if request.method == "POST":
                _denied(request, [pk], permission)
            raise PermissionDenied

        return wrapper

    return decorator


def _back(request, authorization: SellerAuthorization):
    """Redirect to the `next` field when it is a path on this site, else to a store of the authorization."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    stores = _authorization_stores(authorization)
    return redirect(stores[0] if stores else "stores:home")


@require_POST
@authorization_permission_required(RENEW)
@sensitive_variables("consent_url")
def renew(request, pk):
    """Send the browser to Seller Central to renew an authorization, for every store sharing it."""
    authorization = get_object_or_404(SellerAuthorization, pk=pk)
    try:
        consent_url = services.authorization_renew_start(request=request, authorization=authorization)
    except AuthorizationError as error:
        _log_failure(error)
        messages.error(request, error.message)
        return _back(request, authorization)
    return _no_store(_see_other(consent_url))


def _renew_result(request, pk):
    authorization = SellerAuthorization.objects.filter(pk=pk).first()
    if authorization is None:
        return redirect("stores:home")
    context = {"authorization": authorization, "stores": _authorization_stores(authorization)}
    return _no_store(render(request, "sellerauth/renew_result.html", context))


def _manage_apps_link(authorization: SellerAuthorization) -> str:
    """Return the sentence that sends the user to Seller Central's Manage Your Apps (escaped, with its link)."""
    try:
        url = services.manage_apps_url(authorization=authorization)
    except AuthorizationError as error:
        _log_failure(error)
        return _("Also remove the application in Seller Central, under Manage Your Apps.")
    link = format_html(
        '<a href="{}" target="_blank" rel="noopener noreferrer">{}</a>', url, _("Seller Central's Manage Your Apps")
    )
    # One sentence with the link in it, so that a language may put the link where its word order wants it.
    text = _("Amazon offers no way for an application to end an authorization: also remove the application in {link}.")
    return format_html(text, link=link)


@require_http_methods(["GET", "POST"])
@authorization_permission_required(REVOKE)
def revoke(request, pk):
    """Show what revoking an authorization does (GET); revoke it (POST)."""
    authorization = get_object_or_404(SellerAuthorization.objects.select_related("revoked_by"), pk=pk)
    if request.method == "GET":
        next_url = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
            next_url = ""
        context = {"authorization": authorization, "stores": _authorization_stores(authorization), "next": next_url}
        return render(request, "sellerauth/revoke_confirm.html", context)
    revoked = services.authorization_revoke(authorization=authorization, actor=request.user)
    names = ", ".join(f"“{store.name}”" for store in _authorization_stores(authorization)) or "—"
    if revoked:
        text = _(
            "You revoked the authorization of seller %(seller)s. Its stores stay linked and show Revoked: %(stores)s."
        )
        level = messages.SUCCESS
    else:
        text = _(
            "The authorization of seller %(seller)s was already revoked; nothing was changed. Its stores: %(stores)s."
        )
        level = messages.INFO
    text %= {"seller": authorization.selling_partner_id, "stores": names}
    messages.add_message(request, level, format_html("{} {}", text, _manage_apps_link(authorization)))
    return _back(request, authorization)


@sensitive_variables("data", "params", "values")
def _login_params(data) -> dict[str, str] | None:
    """Return the Log-in URI's parameters, or None when one is missing, repeated, too long or malformed."""
    if len(data) > 8:
        return None
    params = {}
    for name, pattern in LOGIN_PARAMETERS.items():
        values = data.getlist(name)
        if len(values) > 1 or (values and not pattern.fullmatch(values[0])):
            return None
        if values:
            params[name] = values[0]
    return params if all(name in params for name in LOGIN_REQUIRED) else None


def _login_page(request, template: str, context: dict, status: int = 200):
    # The page's address carries Amazon's amazon_state: never_cache keeps it out of caches, and the site's
    # same-origin Referrer-Policy from other sites. Not no-referrer: the page's form would then post
    # "Origin: null", which the CSRF check refuses.
    return render(request, template, context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("amazon_state")
@sensitive_variables("data", "params", "url")
def login_uri(request):
    """The application's Log-in URI, where Seller Central's Re-Authorize begins a renewal (GET asks, POST goes)."""
    data = request.POST if request.method == "POST" else request.GET
    params = _login_params(data)
    if not request.user.has_perm(RENEW):
        if request.method == "POST" and params:
            found = SellerAuthorization.objects.filter(selling_partner_id=params["selling_partner_id"])
            _denied(request, found, RENEW)
        raise PermissionDenied
    if params is None:
        return _login_page(request, "sellerauth/login_uri_refused.html", {"reason": "parameters"}, status=400)
    target = login_uri_rules.callback_target(params["amazon_callback_uri"])
    if target is None:
        return _login_page(request, "sellerauth/login_uri_refused.html", {"reason": "callback"}, status=400)
    authorizations = login_uri_rules.authorizations_for_login(
        selling_partner_id=params["selling_partner_id"], host=target.host
    )
    if len(authorizations) != 1:
        context = {"seller": params["selling_partner_id"], "authorizations": authorizations}
        return _login_page(
            request, "sellerauth/login_uri_none.html", context, status=404 if not authorizations else 409
        )
    authorization = authorizations[0]
    if request.method == "GET":
        context = {"authorization": authorization, "stores": _authorization_stores(authorization), "params": params}
        return _login_page(request, "sellerauth/login_uri_confirm.html", context)
    url = services.authorization_renew_from_seller_central(
        request=request, authorization=authorization, callback_uri=target.uri, amazon_state=params["amazon_state"]
    )
    return _no_store(_see_other(url))


# The Current Authorizations page and its Verify ------------------------------------------------------------

AUTHORIZATIONS_PER_PAGE = 25


@require_GET
@permission_required("stores.view_amazonstore", raise_exception=True)
def authorizations(request):
    """List every authorization with its stores, dates and status, soonest expiry first, filtered and paged."""
    filter_form = AuthorizationFilterForm(request.GET or None)
    filters = filter_form.filters()
    page = Paginator(selectors.authorization_list(**filters), AUTHORIZATIONS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "filter_form": filter_form,
        "filtered": bool(filters),
        "query": urlencode(filters),
        "here": request.get_full_path(),
    }
    return render(request, "sellerauth/authorizations.html", context)


def _back_to_authorizations(request, authorization: SellerAuthorization):
    """Redirect to the `next` field when it is a path on this site, else to the authorization on the page."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(f"{reverse('sellerauth:authorizations')}#authorization-{authorization.pk}")


@require_POST
def authorization_verify(request, pk):
    """Verify an authorization with Amazon now, as the scheduled job does, and say how it went."""
    if not (request.user.has_perm(RENEW) or request.user.has_perm(CONNECT)):
        _denied(request, [pk], f"{RENEW} or {CONNECT}")
        raise PermissionDenied
    authorization = get_object_or_404(SellerAuthorization, pk=pk)
    result = verification.authorization_verify(authorization=authorization, actor=request.user)
    seller = authorization.selling_partner_id
    if result.outcome == "ok":
        countries = ", ".join(result.authorization.marketplace_names) or _("no marketplace")
        messages.success(
            request,
            _("Amazon confirmed the authorization of seller %(seller)s; it sells in: %(countries)s.")
            % {"seller": seller, "countries": countries},
        )
        if result.renamed:
            messages.warning(
                request,
                _("Amazon now names this seller's store “%(name)s”; the change is recorded in its stores' activity.")
                % {"name": result.authorization.seller_store_name},
            )
    elif result.outcome == "skipped":
        text = _("The authorization of seller %(seller)s is not active; Amazon was not asked.")
        messages.info(request, text % {"seller": seller})
    else:
        _log_failure(result.error)
        messages.error(request, result.error.message)
    return _back_to_authorizations(request, authorization)
