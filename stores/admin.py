from django import forms
from django.contrib import admin

from .forms import UniqueStoreNameMixin
from .models import AmazonStore, CatalogAttribute, StoreEvent, Website


@admin.register(Website)
class WebsiteAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "default_store_view"]
    search_fields = ["name", "code", "default_store_view"]


@admin.register(CatalogAttribute)
class CatalogAttributeAdmin(admin.ModelAdmin):
    list_display = ["label", "code"]
    search_fields = ["label", "code"]


class AmazonStoreAdminForm(UniqueStoreNameMixin, forms.ModelForm):
    class Meta:
        model = AmazonStore
        fields = [
            "name",
            "website",
            "contact_email",
            "marketplace",
            "product_id_type",
            "product_id_attribute",
            "is_active",
        ]


@admin.register(AmazonStore)
class AmazonStoreAdmin(admin.ModelAdmin):
    form = AmazonStoreAdminForm
    list_display = ["name", "marketplace", "website", "is_active", "contact_email", "created_at", "updated_at"]
    list_filter = ["is_active", "marketplace", "website", "product_id_type"]
    list_select_related = ["website"]
    search_fields = ["name", "contact_email"]
    date_hierarchy = "created_at"
    readonly_fields = ["created_by", "created_at", "updated_at"]

    def get_readonly_fields(self, request, obj=None):
        # Listings and imported orders depend on the website and marketplace: fixed once created.
        fixed = ["website", "marketplace", "product_id_type", "product_id_attribute"] if obj else []
        return [*fixed, *self.readonly_fields]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(StoreEvent)
class StoreEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "store_name", "kind", "actor"]
    list_filter = ["kind", "created_at"]
    list_select_related = ["actor"]
    search_fields = ["store_name", "actor__username"]
    date_hierarchy = "created_at"

    # The activity log is append-only: it is read here, never written.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
