"""The pages in Swedish, chosen by the browser's Accept-Language or by the header's language switch (a cookie)."""

from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from sellerauth.models import StoreConnection
from tests.factories import AmazonStoreFactory, WebsiteFactory
from tests.sellerauth.authorizations import authorization_create

NOW = datetime(2026, 11, 13, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen(settings):
    settings.TIME_ZONE = "UTC"
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def swedish(client):
    """The test client as a browser that asks for Swedish."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "sv"
    return client


@pytest.fixture
def stores(db):
    """Two connected stores: one authorization expires in 23 days (on 6 December 2026), the other tomorrow."""
    later = authorization_create(seller="A2LATERSELLER", store_name="Northwind Outfitters", age_days=365 - 23)
    tomorrow = authorization_create(seller="A2TOMORROWSEL", store_name="Prairie Pantry Co.", age_days=364)
    stores = {}
    for authorization, name in ((later, "Northwind US"), (tomorrow, "Prairie US")):
        stores[name] = AmazonStoreFactory(name=name, marketplace="US")
        StoreConnection.objects.create(store=stores[name], authorization=authorization)
    return stores


def _page(client, url, status=200, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == status
    return response.content.decode()


def test_the_home_page_speaks_swedish(manager_client, swedish, stores):
    html = _page(manager_client, reverse("stores:home"))

    assert '<html lang="sv">' in html
    assert "Amazon försäljningskanal" in html
    assert "Lägg till en Amazon-butik" in html
    assert "Aktuella auktoriseringar" in html
    assert "2 butiker" in html
    assert "23 dagar kvar" in html
    assert "1 dag kvar" in html
    assert "6 december 2026" in html
    assert "Amazon Sales Channel" not in html
    # The switch names each language in its own words, as its lang attribute says.
    assert ">English</button>" in html
    assert ">Svenska</button>" in html


def test_the_pre_installation_tasks_use_the_guides_words(manager_client, swedish, stores):
    html = _page(manager_client, reverse("stores:pre_installation"))

    assert "Åtgärder före installation" in html
    assert "Utbildning och förberedelser" in html


def test_the_add_store_form_and_its_errors_speak_swedish(manager_client, swedish, db):
    url = reverse("stores:add")
    form = _page(manager_client, url)
    empty = manager_client.post(url, {"contact_email": ""}).content.decode()
    website = WebsiteFactory()
    half_mapped = manager_client.post(
        url,
        {
            "website": website.pk,
            "contact_email": "ops@example.com",
            "name": "Amazon Store Sverige",
            "marketplace": settings.ASC_MARKETPLACES[0],
            "product_id_type": "EAN",
        },
    ).content.decode()

    assert "Lägg till Amazon försäljningskanal" in form
    assert "Butiksinformation" in form
    assert "E-postadress" in form
    assert "Nytt butiksnamn" in form
    assert "-- Välj --" in form
    assert "Rätta felen nedan." in empty
    assert "Detta fält måste fyllas i." in empty  # Django's own catalogue
    assert "Rätta felet nedan." in half_mapped
    assert "Välj det katalogattribut som innehåller EAN." in half_mapped


def test_a_store_dashboard_speaks_swedish(manager_client, swedish, stores):
    html = _page(manager_client, stores["Prairie US"].get_absolute_url())

    assert "Amazon-anslutning" in html
    assert "1 dag kvar" in html
    assert "14 november 2026" in html  # the expiry, DATE_FORMAT
    assert "13 november 2026 12:00" in html  # created, DATETIME_FORMAT
    assert "Aktivitet" in html
    assert "Ta bort butik" in html


def test_the_authorizations_page_speaks_swedish(manager_client, swedish, stores):
    html = _page(manager_client, reverse("sellerauth:authorizations"))

    assert "Aktuella auktoriseringar" in html
    assert "2 auktoriseringar" in html
    assert "Dagar kvar" in html
    assert "6 december 2026" in html
    assert "Dags att förnya" in html  # the status badge


def test_the_sign_in_page_speaks_swedish(swedish, db):
    html = _page(swedish, reverse("login"))

    assert '<html lang="sv">' in html
    assert "Logga in" in html
    assert "Användarnamn" in html
    assert "Lösenord" in html


def test_the_sandbox_speaks_swedish_from_its_own_catalogue(swedish, db):
    html = _page(swedish, reverse("amazon_sandbox:sign_in"))

    assert "Demosäljare" in html
    assert "E-postadress eller mobiltelefonnummer" in html
    assert "Sandlåda" in html


def test_without_a_choice_the_pages_stay_english(manager_client, stores):
    html = _page(manager_client, reverse("stores:home"))

    assert '<html lang="en">' in html
    assert "Add Amazon Store" in html
    assert "23 days left" in html
    assert "Dec 6, 2026" in html


def test_the_language_switch_sets_the_cookie_and_the_next_page_is_swedish(manager_client, stores):
    home = reverse("stores:home")

    response = manager_client.post(reverse("set_language"), {"language": "sv", "next": home})

    assert response.status_code == 302
    assert response.url == home
    assert manager_client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "sv"
    assert "Lägg till en Amazon-butik" in _page(manager_client, home)


def test_the_language_switch_does_not_follow_a_next_off_the_site(client, db):
    response = client.post(reverse("set_language"), {"language": "sv", "next": "https://evil.example/steal"})

    assert response.status_code == 302
    assert urlsplit(response.url).netloc in ("", "testserver")
    assert "evil.example" not in response.url
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "sv"
