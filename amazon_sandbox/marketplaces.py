"""
The SP-API marketplaces as the sandbox's Amazon knows them: ID, region, currency, name, domain, language.

Facts from Amazon's "Marketplace IDs" and "SP-API endpoints" pages; name, domain and language as
getMarketplaceParticipations returns them (e.g. "Amazon.com", "www.amazon.com", "en_US").
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

REGIONS = {
    "NA": _("North America"),
    "EU": _("Europe"),
    "FE": _("Far East"),
}


@dataclass(frozen=True)
class Marketplace:
    code: str  # ISO 3166-1 alpha-2, Amazon's `countryCode`
    marketplace_id: str
    region: str
    currency: str
    name: str
    domain: str
    language: str


MARKETPLACES = {
    m.code: m
    for m in [
        Marketplace("US", "ATVPDKIKX0DER", "NA", "USD", "Amazon.com", "www.amazon.com", "en_US"),
        Marketplace("CA", "A2EUQ1WTGCTBG2", "NA", "CAD", "Amazon.ca", "www.amazon.ca", "en_CA"),
        Marketplace("MX", "A1AM78C64UM0Y8", "NA", "MXN", "Amazon.com.mx", "www.amazon.com.mx", "es_MX"),
        Marketplace("BR", "A2Q3Y263D00KWC", "NA", "BRL", "Amazon.com.br", "www.amazon.com.br", "pt_BR"),
        Marketplace("GB", "A1F83G8C2ARO7P", "EU", "GBP", "Amazon.co.uk", "www.amazon.co.uk", "en_GB"),
        Marketplace("DE", "A1PA6795UKMFR9", "EU", "EUR", "Amazon.de", "www.amazon.de", "de_DE"),
        Marketplace("FR", "A13V1IB3VIYZZH", "EU", "EUR", "Amazon.fr", "www.amazon.fr", "fr_FR"),
        Marketplace("IT", "APJ6JRA9NG5V4", "EU", "EUR", "Amazon.it", "www.amazon.it", "it_IT"),
        Marketplace("ES", "A1RKKUPIHCS9HS", "EU", "EUR", "Amazon.es", "www.amazon.es", "es_ES"),
        Marketplace("NL", "A1805IZSGTT6HS", "EU", "EUR", "Amazon.nl", "www.amazon.nl", "nl_NL"),
        Marketplace("SE", "A2NODRKZP88ZB9", "EU", "SEK", "Amazon.se", "www.amazon.se", "sv_SE"),
        Marketplace("PL", "A1C3SOZRARQ6R3", "EU", "PLN", "Amazon.pl", "www.amazon.pl", "pl_PL"),
        Marketplace("BE", "AMEN7PMS3EDWL", "EU", "EUR", "Amazon.com.be", "www.amazon.com.be", "fr_BE"),
        Marketplace("IE", "A28R8C7NBKEWEA", "EU", "EUR", "Amazon.ie", "www.amazon.ie", "en_IE"),
        Marketplace("TR", "A33AVAJ2PDY3EV", "EU", "TRY", "Amazon.com.tr", "www.amazon.com.tr", "tr_TR"),
        Marketplace("AE", "A2VIGQ35RCS4UG", "EU", "AED", "Amazon.ae", "www.amazon.ae", "en_AE"),
        Marketplace("SA", "A17E79C6D8DWNP", "EU", "SAR", "Amazon.sa", "www.amazon.sa", "ar_SA"),
        Marketplace("EG", "ARBP9OOSHTCHU", "EU", "EGP", "Amazon.eg", "www.amazon.eg", "ar_EG"),
        Marketplace("IN", "A21TJRUUN4KGV", "EU", "INR", "Amazon.in", "www.amazon.in", "en_IN"),
        Marketplace("ZA", "AE08WJ6YKNBMC", "EU", "ZAR", "Amazon.co.za", "www.amazon.co.za", "en_ZA"),
        Marketplace("JP", "A1VC38T7YXB528", "FE", "JPY", "Amazon.co.jp", "www.amazon.co.jp", "ja_JP"),
        Marketplace("AU", "A39IBJ37TRP1C6", "FE", "AUD", "Amazon.com.au", "www.amazon.com.au", "en_AU"),
        Marketplace("SG", "A19VAU5U5O7RUS", "FE", "SGD", "Amazon.sg", "www.amazon.sg", "en_SG"),
    ]
}


def marketplace_payload(*, code: str) -> dict:
    """Return the SP-API `Marketplace` object of a country code."""
    marketplace = MARKETPLACES[code]
    return {
        "id": marketplace.marketplace_id,
        "name": marketplace.name,
        "countryCode": marketplace.code,
        "defaultCurrencyCode": marketplace.currency,
        "defaultLanguageCode": marketplace.language,
        "domainName": marketplace.domain,
    }
