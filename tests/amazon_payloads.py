"""Amazon's answers, shaped as its documentation shows them, for tests that mock the HTTP boundary."""

from django.conf import settings

ACCESS_TOKEN = "Atza|IwEBIA-test-access-token-0123456789"
REFRESH_TOKEN = "Atzr|IwEBIA-test-refresh-token-SENTINEL-0123456789"
CODE = "ANabcdefghijklmnopqr"
SELLER = "A2NASELLER0001"

MARKETS = {
    "US": ("ATVPDKIKX0DER", "Amazon.com", "USD", "en_US", "www.amazon.com"),
    "CA": ("A2EUQ1WTGCTBG2", "Amazon.ca", "CAD", "en_CA", "www.amazon.ca"),
    "MX": ("A1AM78C64UM0Y8", "Amazon.com.mx", "MXN", "es_MX", "www.amazon.com.mx"),
    "GB": ("A1F83G8C2ARO7P", "Amazon.co.uk", "GBP", "en_GB", "www.amazon.co.uk"),
}


def token_response(**overrides) -> dict:
    body = {"access_token": ACCESS_TOKEN, "refresh_token": REFRESH_TOKEN, "token_type": "bearer", "expires_in": 3600}
    return {key: value for key, value in (body | overrides).items() if value is not None}


def lwa_error(code: str, description: str = "") -> dict:
    return {"error": code, "error_description": description or code}


def participations(*countries: str, store_name: str = "Northwind Outfitters") -> dict:
    payload = []
    for country in countries:
        marketplace_id, name, currency, language, domain = MARKETS[country]
        payload.append(
            {
                "marketplace": {
                    "id": marketplace_id,
                    "name": name,
                    "countryCode": country,
                    "defaultCurrencyCode": currency,
                    "defaultLanguageCode": language,
                    "domainName": domain,
                },
                "participation": {"isParticipating": True, "hasSuspendedListings": False},
                "storeName": store_name,
            }
        )
    return {"payload": payload}


def lwa_url() -> str:
    return settings.AMAZON_LWA_TOKEN_URL


def participations_url(region: str = "NA") -> str:
    return f"{settings.AMAZON_SPAPI_ENDPOINTS[region]}/sellers/v1/marketplaceParticipations"
