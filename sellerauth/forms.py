from django import forms
from django.utils.translation import gettext_lazy as _

from stores.marketplaces import REGIONS

from .status import ConnectionStatus


class AuthorizationFilterForm(forms.Form):
    """The filters of the Current Authorizations page; an invalid value is reported and ignored."""

    STATUS_CHOICES = [
        ("", _("All statuses")),
        ("attention", _("Needs attention")),
        *[(status.value, status.label) for status in ConnectionStatus if status != ConnectionStatus.NOT_CONNECTED],
    ]

    q = forms.CharField(label=_("Seller"), max_length=255, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    region = forms.ChoiceField(label=_("Region"), choices=[("", _("All regions")), *REGIONS.items()], required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def filters(self) -> dict:
        """Return the valid filters; an invalid one is dropped (and reported by the form's errors)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {key: value for key, value in getattr(self, "cleaned_data", {}).items() if value}
