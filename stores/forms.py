from django import forms
from django.utils.translation import gettext_lazy as _

from .marketplaces import marketplace_choices
from .models import AmazonStore, CatalogAttribute, ProductIdType, Website
from .names import TAKEN_MESSAGE, name_key, validate_visible_name

PLEASE_SELECT = _("-- Please Select --")


class Form(forms.Form):
    """A form whose labels read as written, without Django's trailing colon."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class StoreNameField(forms.CharField):
    def __init__(self, label=None, **kwargs):
        super().__init__(
            label=label or _("New Store Name"),
            max_length=AmazonStore._meta.get_field("name").max_length,
            validators=[validate_visible_name],
            help_text=_("Only used here, to tell your Amazon stores apart; for example Amazon Store USA."),
            **kwargs,
        )


class UniqueStoreNameMixin:
    """Refuse a name that looks like another store's: differing only in case, spacing or look-alike letters."""

    instance = None

    def clean_name(self):
        name = self.cleaned_data["name"]
        others = AmazonStore.objects.filter(name_key=name_key(name))
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(
                TAKEN_MESSAGE,
                code="unique",
                params={"name": others.values_list("name", flat=True).first()},
            )
        return name


class StoreCreateForm(UniqueStoreNameMixin, Form):
    website = forms.ModelChoiceField(
        label=_("Magento Website to use for Amazon Listing"),
        queryset=Website.objects.all(),
        empty_label=PLEASE_SELECT,
        help_text=_("This website also sets the default store view for orders imported from Amazon."),
    )
    contact_email = forms.EmailField(label=_("Email Address"), max_length=254)
    name = StoreNameField()
    marketplace = forms.ChoiceField(label=_("Amazon Marketplace Country"))
    product_id_type = forms.ChoiceField(
        label=_("Product ID on the Amazon market"),
        choices=[("", PLEASE_SELECT), *ProductIdType.choices],
        required=False,
        help_text=_("The Amazon identifier your listings are matched by."),
    )
    product_id_attribute = forms.ModelChoiceField(
        label=_("Map a Magento attribute"),
        queryset=CatalogAttribute.objects.all(),
        empty_label=PLEASE_SELECT,
        required=False,
        help_text=_("The catalog attribute that holds that identifier for each product."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Read at request time, so that ASC_MARKETPLACES is honoured (and tests may change it).
        self.fields["marketplace"].choices = [("", PLEASE_SELECT), *marketplace_choices()]

    def clean(self):
        cleaned = super().clean()
        id_type = cleaned.get("product_id_type")
        attribute = cleaned.get("product_id_attribute")
        if self.has_error("product_id_type") or self.has_error("product_id_attribute"):
            return cleaned
        if id_type and not attribute:
            self.add_error(
                "product_id_attribute",
                _("Choose the catalog attribute that holds the %(id_type)s.") % {"id_type": id_type},
            )
        elif attribute and not id_type:
            self.add_error("product_id_type", _("Choose which Amazon product ID the attribute holds."))
        return cleaned


class StoreEditForm(UniqueStoreNameMixin, Form):
    name = StoreNameField(label=_("Store Name"))
    contact_email = forms.EmailField(label=_("Email Address"), max_length=254)

    def __init__(self, *args, instance: AmazonStore, **kwargs):
        self.instance = instance
        kwargs.setdefault("initial", {"name": instance.name, "contact_email": instance.contact_email})
        super().__init__(*args, **kwargs)


class StoreDeleteForm(Form):
    confirm_name = forms.CharField(label=_("Type the store name to confirm"), max_length=255, strip=True)

    def __init__(self, *args, instance: AmazonStore, **kwargs):
        self.instance = instance
        super().__init__(*args, **kwargs)

    def clean_confirm_name(self):
        typed = self.cleaned_data["confirm_name"]
        if typed != self.instance.name.strip():
            raise forms.ValidationError(
                _("That is not the store's name. Type it exactly as shown to delete the store.")
            )
        return typed


class StoreFilterForm(Form):
    STATUS_CHOICES = [("", _("All statuses")), ("active", _("Active")), ("inactive", _("Inactive"))]

    q = forms.CharField(label=_("Search by store name"), max_length=255, required=False)
    marketplace = forms.ChoiceField(label=_("Marketplace"), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["marketplace"].choices = [("", _("All marketplaces")), *marketplace_choices()]

    def filters(self) -> dict:
        """Return the valid filters; an invalid one is dropped (and reported by the form's errors)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {key: value for key, value in getattr(self, "cleaned_data", {}).items() if value}
