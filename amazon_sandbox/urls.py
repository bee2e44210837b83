"""The sandbox answers at Amazon's own paths, each service under a prefix of its own."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path, re_path
from django.views.i18n import set_language

from .views import consent, faults, lwa, manage, sellers, spapi

app_name = "amazon_sandbox"

urlpatterns = [
    # Seller Central
    path("sellercentral/apps/authorize/consent", consent.consent_start, name="consent_start"),
    path("sellercentral/ap/signin", consent.sign_in, name="sign_in"),
    path("sellercentral/ap/mfa", consent.mfa, name="mfa"),
    path("sellercentral/apps/authorize/confirm", consent.consent_page, name="consent"),
    path("sellercentral/apps/authorize/confirm/<str:application_id>", consent.confirm_start, name="authorize_confirm"),
    path("sellercentral/apps/authorize/almost-done", consent.almost_done, name="almost_done"),
    path("sellercentral/apps/manage", manage.manage, name="manage"),
    path("sellercentral/apps/manage/<int:pk>/remove", manage.authorization_remove_view, name="authorization_remove"),
    path("sellercentral/apps/manage/<int:pk>/reauthorize", manage.reauthorize, name="reauthorize"),
    path("sellercentral/ap/signout", manage.sign_out, name="sign_out"),
    # Seller Central's language menu: sets the language cookie (shared with the application on this host).
    path("sellercentral/language", login_not_required(set_language), name="set_language"),
    # Login with Amazon
    path("lwa/auth/o2/token", lwa.token, name="lwa_token"),
    # SP-API
    re_path(
        r"^spapi/(?P<region>na|eu|fe)/sellers/v1/marketplaceParticipations$",
        spapi.marketplace_participations,
        name="marketplace_participations",
    ),
    # The sandbox's own controls
    path("faults/", faults.faults_page, name="faults"),
    path("sellers/", sellers.sellers_page, name="sellers"),
    path("sellers/grants/<int:pk>/backdate", sellers.consent_backdate, name="consent_backdate"),
]
