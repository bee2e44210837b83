from django.contrib import admin

from .models import AuthorizationRequest, SellerAuthorization, StoreConnection


class StoreConnectionInline(admin.TabularInline):
    model = StoreConnection
    extra = 0
    fields = ["store", "connected_by", "connected_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SellerAuthorization)
class SellerAuthorizationAdmin(admin.ModelAdmin):
    list_display = ["selling_partner_id", "region", "seller_store_name", "state", "granted_at", "expires_at"]
    list_filter = ["region", "state", "expires_at"]
    search_fields = ["selling_partner_id", "seller_store_name"]
    # The encrypted refresh token is never shown, not even as ciphertext.
    exclude = ["refresh_token_encrypted"]
    readonly_fields = [
        "selling_partner_id",
        "region",
        "seller_store_name",
        "granted_at",
        "expires_at",
        "last_verified_at",
        "marketplace_ids",
    ]
    inlines = [StoreConnectionInline]

    def has_add_permission(self, request):
        # Authorizations come only from Amazon's consent flow.
        return False


@admin.register(StoreConnection)
class StoreConnectionAdmin(admin.ModelAdmin):
    list_display = ["store", "authorization", "connected_by", "connected_at"]
    list_select_related = ["store", "authorization", "connected_by"]
    list_filter = ["authorization__region", "connected_at"]
    search_fields = ["store__name", "authorization__selling_partner_id"]
    readonly_fields = ["store", "authorization", "connected_by", "connected_at"]

    def has_add_permission(self, request):
        return False


@admin.register(AuthorizationRequest)
class AuthorizationRequestAdmin(admin.ModelAdmin):
    list_display = ["store", "purpose", "user", "created_at", "expires_at", "consumed_at"]
    list_filter = ["purpose", "created_at", ("consumed_at", admin.EmptyFieldListFilter)]
    list_select_related = ["store", "user"]
    search_fields = ["store__name", "user__username"]
    # The hashes of the state and of the session binding stay out of sight.
    fields = ["store", "purpose", "user", "created_at", "expires_at", "consumed_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
