"""
The Amazon marketplaces: a code table, not a database table.

Facts from Amazon's "Marketplace IDs" and "SP-API endpoints" pages. Every marketplace is defined; the
setting ASC_MARKETPLACES (country codes) decides which ones merchants may choose.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _

REGIONS = {
    "NA": _("North America"),
    "EU": _("Europe"),
    "FE": _("Far East"),
}


@dataclass(frozen=True)
class Marketplace:
    code: str  # ISO 3166-1 alpha-2 country code, as in Amazon's `countryCode`.
    country: str
    marketplace_id: str
    region: str
    seller_central_url: str
    currency: str

    def __str__(self):
        return str(self.country)

    @property
    def region_name(self):
        return REGIONS[self.region]

    @property
    def flag(self):
        """Return the static path of the country's flag."""
        return f"img/flags/{self.code.lower()}.svg"


MARKETPLACES = {
    m.code: m
    for m in [
        Marketplace("US", _("United States"), "ATVPDKIKX0DER", "NA", "https://sellercentral.amazon.com", "USD"),
        Marketplace("CA", _("Canada"), "A2EUQ1WTGCTBG2", "NA", "https://sellercentral.amazon.ca", "CAD"),
        Marketplace("MX", _("Mexico"), "A1AM78C64UM0Y8", "NA", "https://sellercentral.amazon.com.mx", "MXN"),
        Marketplace("BR", _("Brazil"), "A2Q3Y263D00KWC", "NA", "https://sellercentral.amazon.com.br", "BRL"),
        Marketplace(
            "GB", _("United Kingdom"), "A1F83G8C2ARO7P", "EU", "https://sellercentral-europe.amazon.com", "GBP"
        ),
        Marketplace("DE", _("Germany"), "A1PA6795UKMFR9", "EU", "https://sellercentral-europe.amazon.com", "EUR"),
        Marketplace("FR", _("France"), "A13V1IB3VIYZZH", "EU", "https://sellercentral-europe.amazon.com", "EUR"),
        Marketplace("IT", _("Italy"), "APJ6JRA9NG5V4", "EU", "https://sellercentral-europe.amazon.com", "EUR"),
        Marketplace("ES", _("Spain"), "A1RKKUPIHCS9HS", "EU", "https://sellercentral-europe.amazon.com", "EUR"),
        Marketplace("NL", _("Netherlands"), "A1805IZSGTT6HS", "EU", "https://sellercentral.amazon.nl", "EUR"),
        Marketplace("SE", _("Sweden"), "A2NODRKZP88ZB9", "EU", "https://sellercentral.amazon.se", "SEK"),
        Marketplace("PL", _("Poland"), "A1C3SOZRARQ6R3", "EU", "https://sellercentral.amazon.pl", "PLN"),
        Marketplace("BE", _("Belgium"), "AMEN7PMS3EDWL", "EU", "https://sellercentral.amazon.com.be", "EUR"),
        Marketplace("IE", _("Ireland"), "A28R8C7NBKEWEA", "EU", "https://sellercentral.amazon.ie", "EUR"),
        Marketplace("TR", _("Turkey"), "A33AVAJ2PDY3EV", "EU", "https://sellercentral.amazon.com.tr", "TRY"),
        Marketplace("AE", _("United Arab Emirates"), "A2VIGQ35RCS4UG", "EU", "https://sellercentral.amazon.ae", "AED"),
        Marketplace("SA", _("Saudi Arabia"), "A17E79C6D8DWNP", "EU", "https://sellercentral.amazon.sa", "SAR"),
        Marketplace("EG", _("Egypt"), "ARBP9OOSHTCHU", "EU", "https://sellercentral.amazon.eg", "EGP"),
        Marketplace("IN", _("India"), "A21TJRUUN4KGV", "EU", "https://sellercentral.amazon.in", "INR"),
        Marketplace("ZA", _("South Africa"), "AE08WJ6YKNBMC", "EU", "https://sellercentral.amazon.co.za", "ZAR"),
        Marketplace("JP", _("Japan"), "A1VC38T7YXB528", "FE", "https://sellercentral.amazon.co.jp", "JPY"),
        Marketplace("AU", _("Australia"), "A39IBJ37TRP1C6", "FE", "https://sellercentral.amazon.com.au", "AUD"),
        Marketplace("SG", _("Singapore"), "A19VAU5U5O7RUS", "FE", "https://sellercentral.amazon.sg", "SGD"),
    ]
}

# Stored on the store; a database constraint keeps the column to these values.
ALL_CODES = tuple(MARKETPLACES)


def marketplace_get(code: str) -> Marketplace | None:
    """Return the marketplace for a country code, or None when it is unknown."""
    return MARKETPLACES.get(code)


def marketplaces_enabled() -> list[Marketplace]:
    """Return the marketplaces merchants may choose, in the order the setting lists them."""
    return [MARKETPLACES[code] for code in settings.ASC_MARKETPLACES if code in MARKETPLACES]


def marketplace_choices() -> list[tuple[str, str]]:
    """Return (code, country) pairs of the enabled marketplaces, for form fields."""
    return [(m.code, m.country) for m in marketplaces_enabled()]
