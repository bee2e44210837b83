from django import forms
from django.core.validators import RegexValidator
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .models import FaultMode, FaultSwitch, FaultTarget
from .selectors import seller_authenticate
from .services import BACKDATE_MAX_DAYS


class SignInForm(forms.Form):
    """Seller Central's sign-in: the primary user's email or phone, and password."""

    login = forms.CharField(
        label=_("Email or mobile phone number"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"), max_length=128, strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "off"})
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.seller = None

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            self.seller = seller_authenticate(login=cleaned["login"], password=cleaned["password"])
            if self.seller is None:
                raise forms.ValidationError(
                    _("We cannot find an account with that email address or phone number and password."),
                    code="invalid_login",
                )
        return cleaned


class MfaForm(forms.Form):
    """The two-factor step: the six-digit code."""

    code = forms.CharField(
        label=_("Enter the code"),
        min_length=6,
        max_length=6,
        validators=[RegexValidator(r"^[0-9]{6}$", _("Enter the six digits of the code."))],
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "size": 8}
        ),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class ConsentForm(forms.Form):
    """The consent page's acknowledgement, which Next requires."""

    understand = forms.BooleanField(
        label=_(
            "I understand that this application will have access to the selling account data listed above, "
            "and I direct Amazon to provide that data to it."
        ),
        error_messages={"required": _("Tick the box to confirm that you understand, or choose Cancel.")},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class FaultForm(forms.ModelForm):
    """Arm a fault switch from the sandbox's faults page."""

    remaining = forms.IntegerField(label=_("Number of calls"), min_value=1, max_value=100, initial=1)
    retry_after = forms.IntegerField(
        label=_("Retry-After (seconds)"),
        min_value=0,
        max_value=3600,
        required=False,
        help_text=_("Sent with 429 answers; 1 when left empty."),
    )

    class Meta:
        model = FaultSwitch
        fields = ["target", "mode", "remaining", "retry_after"]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        # Every choice is a real one: no empty "Select an option" entry.
        self.fields["target"].choices = FaultTarget.choices
        self.fields["mode"].choices = FaultMode.choices


_DAYS_OUT_OF_RANGE = format_lazy(_("Enter a whole number of days from 1 to {max}."), max=BACKDATE_MAX_DAYS)


class ConsentBackdateForm(forms.Form):
    """Move a grant's consent back by a number of days, from the sandbox's Sellers page."""

    days = forms.IntegerField(
        label=_("Days back"),
        min_value=1,
        max_value=BACKDATE_MAX_DAYS,
        error_messages=dict.fromkeys(("required", "invalid", "min_value", "max_value"), _DAYS_OUT_OF_RANGE),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
