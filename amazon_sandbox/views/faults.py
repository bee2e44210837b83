"""The sandbox's faults page, where staff make the LWA or SP-API fail on purpose for a demo."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render, resolve_url
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ..faults import faults_arm, faults_armed, faults_clear
from ..forms import FaultForm


@require_http_methods(["GET", "POST"])
def faults_page(request):
    """Show the armed fault switches; arm another or clear them all."""
    # The only sandbox page of the application's own: it changes how "Amazon" answers everyone.
    if not request.user.is_staff:
        raise PermissionDenied
    if request.method == "POST" and request.POST.get("action") == "clear":
        faults_clear()
        messages.success(request, _("All fault switches are cleared."))
        return redirect("amazon_sandbox:faults")
    form = FaultForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        faults_arm(target=data["target"], mode=data["mode"], times=data["remaining"], retry_after=data["retry_after"])
        messages.success(request, _("The fault switch is armed."))
        return redirect("amazon_sandbox:faults")
    # The sandbox knows none of the site's pages: "back" is wherever the site sends a user after signing in.
    context = {"form": form, "switches": faults_armed(), "back_url": resolve_url(settings.LOGIN_REDIRECT_URL)}
    return render(request, "amazon_sandbox/faults.html", context)
