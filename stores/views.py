from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import selectors, services
from .cards import card_page, home_listing
from .forms import StoreCreateForm, StoreDeleteForm, StoreEditForm, StoreFilterForm
from .permissions import store_permission_required

VIEW = "stores.view_amazonstore"
ADD = "stores.add_amazonstore"
CHANGE = "stores.change_amazonstore"
DELETE = "stores.delete_amazonstore"
CONNECT = "stores.connect_amazonstore"
RENEW = "sellerauth.renew_sellerauthorization"  # granted by sellerauth; only named here


def _redirect_back(request, fallback: str):
    """Redirect to the `next` field when it is a path on this site, else to the fallback."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(fallback)


def _apply_form_errors(form, error: ValidationError):
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@require_GET
@permission_required(VIEW, raise_exception=True)
def home(request):
    filter_form = StoreFilterForm(request.GET or None)
    filters = filter_form.filters()
    rows, page = card_page(**filters, number=request.GET.get("page"), per_page=settings.ASC_STORES_PER_PAGE)
    any_store = page.paginator.count > 0 or selectors.stores_exist()
    query = request.GET.copy()
    query.pop("page", None)
    user = request.user
    can_change, can_connect, can_renew = user.has_perm(CHANGE), user.has_perm(CONNECT), user.has_perm(RENEW)
    # The list is rendered from these values alone and cached under them (see stores.cards).
    listing = home_listing(
        rows=rows,
        page=page,
        filter_form=filter_form,
        query=query.urlencode(),
        any_store=any_store,
        can_add=user.has_perm(ADD),
        can_change=can_change,
        can_delete=user.has_perm(DELETE),
        can_connect=can_connect,
        can_renew=can_renew,
    )
    context = {"listing": listing, "any_store": any_store, "card_actions": can_change or can_connect or can_renew}
    return render(request, "stores/home.html", context)


@require_GET
@permission_required(VIEW, raise_exception=True)
def pre_installation(request):
    return render(request, "stores/pre_installation.html", {"any_store": selectors.stores_exist()})


@require_http_methods(["GET", "POST"])
@permission_required(ADD, raise_exception=True)
def store_add(request):
    form = StoreCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            store = services.store_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply_form_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "You saved the Amazon store “%(name)s”. Next step: connect it to Amazon Seller Central "
                    "with Connect store on its card."
                )
                % {"name": store.name},
            )
            return redirect("stores:home")
    return render(request, "stores/store_add.html", {"form": form}, status=400 if form.errors else 200)


def _dashboard(request, store, *, edit_form=None, delete_form=None, status=200):
    return render(
        request,
        "stores/store_detail.html",
        {
            "store": store,
            "edit_form": edit_form or StoreEditForm(instance=store),
            "delete_form": delete_form or StoreDeleteForm(instance=store),
            "events": selectors.store_events(store=store),
        },
        status=status,
    )


@require_GET
@permission_required(VIEW, raise_exception=True)
def store_detail(request, pk):
    store = get_object_or_404(selectors.store_detail_queryset(), pk=pk)
    return _dashboard(request, store)


@require_POST
@store_permission_required(CHANGE)
def store_edit(request, pk):
    store = get_object_or_404(selectors.store_detail_queryset(), pk=pk)
    form = StoreEditForm(request.POST, instance=store)
    if form.is_valid():
        try:
            services.store_update(store=store, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply_form_errors(form, error)
        else:
            messages.success(request, _("You saved the store “%(name)s”.") % {"name": store.name})
            return redirect(store)
    store.refresh_from_db()
    return _dashboard(request, store, edit_form=form, status=400)


def _set_active(request, pk, *, active: bool):
    store = get_object_or_404(selectors.store_detail_queryset(), pk=pk)
    services.store_set_active(store=store, active=active, actor=request.user)
    if active:
        messages.success(request, _("The store “%(name)s” is active.") % {"name": store.name})
    else:
        messages.success(
            request, _("The store “%(name)s” is inactive (paused). Activate it to resume.") % {"name": store.name}
        )
    return _redirect_back(request, store.get_absolute_url())


@require_POST
@store_permission_required(CHANGE)
def store_activate(request, pk):
    return _set_active(request, pk, active=True)


@require_POST
@store_permission_required(CHANGE)
def store_deactivate(request, pk):
    return _set_active(request, pk, active=False)


@require_POST
@store_permission_required(DELETE)
def store_delete(request, pk):
    store = get_object_or_404(selectors.store_detail_queryset(), pk=pk)
    form = StoreDeleteForm(request.POST, instance=store)
    if not form.is_valid():
        return _dashboard(request, store, delete_form=form, status=400)
    name = store.name
    services.store_delete(store=store, actor=request.user)
    messages.success(request, _("You deleted the store “%(name)s”.") % {"name": name})
    return redirect(reverse("stores:home"))
