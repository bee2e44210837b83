from django.contrib import admin

from .models import AuthorizationRequest, ReminderDelivery, SellerAuthorization, StoreConnection


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
        "verify_after",
        "last_verify_error",
        "revoked_at",
        "revoked_by",
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
    list_display = ["store", "authorization", "purpose", "user", "created_at", "expires_at", "consumed_at"]
    list_filter = ["purpose", "created_at", ("consumed_at", admin.EmptyFieldListFilter)]
    list_select_related = ["store", "authorization", "user"]
    search_fields = ["store__name", "authorization__selling_partner_id", "user__username"]
    # The hashes of the state and of the session binding stay out of sight.
    fields = ["store", "authorization", "purpose", "user", "created_at", "expires_at", "consumed_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ReminderDelivery)
class ReminderDeliveryAdmin(admin.ModelAdmin):
    list_display = ["authorization", "kind", "expires_on", "offset_days", "status", "attempts", "sent_at"]
    list_filter = ["kind", "status", "expires_on"]
    list_select_related = ["authorization"]
    search_fields = ["authorization__selling_partner_id"]
    readonly_fields = [f.name for f in ReminderDelivery._meta.fields]

    def has_add_permission(self, request):
        # Rows are the send log of the reminder job: written by it, never by hand.
        return False

    def has_change_permission(self, request, obj=None):
        return False
