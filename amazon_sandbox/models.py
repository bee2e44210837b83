from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .app import registered_application
from .marketplaces import MARKETPLACES, REGIONS

# A seller re-authorizes a public application every 365 days.
AUTHORIZATION_LIFETIME = timedelta(days=365)


class SandboxSeller(models.Model):
    """A seller account of the sandbox's Seller Central: its primary user and where it sells."""

    selling_partner_id = models.CharField(
        _("selling partner ID"),
        max_length=20,
        unique=True,
        validators=[RegexValidator(r"^[A-Z0-9]{10,20}$", _("Use 10 to 20 capital letters and digits."))],
    )
    email = models.EmailField(_("email"), unique=True, help_text=_("The primary user's sign-in email."))
    phone = models.CharField(
        _("phone"),
        max_length=20,
        unique=True,
        validators=[RegexValidator(r"^\+[0-9]{8,15}$", _("Use the international form, e.g. +12065550100."))],
        help_text=_("Also works as the sign-in name."),
    )
    # A password hash (django.contrib.auth.hashers); never the password.
    password = models.CharField(_("password"), max_length=128, editable=False)
    store_name = models.CharField(_("store name"), max_length=100)
    region = models.CharField(_("region"), max_length=2, choices=list(REGIONS.items()))
    marketplaces = models.JSONField(
        _("marketplaces"), default=list, help_text=_('Country codes of the marketplaces it sells in, e.g. ["US"].')
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("sandbox seller")
        verbose_name_plural = _("sandbox sellers")
        ordering = ["email"]
        constraints = [
            models.CheckConstraint(condition=Q(region__in=list(REGIONS)), name="sandboxseller_region_known"),
        ]

    def __str__(self):
        return f"{self.store_name} ({self.selling_partner_id})"

    def clean(self):
        codes = self.marketplaces if isinstance(self.marketplaces, list) else []
        known = [MARKETPLACES.get(code) if isinstance(code, str) else None for code in codes]
        # The SP-API answers per region: a seller's marketplaces all belong to the region of its account.
        if not codes or any(market is None or market.region != self.region for market in known):
            raise ValidationError(
                {"marketplaces": _('List country codes of marketplaces in the seller\'s region, e.g. ["US", "CA"].')}
            )


class AppAuthorization(models.Model):
    """A seller's grant to an application: dated by the newest consent, it ends 365 days later."""

    seller = models.ForeignKey(
        SandboxSeller, on_delete=models.CASCADE, related_name="authorizations", verbose_name=_("seller")
    )
    application_id = models.CharField(_("application ID"), max_length=100)
    granted_at = models.DateTimeField(_("granted"), default=timezone.now)

    class Meta:
        verbose_name = _("application authorization")
        verbose_name_plural = _("application authorizations")
        ordering = ["-granted_at"]
        constraints = [
            models.UniqueConstraint(fields=["seller", "application_id"], name="appauthorization_unique_seller_app"),
        ]

    def __str__(self):
        return f"{self.application_name} ← {self.seller}"

    @property
    def application_name(self) -> str:
        application = registered_application()
        return application.name if self.application_id == application.application_id else self.application_id

    @property
    def expires_at(self):
        return self.granted_at + AUTHORIZATION_LIFETIME

    def has_expired(self, *, now=None) -> bool:
        """Return whether Amazon's side has ended the grant: 365 days after the newest consent."""
        return self.expires_at <= (now or timezone.now())


class RefreshToken(models.Model):
    """A refresh token of a grant: one per consent, or only the newest (see NEW_CONSENT_REVOKES_OLD_TOKEN)."""

    authorization = models.ForeignKey(
        AppAuthorization, on_delete=models.CASCADE, related_name="refresh_tokens", verbose_name=_("authorization")
    )
    # SHA-256 of the refresh token, as an authorization server keeps it; the token itself is never stored.
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)

    class Meta:
        verbose_name = _("refresh token")
        verbose_name_plural = _("refresh tokens")
        ordering = ["-issued_at"]

    def __str__(self):
        return f"{self.authorization.seller} {self.issued_at:%Y-%m-%d %H:%M:%S}"


