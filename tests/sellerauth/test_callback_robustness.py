"""The callback under hostile input and under races."""

import json
import threading
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sellerauth.models import AuthorizationRequest, SellerAuthorization, StoreConnection
from sellerauth.services import connect
from stores.models import StoreEvent
from tests import amazon_payloads as amazon
from tests.factories import AmazonStoreFactory

NAMES = ["state", "spapi_oauth_code", "selling_partner_id", "error", "error_description", "mws_auth_token", "x"]


@pytest.mark.django_db
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(NAMES), st.text(max_size=300)), max_size=12))
def test_any_query_string_gets_a_page_and_writes_nothing(manager_client, amazon_http, pairs):
    response = manager_client.get(f"{reverse('sellerauth:callback')}?{urlencode(pairs)}")

    assert response.status_code in {303, 400}
    assert len(amazon_http.calls) == 0
    assert not SellerAuthorization.objects.exists()
    assert not StoreConnection.objects.exists()
    assert not StoreEvent.objects.exists()
    assert not AuthorizationRequest.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_callbacks_with_one_state_make_one_exchange(manager, amazon_http):
    store = AmazonStoreFactory(marketplace="US")
    first = Client()
    first.force_login(manager)
    consent = first.post(reverse("sellerauth:connect", args=[store.pk])).url
    state = consent.split("state=")[1].split("&")[0]
    second = Client()
    second.cookies = first.cookies  # the same browser, two tabs
    amazon_http.post(amazon.lwa_url(), json=amazon.token_response())
    amazon_http.get(amazon.participations_url(), json=amazon.participations("US"))
    barrier = threading.Barrier(2)
    query = {"state": state, "spapi_oauth_code": amazon.CODE, "selling_partner_id": amazon.SELLER}

    def arrive(client):
        try:
            barrier.wait()
            client.get(reverse("sellerauth:callback"), query)
        finally:
            connection.close()

    threads = [threading.Thread(target=arrive, args=(client,)) for client in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    exchanges = [call for call in amazon_http.calls if call.request.method == "POST"]
    assert len(exchanges) == 1
    assert SellerAuthorization.objects.count() == 1
    assert StoreEvent.objects.filter(kind=StoreEvent.Kind.CONNECTED).count() == 1


@pytest.mark.django_db
def test_a_consent_waits_for_another_of_the_same_seller_and_gives_up_cleanly(manager_client, amazon_http, monkeypatch):
    store = AmazonStoreFactory(marketplace="US")
    state = manager_client.post(reverse("sellerauth:connect", args=[store.pk])).url.split("state=")[1].split("&")[0]
    amazon_http.post(amazon.lwa_url(), json=amazon.token_response())
    amazon_http.get(amazon.participations_url(), json=amazon.participations("US"))
    monkeypatch.setattr(connect, "CONSENT_LOCK_WAIT", 0.2)
    # Another process is exchanging a consent of this seller right now.
    cache.set(f"sellerauth:consent:NA:{amazon.SELLER}", "another-process", timeout=60)

    query = {"state": state, "spapi_oauth_code": amazon.CODE, "selling_partner_id": amazon.SELLER}
    result = manager_client.get(reverse("sellerauth:callback"), query, follow=True)

    assert result.status_code == 200
    assert f"Another authorization of seller {amazon.SELLER} is being saved right now" in result.content.decode()
    assert len(amazon_http.calls) == 0  # the code was not exchanged
    assert not SellerAuthorization.objects.exists()
    assert not StoreConnection.objects.exists()
    assert sorted(StoreEvent.objects.values_list("kind", flat=True)) == [
        StoreEvent.Kind.CONNECT_FAILED,
        StoreEvent.Kind.CONNECT_STARTED,
    ]


@pytest.mark.django_db
def test_a_consent_takes_the_sellers_lock_and_gives_it_back(manager_client, amazon_http):
    store = AmazonStoreFactory(marketplace="US")
    state = manager_client.post(reverse("sellerauth:connect", args=[store.pk])).url.split("state=")[1].split("&")[0]
    key = f"sellerauth:consent:NA:{amazon.SELLER}"
    held = []
    amazon_http.post(amazon.lwa_url(), json=amazon.token_response())

    def participations(request):
        held.append(cache.get(key) is not None)
        return 200, {}, json.dumps(amazon.participations("US"))

    amazon_http.add_callback("GET", amazon.participations_url(), callback=participations)
    query = {"state": state, "spapi_oauth_code": amazon.CODE, "selling_partner_id": amazon.SELLER}
    manager_client.get(reverse("sellerauth:callback"), query)

    assert held == [True]  # held while Amazon was asked
    assert cache.get(key) is None  # and released
    assert StoreConnection.objects.filter(store=store).exists()
