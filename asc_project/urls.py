from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views
from .forms import SignInForm

admin.site.site_header = "Amazon Sales Channel administration"
admin.site.site_title = "Amazon Sales Channel"

urlpatterns = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=SignInForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("amazon/", include("sellerauth.urls")),
    path("", include("stores.urls")),
]

if "amazon_sandbox" in settings.INSTALLED_APPS:
    # The embedded Seller Central, LWA and SP-API, at Amazon's own paths under /sandbox/.
    urlpatterns.insert(0, path("sandbox/", include("amazon_sandbox.urls")))
