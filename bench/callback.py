"""The callback's own work: Amazon answers instantly (mocked at HTTP level), so what is timed is ours."""

import time
from urllib.parse import parse_qs, urlsplit

import responses
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from bench.stats import summary
from stores.models import AmazonStore

TOKENS = {"access_token": "Atza|bench", "refresh_token": "Atzr|bench", "token_type": "bearer", "expires_in": 3600}
# Amazon's own https endpoints: the application refuses the sandbox's plain http with DEBUG off, as here.
AMAZON = {
    "AMAZON_LWA_TOKEN_URL": "https://api.amazon.com/auth/o2/token",
    "AMAZON_SPAPI_ENDPOINTS": {"NA": "https://sellingpartnerapi-na.amazon.com"},
    "AMAZON_SANDBOX_SELLER_CENTRAL_URL": "",
}
PARTICIPATIONS = {
    "payload": [
        {
            "marketplace": {
                "id": "ATVPDKIKX0DER",
                "name": "Amazon.com",
                "countryCode": "US",
                "defaultCurrencyCode": "USD",
                "defaultLanguageCode": "en_US",
                "domainName": "www.amazon.com",
            },
            "participation": {"isParticipating": True, "hasSuspendedListings": False},
            "storeName": "Bench Seller",
        }
    ]
}


def run(user, rounds: int, warmup: int) -> None:
    store = AmazonStore.objects.filter(marketplace="US").first()
    client = Client()
    client.force_login(user)
    samples = []
    with override_settings(**AMAZON), responses.RequestsMock() as amazon:
        amazon.post(settings.AMAZON_LWA_TOKEN_URL, json=TOKENS)
        amazon.get(f"{settings.AMAZON_SPAPI_ENDPOINTS['NA']}/sellers/v1/marketplaceParticipations", json=PARTICIPATIONS)
        for round_number in range(warmup + rounds):
            consent = client.post(reverse("sellerauth:connect", args=[store.pk])).url
            query = {
                "state": parse_qs(urlsplit(consent).query)["state"][0],
                "spapi_oauth_code": "ANbenchbenchbenchben",
                "selling_partner_id": "ABENCHSELLER01",
            }
            start = time.perf_counter()
            response = client.get(reverse("sellerauth:callback"), query)
            elapsed = (time.perf_counter() - start) * 1000
            outcome = client.session.get("sellerauth:result", {})
            if response.status_code != 303 or not outcome.get("ok"):
                raise SystemExit(f"callback failed: {response.status_code} {outcome}")
            client.get(reverse("sellerauth:result"))
            if round_number >= warmup:
                samples.append(elapsed)
    print(f"\nCallback's own work, {rounds} callbacks (Amazon mocked, no network), milliseconds:")
    print(f"  {'':<28}{'median':>9}{'p95':>9}")
    print(f"  {'callback (verify + save)':<28}{summary(samples)}")
