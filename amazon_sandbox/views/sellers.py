"""The sandbox's Sellers page, where staff move a seller's consent back in time to walk through its year."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render, resolve_url
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ..forms import ConsentBackdateForm
from ..selectors import seller_grants
from ..services import authorization_backdate
from ..usage import DEFAULT_PLANS, usage_plan


@require_GET
def sellers_page(request):
    """List every seller with its grants: when each was consented to and when Amazon's side ends it."""
    _staff_only(request)
    return _render(request)


@require_POST
def consent_backdate(request, pk: int):
    """Move the consent of a grant back by the days asked for, as if it had been given that long ago."""
    _staff_only(request)
    form = ConsentBackdateForm(request.POST, auto_id=f"id_%s_{pk}")
    if not form.is_valid():
        return _render(request, failed={pk: form}, status=400)
    try:
        authorization = authorization_backdate(authorization_id=pk, days=form.cleaned_data["days"])
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        granted = formats.date_format(authorization.granted_at, "DATETIME_FORMAT")
        message = _("The consent of %(seller)s is now dated %(granted)s.")
        messages.success(request, message % {"seller": authorization.seller.store_name, "granted": granted})
    return redirect("amazon_sandbox:sellers")


def _staff_only(request) -> None:
    # Like the faults page, it changes what "Amazon" answers for everyone using this sandbox.
    if not request.user.is_staff:
        raise PermissionDenied


def _render(request, *, failed: dict | None = None, status: int = 200):
    rows = []
    for grant in seller_grants():
        pk = grant.authorization.pk if grant.authorization else None
        form = (failed or {}).get(pk) or (ConsentBackdateForm(auto_id=f"id_%s_{pk}") if pk else None)
        rows.append((grant, form))
    context = {
        "rows": rows,
        "plans": [(operation, usage_plan(operation=operation)) for operation in DEFAULT_PLANS],
        "back_url": resolve_url(settings.LOGIN_REDIRECT_URL),
    }
    return render(request, "amazon_sandbox/sellers.html", context, status=status)
