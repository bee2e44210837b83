from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

# The keys of the activity log's details (and of the fields whose changes it records), in words. The values stay
# as stored: codes, IDs and dates that support staff look up. A key not listed here is shown as it is.
DETAIL_LABELS = {
    "name": _("Store name"),
    "contact_email": _("Email address"),
    "action": _("Action"),
    "permission": _("Permission"),
    "count": _("Times"),
    "outcome": _("Outcome"),
    "marketplaces": _("Marketplaces"),
    "seller_renamed": _("Seller's store renamed"),
    "code": _("Code"),
    "amazon_request_id": _("Amazon request ID"),
    "retry_after": _("Tried again after"),
    "purpose": _("Purpose"),
    "started_in": _("Started in"),
    "renewing_seller": _("Seller being renewed"),
    "claimed_seller": _("Seller in Amazon's answer"),
    "amazon_store_name": _("Store name on Amazon"),
    "reason": _("Reason"),
    "selling_partner_id": _("Seller"),
    "region": _("Region"),
    "shared": _("Shared authorization"),
    "expires": _("Expires"),
    "days_before": _("Days before expiry"),
    "recipients": _("Recipients"),
}


@register.filter
def join_if_list(value):
    """Show a list as comma-separated text, anything else as it is."""
    return ", ".join(map(str, value)) if isinstance(value, list | tuple) else value


@register.filter
def detail_label(key):
    """Return an activity detail's key in words, in the current language."""
    return DETAIL_LABELS.get(key, key)
