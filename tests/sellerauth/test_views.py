"""Verify connection and Use the existing authorization; who may use them; logs of the code exchange."""

import logging
from datetime import timedelta

import pytest
import requests
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sellerauth import access_tokens
from sellerauth.models import AuthorizationState, SellerAuthorization, StoreConnection
from sellerauth.token_vault import token_encrypt
from stores.models import StoreEvent
from tests import amazon_payloads as amazon
from tests.factories import AmazonStoreFactory
from tests.sellerauth.conftest import callback

pytestmark = pytest.mark.django_db


@pytest.fixture
def authorization(db):
    now = timezone.now()
    return SellerAuthorization.objects.create(
        selling_partner_id=amazon.SELLER,
        region="NA",
        granted_at=now,
        expires_at=now + timedelta(days=365),
        refresh_token_encrypted=token_encrypt(amazon.REFRESH_TOKEN),
        marketplace_ids=["ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"],
        seller_store_name="Northwind Outfitters",
    )


@pytest.fixture
def connected(authorization):
    store = AmazonStoreFactory(name="Connected US", marketplace="US")
    StoreConnection.objects.create(store=store, authorization=authorization)
    return store


def test_verify_calls_amazon_and_records_the_answer(manager_client, connected, amazon_http):
    amazon_http.post(amazon.lwa_url(), json=amazon.token_response(refresh_token=None))
    amazon_http.get(amazon.participations_url(), json=amazon.participations("US", "CA", "MX"))

    response = manager_client.post(reverse("sellerauth:verify", args=[connected.pk]), follow=True)

    assert "Amazon confirmed the connection" in response.content.decode()
    assert len(SellerAuthorization.objects.get().marketplace_ids) == 3
    assert connected.events.get(kind=StoreEvent.Kind.VERIFIED).details["outcome"] == "ok"


def test_verify_when_amazon_is_down_says_so_and_keeps_the_card(manager_client, connected, amazon_http, no_sleep):
    for _ in range(4):
        amazon_http.post(amazon.lwa_url(), status=503, body="")

    response = manager_client.post(reverse("sellerauth:verify", args=[connected.pk]), follow=True)

    assert "Amazon is not answering properly" in response.content.decode()
    assert SellerAuthorization.objects.get().state == AuthorizationState.ACTIVE
    assert connected.events.get(kind=StoreEvent.Kind.VERIFIED).details["outcome"] == "failed"
    assert manager_client.get(reverse("stores:home")).status_code == 200


def test_a_refused_verify_logs_amazons_request_id(manager_client, connected, amazon_http, caplog):
    access_tokens.access_token_remember(
        authorization_id=connected.connection.authorization_id, token="Atza|x", expires_in=3600
    )
    amazon_http.get(
        amazon.participations_url(),
        status=403,
        json={"errors": [{"code": "Unauthorized", "message": "Access to requested resource is denied."}]},
        headers={"x-amzn-RequestId": "b2c3d4e5-0000-4f00-9000-123456789abc"},
    )

    response = manager_client.post(reverse("sellerauth:verify", args=[connected.pk]), follow=True)

    assert "Amazon refused access to the seller account" in response.content.decode()
    assert "spapi_forbidden" in caplog.text
    assert "b2c3d4e5-0000-4f00-9000-123456789abc" in caplog.text


def test_verify_of_a_store_without_connection_is_404(manager_client):
    store = AmazonStoreFactory()

    assert manager_client.post(reverse("sellerauth:verify", args=[store.pk])).status_code == 404


def test_a_store_can_use_the_existing_authorization_of_its_seller(manager_client, authorization, amazon_http):
    store = AmazonStoreFactory(name="Canada", marketplace="CA")
    amazon_http.post(amazon.lwa_url(), json=amazon.token_response(refresh_token=None))
    amazon_http.get(amazon.participations_url(), json=amazon.participations("US", "CA"))
    page = manager_client.get(store.get_absolute_url()).content.decode()
    assert "Use the existing authorization of seller A2NASELLER0001" in page

    response = manager_client.post(reverse("sellerauth:link_existing", args=[store.pk, authorization.pk]), follow=True)

    assert "now uses the authorization of seller A2NASELLER0001" in response.content.decode()
    assert StoreConnection.objects.get(store=store).authorization == authorization
    assert len(amazon_http.calls) == 2


