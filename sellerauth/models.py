from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stores.marketplaces import MARKETPLACES, REGIONS
from stores.models import AmazonStore

from .status import AuthorizationState, connection_status, days_left


def marketplace_names(marketplace_ids: list[str]) -> list[str]:
    """Return the country names of marketplace IDs in the table's order (unknown IDs as they are, last)."""
    known = [str(m.country) for m in MARKETPLACES.values() if m.marketplace_id in marketplace_ids]
    table_ids = {m.marketplace_id for m in MARKETPLACES.values()}
    return known + [marketplace_id for marketplace_id in marketplace_ids if marketplace_id not in table_ids]


# Amazon requires sellers to renew an authorization every 365 days; no API tells the date, so we keep it.
AUTHORIZATION_LIFETIME = timedelta(days=365)


class SellerAuthorization(models.Model):
    """A seller's grant to this application in one region; shared by every store of that seller there."""

    State = AuthorizationState

    selling_partner_id = models.CharField(_("selling partner ID"), max_length=64)
    region = models.CharField(_("region"), max_length=2, choices=list(REGIONS.items()))
    seller_store_name = models.CharField(_("seller's store name on Amazon"), max_length=255, blank=True)
    # Fernet ciphertext; the plain refresh token is never stored.
    refresh_token_encrypted = models.TextField(_("refresh token (encrypted)"), blank=True, editable=False)
    state = models.CharField(
        _("state"), max_length=32, choices=AuthorizationState.choices, default=AuthorizationState.ACTIVE
    )
    granted_at = models.DateTimeField(_("granted"))
    expires_at = models.DateTimeField(_("expires"))
    last_verified_at = models.DateTimeField(_("last verified"), null=True, blank=True)
    # The scheduled verification leaves the authorization alone until then (after throttling or a network fault).
    verify_after = models.DateTimeField(_("verify again after"), null=True, blank=True)
    last_verify_error = models.CharField(_("last verification error"), max_length=64, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    marketplace_ids = models.JSONField(_("participating marketplace IDs"), default=list, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last updated"), auto_now=True)

    class Meta:
        verbose_name = _("seller authorization")
        verbose_name_plural = _("seller authorizations")
        ordering = ["expires_at"]
        permissions = [
            ("renew_sellerauthorization", _("Can renew a seller authorization")),
            ("revoke_sellerauthorization", _("Can revoke a seller authorization")),
        ]
        # The reminder sweep and the status filters select ranges of expiry; the authorizations page sorts by it.
        indexes = [models.Index(fields=["expires_at", "state"], name="sellerauth_expires_state")]
        constraints = [
            models.UniqueConstraint(
                fields=["selling_partner_id", "region"], name="sellerauthorization_unique_seller_region"
            ),
            models.CheckConstraint(condition=Q(region__in=list(REGIONS)), name="sellerauthorization_region_known"),
            models.CheckConstraint(
                condition=Q(state__in=AuthorizationState.values), name="sellerauthorization_state_known"
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("granted_at")), name="sellerauthorization_expires_after_grant"
            ),
        ]

    def __str__(self):
        return f"{self.selling_partner_id} ({self.region})"

    @property
    def status(self) -> str:
        """Return the connection status of the stores linked to this authorization."""
        return connection_status(state=self.state, expires_at=self.expires_at)

    @property
    def days_left(self) -> int:
        return days_left(self.expires_at)

    @property
    def has_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def marketplace_names(self) -> list[str]:
        return marketplace_names(self.marketplace_ids)


class StoreConnection(models.Model):
    """The link between one store and the seller authorization it uses."""

    store = models.OneToOneField(
        AmazonStore, on_delete=models.CASCADE, related_name="connection", verbose_name=_("store")
    )
    authorization = models.ForeignKey(
        SellerAuthorization,
        on_delete=models.PROTECT,
        related_name="connections",
        verbose_name=_("authorization"),
    )
    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("connected by"),
    )
    connected_at = models.DateTimeField(_("connected"), default=timezone.now)

    class Meta:
        verbose_name = _("store connection")
        verbose_name_plural = _("store connections")

    def __str__(self):
        return f"{self.store} → {self.authorization}"


class AuthorizationPurpose(models.TextChoices):
    CONNECT = "connect", _("Connect")
    RENEW = "renew", _("Renew")


class AuthorizationRequest(models.Model):
    """One connect or renew attempt: the server side of the OAuth `state`. Single use, short-lived."""

    Purpose = AuthorizationPurpose

    # SHA-256 of the state value; the value itself only travels to Amazon and back.
    state_hash = models.CharField(_("state hash"), max_length=64, unique=True, editable=False)
    # A connect attempt is for a store; a renewal is for an authorization (and every store sharing it).
    store = models.ForeignKey(
        AmazonStore,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="authorization_requests",
        verbose_name=_("store"),
    )
    authorization = models.ForeignKey(
        SellerAuthorization,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="requests",
        verbose_name=_("authorization"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    session_binding_hash = models.CharField(_("session binding hash"), max_length=64, editable=False)
    purpose = models.CharField(_("purpose"), max_length=16, choices=AuthorizationPurpose.choices)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    consumed_at = models.DateTimeField(_("consumed"), null=True, blank=True)

    class Meta:
        verbose_name = _("authorization request")
        verbose_name_plural = _("authorization requests")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(purpose__in=AuthorizationPurpose.values), name="authorizationrequest_purpose_known"
            ),
            models.CheckConstraint(
                condition=(
                    Q(purpose=AuthorizationPurpose.CONNECT, store__isnull=False)
                    | Q(purpose=AuthorizationPurpose.RENEW, authorization__isnull=False)
                ),
                name="authorizationrequest_has_target",
            ),
        ]

    def __str__(self):
        return f"{self.get_purpose_display()} {self.store or self.authorization} ({self.created_at:%Y-%m-%d %H:%M})"


class ReminderKind(models.TextChoices):
    REMINDER = "reminder", _("Renewal reminder")
    LOST = "lost", _("Authorization lost")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class ReminderDelivery(models.Model):
    """One e-mail about an authorization, written before it is sent, so that it goes out once."""

    Kind = ReminderKind
    Status = DeliveryStatus

    authorization = models.ForeignKey(
        SellerAuthorization, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("authorization")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ReminderKind.choices)
    # The expiry the e-mail is about: a renewal moves the expiry, and with it starts a new cycle of reminders.
    expires_on = models.DateField(_("expiry date"))
    offset_days = models.PositiveSmallIntegerField(_("days before expiry"))
    status = models.CharField(
        _("status"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    recipients = models.JSONField(_("recipients"), default=list, blank=True)
    error = models.CharField(_("last error"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("reminder delivery")
        verbose_name_plural = _("reminder deliveries")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["authorization", "kind", "expires_on", "offset_days"], name="reminderdelivery_once"
            ),
            models.CheckConstraint(condition=Q(kind__in=ReminderKind.values), name="reminderdelivery_kind_known"),
            models.CheckConstraint(condition=Q(status__in=DeliveryStatus.values), name="reminderdelivery_status_known"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.authorization} {self.expires_on} −{self.offset_days}"
