from django import forms
from django.contrib import admin
from django.contrib.auth.hashers import make_password
from django.utils.translation import gettext_lazy as _

from .models import (
    AccessToken,
    AppAuthorization,
    AuthorizationCode,
    FaultSwitch,
    RefreshToken,
    SandboxSeller,
    UsageBucket,
)


class SandboxSellerForm(forms.ModelForm):
    """Set a seller's password from the admin; only its hash is stored, and never shown."""

    new_password = forms.CharField(
        label=_("New password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to keep the current password."),
    )

    class Meta:
        model = SandboxSeller
        fields = ["selling_partner_id", "store_name", "email", "phone", "region", "marketplaces"]

    def clean(self):
        cleaned = super().clean()
        if not self.instance.password and not cleaned.get("new_password"):
            self.add_error("new_password", _("A new seller needs a password."))
        return cleaned

    def save(self, commit=True):
        if self.cleaned_data.get("new_password"):
            self.instance.password = make_password(self.cleaned_data["new_password"])
        return super().save(commit)


@admin.register(SandboxSeller)
class SandboxSellerAdmin(admin.ModelAdmin):
    form = SandboxSellerForm
    list_display = ["store_name", "selling_partner_id", "email", "phone", "region", "marketplaces"]
    list_filter = ["region"]
    search_fields = ["store_name", "selling_partner_id", "email", "phone"]


class _IssuedAdmin(admin.ModelAdmin):
    """Codes and tokens are issued by the sandbox, never typed in; their hashes stay out of sight."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AppAuthorization)
class AppAuthorizationAdmin(_IssuedAdmin):
    list_display = ["seller", "application_name", "granted_at", "expires_at"]
    list_select_related = ["seller"]
    search_fields = ["seller__store_name", "seller__selling_partner_id", "application_id"]
    fields = ["seller", "application_id", "granted_at"]


@admin.register(RefreshToken)
class RefreshTokenAdmin(_IssuedAdmin):
    list_display = ["authorization", "issued_at"]
    list_select_related = ["authorization__seller"]
    fields = ["authorization", "issued_at"]


@admin.register(AuthorizationCode)
class AuthorizationCodeAdmin(_IssuedAdmin):
    list_display = ["seller", "application_id", "issued_at", "expires_at", "used_at"]
    list_select_related = ["seller"]
    list_filter = ["used_at"]
    fields = ["seller", "application_id", "redirect_uri", "issued_at", "expires_at", "used_at"]


@admin.register(AccessToken)
class AccessTokenAdmin(_IssuedAdmin):
    list_display = ["authorization", "issued_at", "expires_at"]
    list_select_related = ["authorization__seller"]
    fields = ["authorization", "issued_at", "expires_at"]


@admin.register(FaultSwitch)
class FaultSwitchAdmin(admin.ModelAdmin):
    list_display = ["target", "mode", "remaining", "retry_after", "created_at"]
    list_filter = ["target", "mode"]


@admin.register(UsageBucket)
class UsageBucketAdmin(_IssuedAdmin):
    list_display = ["seller", "application_id", "operation", "tokens", "updated_at"]
    list_select_related = ["seller"]
    list_filter = ["operation"]
    fields = ["seller", "application_id", "operation", "tokens", "updated_at"]
