"""The application against the embedded sandbox over real HTTP: nothing mocked."""

import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.urls import reverse

from amazon_sandbox.faults import faults_arm
from amazon_sandbox.models import AppAuthorization
from sellerauth import access_tokens, amazon_client
from sellerauth.errors import AmazonError
from sellerauth.models import AuthorizationState, SellerAuthorization
from sellerauth.services import connection_verify
from stores.models import StoreEvent
from tests.amazon_sandbox.flow import Sandbox
from tests.factories import AmazonStoreFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sandbox(live_sandbox):
    return Sandbox(live_sandbox)


def _connect(client, sandbox, store, *, login="na-seller@example.com"):
    """Connect store → the sandbox's consent pages (as a browser) → the callback; return the result page."""
    consent = client.post(reverse("sellerauth:connect", args=[store.pk])).url
    params = {name: values[0] for name, values in parse_qs(urlsplit(consent).query).items()}
    back = sandbox.authorize(requests.Session(), login=login, **params)
    response = client.get(reverse("sellerauth:callback"), {name: values[0] for name, values in back.items()})
    assert response.status_code == 303
    return client.get(response.url).content.decode()


def test_connect_a_us_store_for_real_over_http(manager_client, sandbox):
    store = AmazonStoreFactory(marketplace="US")

    page = _connect(manager_client, sandbox, store)

    assert "is connected to Amazon seller" in page
    authorization = SellerAuthorization.objects.get()
    assert authorization.region == "NA"
    assert authorization.seller_store_name
    assert set(authorization.marketplace_ids) == {"ATVPDKIKX0DER", "A2EUQ1WTGCTBG2", "A1AM78C64UM0Y8"}


def test_a_uk_store_uses_the_european_endpoints(manager_client, sandbox):
    store = AmazonStoreFactory(marketplace="GB")

    _connect(manager_client, sandbox, store, login="eu-seller@example.com")

    assert SellerAuthorization.objects.get().region == "EU"


def test_the_stored_refresh_token_works_and_verify_records_it(manager_client, manager, sandbox):
    store = AmazonStoreFactory(marketplace="US")
    _connect(manager_client, sandbox, store)
    authorization = SellerAuthorization.objects.get()
    access_tokens.access_token_forget(authorization_id=authorization.pk)

    connection_verify(store=store, actor=manager)

    event = store.events.filter(kind=StoreEvent.Kind.VERIFIED).get()
    assert event.details["outcome"] == "ok"


def test_removing_the_app_in_seller_central_is_noticed_on_the_next_refresh(manager_client, sandbox):
    store = AmazonStoreFactory(marketplace="US")
    seller = requests.Session()
    consent = manager_client.post(reverse("sellerauth:connect", args=[store.pk])).url
    params = {name: values[0] for name, values in parse_qs(urlsplit(consent).query).items()}
    back = sandbox.authorize(seller, **params)
    manager_client.get(reverse("sellerauth:callback"), {name: values[0] for name, values in back.items()})
    authorization = SellerAuthorization.objects.get()
    manage = "/sandbox/sellercentral/apps/manage"
    removed = sandbox.post(seller, f"{manage}/{AppAuthorization.objects.get().pk}/remove", {}, form_page=manage)
    assert removed.status_code == 302
    access_tokens.access_token_forget(authorization_id=authorization.pk)

    with pytest.raises(AmazonError):
        access_tokens.access_token_get(authorization=authorization)

    authorization.refresh_from_db()
    assert authorization.state == AuthorizationState.NEEDS_REAUTHORIZATION
    assert "Needs re-authorization" in manager_client.get(store.get_absolute_url()).content.decode()


def test_lwa_503_twice_then_working_is_retried_to_success(manager_client, sandbox, monkeypatch):
    monkeypatch.setattr(amazon_client, "sleep", lambda seconds: None)
    store = AmazonStoreFactory(marketplace="US")
    _connect(manager_client, sandbox, store)
    authorization = SellerAuthorization.objects.get()
    access_tokens.access_token_forget(authorization_id=authorization.pk)
    faults_arm(target="lwa", mode="503", times=2)

    assert access_tokens.access_token_get(authorization=authorization).startswith("Atza|")


@pytest.mark.parametrize("mode", ["500", "html", "malformed_json", "timeout"])
def test_a_failing_token_endpoint_during_the_callback_loses_nothing(manager_client, sandbox, settings, mode):
    settings.AMAZON_READ_TIMEOUT = 0.5
    settings.AMAZON_SANDBOX_TIMEOUT_SECONDS = 1
    store = AmazonStoreFactory(marketplace="US")
    consent = manager_client.post(reverse("sellerauth:connect", args=[store.pk])).url
    params = {name: values[0] for name, values in parse_qs(urlsplit(consent).query).items()}
    back = sandbox.authorize(requests.Session(), **params)
    faults_arm(target="lwa", mode=mode)

    response = manager_client.get(reverse("sellerauth:callback"), {name: values[0] for name, values in back.items()})

    assert "Amazon is not answering properly" in manager_client.get(response.url).content.decode()
    assert not SellerAuthorization.objects.exists()
    assert store.events.filter(kind=StoreEvent.Kind.CONNECT_FAILED).exists()
    if mode == "timeout":
        time.sleep(settings.AMAZON_SANDBOX_TIMEOUT_SECONDS)  # let the sandbox's late answer finish in this test
