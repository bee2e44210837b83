from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from django.urls import reverse

from sellerauth import amazon_client
from tests import amazon_payloads as amazon
from tests.factories import AmazonStoreFactory


@pytest.fixture
def amazon_http():
    """Amazon's HTTP boundary, mocked; every call not registered fails the test."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture(autouse=True)
def _amazon_endpoints(amazon_endpoints):
    """Unit tests here talk to Amazon's https endpoints, mocked at the HTTP boundary."""


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch):
    """Record the waits of retries instead of sleeping."""
    waits = []
    monkeypatch.setattr(amazon_client, "sleep", waits.append)
    return waits


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def store(db):
    return AmazonStoreFactory(name="Amazon Store USA", marketplace="US")


@pytest.fixture
def start_connect(manager_client):
    """POST Connect store; return the state read out of the consent URL, as Amazon would receive it."""

    def start(store):
        response = manager_client.post(reverse("sellerauth:connect", args=[store.pk]))
        assert response.status_code == 303
        return parse_qs(urlsplit(response.url).query)["state"][0]

    return start


@pytest.fixture
def amazon_ok(amazon_http):
    """LWA and the SP-API answer as for a North America seller selling in the US and Canada."""
    amazon_http.post(amazon.lwa_url(), json=amazon.token_response())
    amazon_http.get(amazon.participations_url(), json=amazon.participations("US", "CA"))
    return amazon_http


def callback(client, **params):
    return client.get(reverse("sellerauth:callback"), params)
