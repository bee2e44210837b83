from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .marketplaces import ALL_CODES, MARKETPLACES
from .names import KEY_MAX_LENGTH, name_key, validate_visible_name


class Website(models.Model):
    """A storefront of the catalog that an Amazon store lists from."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=255)
    default_store_view = models.CharField(
        _("default store view"),
        max_length=255,
        help_text=_("The store view that imported Amazon orders are placed in."),
    )

    class Meta:
        verbose_name = _("website")
        verbose_name_plural = _("websites")
        ordering = ["name"]

    def __str__(self):
        return self.name


class CatalogAttribute(models.Model):
    """A product attribute of the catalog that can hold a product identifier."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    label = models.CharField(_("label"), max_length=255)

    class Meta:
        verbose_name = _("catalog attribute")
        verbose_name_plural = _("catalog attributes")
        ordering = ["label"]

    def __str__(self):
        return f"{self.label} ({self.code})"


class ProductIdType(models.TextChoices):
    ASIN = "ASIN", "ASIN"
    EAN = "EAN", "EAN"
    GCID = "GCID", "GCID"
    ISBN = "ISBN", "ISBN"
    UPC = "UPC", "UPC"


class AmazonStore(models.Model):
    """A merchant's store on one Amazon marketplace, listing from one website of the catalog."""

    name = models.CharField(
        _("store name"),
        max_length=255,
        validators=[validate_visible_name],
        help_text=_("Only used in this application, to tell stores apart; e.g. Amazon Store USA."),
    )
    name_key = models.CharField(
        _("name key"),
        max_length=KEY_MAX_LENGTH,
        unique=True,
        editable=False,
        help_text=_(
            "The name as it looks: its Unicode skeleton, case-folded, spaces collapsed, so that look-alike "
            "names collide (stores/names.py)."
        ),
    )
    website = models.ForeignKey(
        Website, on_delete=models.PROTECT, related_name="amazon_stores", verbose_name=_("website")
    )
    contact_email = models.EmailField(_("email address"), max_length=254)
    marketplace = models.CharField(_("marketplace country"), max_length=2)
    product_id_type = models.CharField(
        _("product ID on the Amazon market"), max_length=4, choices=ProductIdType.choices, blank=True
    )
    product_id_attribute = models.ForeignKey(
        CatalogAttribute,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="amazon_stores",
        verbose_name=_("mapped catalog attribute"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last updated"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("Amazon store")
        verbose_name_plural = _("Amazon stores")
        ordering = ["-created_at", "-id"]
        permissions = [("connect_amazonstore", _("Can connect an Amazon store to Seller Central"))]
        # The home page lists newest first, a page at a time: this index serves that order without a sort.
        indexes = [models.Index(fields=["-created_at", "-id"], name="amazonstore_newest_first")]
        constraints = [
            models.CheckConstraint(condition=Q(marketplace__in=ALL_CODES), name="amazonstore_marketplace_known"),
            models.CheckConstraint(
                condition=Q(product_id_type__in=[*ProductIdType.values, ""]),
                name="amazonstore_product_id_type_known",
            ),
            models.CheckConstraint(
                condition=(
                    Q(product_id_type="", product_id_attribute__isnull=True)
                    | (~Q(product_id_type="") & Q(product_id_attribute__isnull=False))
                ),
                name="amazonstore_product_id_mapping_complete",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name_key = name_key(self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("stores:detail", args=[self.pk])

    @property
    def marketplace_info(self):
        return MARKETPLACES[self.marketplace]


class StoreEventKind(models.TextChoices):
    CREATED = "created", _("Created")
    EDITED = "edited", _("Edited")
    ACTIVATED = "activated", _("Activated")
    DEACTIVATED = "deactivated", _("Deactivated")
    DELETED = "deleted", _("Deleted")
    CONNECT_STARTED = "connect_started", _("Connection started")
    CONNECTED = "connected", _("Connected")
    CONNECT_FAILED = "connect_failed", _("Connection failed")
    VERIFIED = "verified", _("Connection verified")
    RENEWED = "renewed", _("Authorization renewed")
    REMINDER_SENT = "reminder_sent", _("Renewal reminder sent")
    REVOKED = "revoked", _("Authorization revoked")
    AUTHORIZATION_LOST = "authorization_lost", _("Amazon refused the authorization")
    DENIED = "denied", _("Action denied")
    SECURITY = "security", _("Security warning")


class StoreEvent(models.Model):
    """One line of a store's activity log. Append-only; never holds a secret."""

    Kind = StoreEventKind

    # Kept after the store is deleted (SET_NULL), so the deletion itself stays on record.
    store = models.ForeignKey(
        AmazonStore,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("store"),
    )
    store_name = models.CharField(_("store name"), max_length=255)
    kind = models.CharField(_("event"), max_length=32, choices=StoreEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    details = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("store event")
        verbose_name_plural = _("store events")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=StoreEventKind.values), name="storeevent_kind_known"),
        ]

    def __str__(self):
        return f"{self.store_name}: {self.get_kind_display()}"
