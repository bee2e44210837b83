from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language

from . import views
from .forms import SignInForm

admin.site.site_header = _("Amazon Sales Channel administration")
admin.site.site_title = _("Amazon Sales Channel")

urlpatterns = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=SignInForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The header's language switch: a POST that sets the language cookie, open on the sign-in page too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("amazon/", include("sellerauth.urls")),
    path("", include("stores.urls")),
]

if "amazon_sandbox" in settings.INSTALLED_APPS:
    # The embedded Seller Central, LWA and SP-API, at Amazon's own paths under /sandbox/.
    urlpatterns.insert(0, path("sandbox/", include("amazon_sandbox.urls")))