class AuthorizationCode(models.Model):
    """An authorization code issued at consent: valid five minutes, once."""

    code_hash = models.CharField(_("code hash"), max_length=64, unique=True, editable=False)
    seller = models.ForeignKey(SandboxSeller, on_delete=models.CASCADE, related_name="codes", verbose_name=_("seller"))
    application_id = models.CharField(_("application ID"), max_length=100)
    redirect_uri = models.CharField(_("redirect URI"), max_length=2048)
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        verbose_name = _("authorization code")
        verbose_name_plural = _("authorization codes")
        ordering = ["-issued_at"]

    def __str__(self):
        return f"{self.seller} {self.issued_at:%Y-%m-%d %H:%M:%S}"


class AccessToken(models.Model):
    """An access token for the SP-API, valid one hour, as long as its authorization stands."""

    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    authorization = models.ForeignKey(
        AppAuthorization, on_delete=models.CASCADE, related_name="access_tokens", verbose_name=_("authorization")
    )
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))

    class Meta:
        verbose_name = _("access token")
        verbose_name_plural = _("access tokens")
        ordering = ["-issued_at"]

    def __str__(self):
        return f"{self.authorization.seller} {self.issued_at:%Y-%m-%d %H:%M:%S}"


class FaultTarget(models.TextChoices):
    LWA = "lwa", _("LWA token endpoint")
    SPAPI = "spapi", _("SP-API")


class FaultMode(models.TextChoices):
    SERVER_ERROR = "500", _("500 internal error")
    UNAVAILABLE = "503", _("503 service unavailable")
    THROTTLED = "429", _("429 too many requests")
    TIMEOUT = "timeout", _("Timeout (slow answer, then 504)")
    HTML = "html", _("502 with an HTML page")
    MALFORMED_JSON = "malformed_json", _("200 with truncated JSON")


class FaultSwitch(models.Model):
    """The next calls to a target answer with this fault instead of working."""

    Target = FaultTarget
    Mode = FaultMode

    target = models.CharField(_("target"), max_length=8, choices=FaultTarget.choices)
    mode = models.CharField(_("mode"), max_length=16, choices=FaultMode.choices)
    remaining = models.PositiveIntegerField(_("calls remaining"), default=1)
    retry_after = models.PositiveIntegerField(
        _("Retry-After (seconds)"), null=True, blank=True, help_text=_("Sent with 429 answers.")
    )
    created_at = models.DateTimeField(_("armed"), default=timezone.now)

    class Meta:
        verbose_name = _("fault switch")
        verbose_name_plural = _("fault switches")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(target__in=FaultTarget.values), name="faultswitch_target_known"),
            models.CheckConstraint(condition=Q(mode__in=FaultMode.values), name="faultswitch_mode_known"),
        ]

    def __str__(self):
        return f"{self.get_target_display()}: {self.get_mode_display()} × {self.remaining}"


class UsageBucket(models.Model):
    """The token bucket of a usage plan for one seller, application and SP-API operation."""

    seller = models.ForeignKey(
        SandboxSeller, on_delete=models.CASCADE, related_name="usage_buckets", verbose_name=_("seller")
    )
    application_id = models.CharField(_("application ID"), max_length=100)
    operation = models.CharField(_("operation"), max_length=100)
    tokens = models.FloatField(_("requests available"))
    updated_at = models.DateTimeField(_("counted at"))

    class Meta:
        verbose_name = _("usage bucket")
        verbose_name_plural = _("usage buckets")
        ordering = ["seller", "application_id", "operation"]
        constraints = [
            models.UniqueConstraint(
                fields=["seller", "application_id", "operation"], name="usagebucket_unique_seller_app_operation"
            ),
        ]

    def __str__(self):
        return f"{self.operation} ← {self.seller}: {self.tokens:.2f}"
