"""
What the SP-API says about each marketplace beyond the project's table: its name, domain and language.

Values as Amazon's getMarketplaceParticipations returns them (e.g. "Amazon.com", "www.amazon.com", "en_US").
"""

from stores.marketplaces import MARKETPLACES

# country code: (name, domainName, defaultLanguageCode)
MARKETPLACE_DETAILS = {
    "US": ("Amazon.com", "www.amazon.com", "en_US"),
    "CA": ("Amazon.ca", "www.amazon.ca", "en_CA"),
    "MX": ("Amazon.com.mx", "www.amazon.com.mx", "es_MX"),
    "BR": ("Amazon.com.br", "www.amazon.com.br", "pt_BR"),
    "GB": ("Amazon.co.uk", "www.amazon.co.uk", "en_GB"),
    "DE": ("Amazon.de", "www.amazon.de", "de_DE"),
    "FR": ("Amazon.fr", "www.amazon.fr", "fr_FR"),
    "IT": ("Amazon.it", "www.amazon.it", "it_IT"),
    "ES": ("Amazon.es", "www.amazon.es", "es_ES"),
    "NL": ("Amazon.nl", "www.amazon.nl", "nl_NL"),
    "SE": ("Amazon.se", "www.amazon.se", "sv_SE"),
    "PL": ("Amazon.pl", "www.amazon.pl", "pl_PL"),
    "BE": ("Amazon.com.be", "www.amazon.com.be", "fr_BE"),
    "IE": ("Amazon.ie", "www.amazon.ie", "en_IE"),
    "TR": ("Amazon.com.tr", "www.amazon.com.tr", "tr_TR"),
    "AE": ("Amazon.ae", "www.amazon.ae", "en_AE"),
    "SA": ("Amazon.sa", "www.amazon.sa", "ar_SA"),
    "EG": ("Amazon.eg", "www.amazon.eg", "ar_EG"),
    "IN": ("Amazon.in", "www.amazon.in", "en_IN"),
    "ZA": ("Amazon.co.za", "www.amazon.co.za", "en_ZA"),
    "JP": ("Amazon.co.jp", "www.amazon.co.jp", "ja_JP"),
    "AU": ("Amazon.com.au", "www.amazon.com.au", "en_AU"),
    "SG": ("Amazon.sg", "www.amazon.sg", "en_SG"),
}


def marketplace_payload(*, code: str) -> dict:
    """Return the SP-API `Marketplace` object of a country code."""
    marketplace = MARKETPLACES[code]
    name, domain, language = MARKETPLACE_DETAILS[code]
    return {
        "id": marketplace.marketplace_id,
        "name": name,
        "countryCode": marketplace.code,
        "defaultCurrencyCode": marketplace.currency,
        "defaultLanguageCode": language,
        "domainName": domain,
    }