def test_linking_when_amazon_refuses_the_grant_records_it(manager_client, authorization, amazon_http):
    store = AmazonStoreFactory(name="Canada", marketplace="CA")
    amazon_http.post(amazon.lwa_url(), status=400, json=amazon.lwa_error("invalid_grant"))

    response = manager_client.post(reverse("sellerauth:link_existing", args=[store.pk, authorization.pk]), follow=True)

    assert "Connect the store again" in response.content.decode()
    authorization.refresh_from_db()
    assert authorization.state == AuthorizationState.NEEDS_REAUTHORIZATION
    assert not StoreConnection.objects.filter(store=store).exists()


def test_linking_twice_is_a_message_not_an_error(manager_client, authorization, amazon_http):
    store = AmazonStoreFactory(name="Canada", marketplace="CA")
    access_tokens.access_token_remember(authorization_id=authorization.pk, token="Atza|cached", expires_in=3600)
    amazon_http.get(amazon.participations_url(), json=amazon.participations("US", "CA"))
    url = reverse("sellerauth:link_existing", args=[store.pk, authorization.pk])
    manager_client.post(url)

    response = manager_client.post(url, follow=True)

    assert response.status_code == 200
    assert "cannot use that authorization" in response.content.decode()
    assert StoreConnection.objects.filter(store=store).count() == 1


def test_a_store_of_another_region_cannot_use_the_authorization(manager_client, authorization, amazon_http):
    store = AmazonStoreFactory(name="UK", marketplace="GB")

    response = manager_client.post(reverse("sellerauth:link_existing", args=[store.pk, authorization.pk]), follow=True)

    assert "cannot use that authorization" in response.content.decode()
    assert len(amazon_http.calls) == 0


@pytest.mark.parametrize("name", ["sellerauth:verify", "sellerauth:connect"])
def test_sellerauth_posts_need_the_csrf_token(manager, connected, name):
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)

    assert client.post(reverse(name, args=[connected.pk])).status_code == 403


def test_viewers_may_not_link_and_the_refusal_is_logged(viewer_client, authorization):
    store = AmazonStoreFactory(marketplace="CA")

    response = viewer_client.post(reverse("sellerauth:link_existing", args=[store.pk, authorization.pk]))

    assert response.status_code == 403
    assert store.events.get(kind=StoreEvent.Kind.DENIED).details["permission"] == "stores.connect_amazonstore"


@pytest.mark.parametrize(
    "answer",
    [
        {"status": 400, "json": amazon.lwa_error("invalid_grant", f"code {amazon.CODE} was already used")},
        {"status": 401, "json": amazon.lwa_error("invalid_client", "Client authentication failed")},
        {"status": 503, "body": f"<html>{amazon.REFRESH_TOKEN}</html>"},
        {"body": requests.ConnectionError(f"refused: code={amazon.CODE}")},
    ],
)
def test_a_failed_code_exchange_logs_no_secret_even_at_debug(
    manager_client, store, start_connect, amazon_http, caplog, settings, answer
):
    from asc_project.logs import SecretsFilter

    caplog.set_level(logging.DEBUG)  # restored after the test by caplog
    caplog.handler.addFilter(SecretsFilter())
    amazon_http.post(amazon.lwa_url(), **answer)
    state = start_connect(store)

    callback(manager_client, state=state, spapi_oauth_code=amazon.CODE, selling_partner_id=amazon.SELLER)

    assert any(record.name == "sellerauth.views" for record in caplog.records)
    for secret in (amazon.CODE, settings.LWA_CLIENT_SECRET, state, "Atzr|", "Atza|"):
        assert secret not in caplog.text
