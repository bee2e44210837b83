"""Connect store → Seller Central → callback, with Amazon mocked at its HTTP boundary."""

import contextlib
import html
import json
import logging
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses
import time_machine
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sellerauth.models import AuthorizationRequest, SellerAuthorization, StoreConnection
from sellerauth.services import connect
from sellerauth.token_vault import token_decrypt
from stores.models import StoreEvent
from tests import amazon_payloads as amazon
from tests.factories import AmazonStoreFactory, UserFactory
from tests.sellerauth.conftest import callback

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 3, 2, 12, tzinfo=UTC)
NOT_SECURE = "not set up to reach Amazon securely"


def _nothing_saved():
    return not SellerAuthorization.objects.exists() and not StoreConnection.objects.exists()


def _age(*, days):
    """Make the stored authorization as if it had been granted `days` ago."""
    granted = timezone.now() - timedelta(days=days)
    SellerAuthorization.objects.update(granted_at=granted, expires_at=granted + timedelta(days=365))


def _result(client, response):
    assert response.status_code == 303
    assert response.url == reverse("sellerauth:result")
    return html.unescape(client.get(response.url).content.decode())


def _state(client, store):
    """POST Connect store in this browser; return the state of the consent URL."""
    return parse_qs(urlsplit(client.post(reverse("sellerauth:connect", args=[store.pk])).url).query)["state"][0]


# Starting ------------------------------------------------------------------------------------------------


def test_connect_sends_the_browser_to_the_consent_page_with_a_fresh_state(manager_client, store, settings):
    response = manager_client.post(reverse("sellerauth:connect", args=[store.pk]))

    url = urlsplit(response.url)
    query = parse_qs(url.query)
    assert f"{url.scheme}://{url.netloc}{url.path}" == "https://sellercentral.amazon.com/apps/authorize/consent"
    assert query["application_id"] == [settings.SPAPI_APPLICATION_ID]
    assert query["redirect_uri"] == [settings.AMAZON_REDIRECT_URI]
    assert "version" not in query
    assert len(query["state"][0]) >= 43  # 32 random bytes
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Cache-Control"] == "no-store"
    attempt = AuthorizationRequest.objects.get()
    assert query["state"][0] not in attempt.state_hash
    assert attempt.expires_at - attempt.created_at == timedelta(minutes=10)
    assert store.events.filter(kind=StoreEvent.Kind.CONNECT_STARTED).exists()


def test_a_draft_application_asks_for_the_beta_version(manager_client, store, settings):
    settings.AMAZON_APP_IS_DRAFT = True

    response = manager_client.post(reverse("sellerauth:connect", args=[store.pk]))

    assert parse_qs(urlsplit(response.url).query)["version"] == ["beta"]


def test_real_amazon_uses_the_marketplace_seller_central_and_its_override(manager_client, settings):
    settings.AMAZON_SELLER_CENTRAL_URLS = {"GB": "https://sellercentral.amazon.co.uk"}
    us, uk = AmazonStoreFactory(marketplace="US"), AmazonStoreFactory(marketplace="GB")

    us_url = manager_client.post(reverse("sellerauth:connect", args=[us.pk])).url
    uk_url = manager_client.post(reverse("sellerauth:connect", args=[uk.pk])).url

    assert us_url.startswith("https://sellercentral.amazon.com/apps/authorize/consent?")
    assert uk_url.startswith("https://sellercentral.amazon.co.uk/apps/authorize/consent?")


def test_a_get_starts_nothing(manager_client, store):
    response = manager_client.get(reverse("sellerauth:connect", args=[store.pk]))

    assert response.status_code == 405
    assert not AuthorizationRequest.objects.exists()


def test_the_sandbox_seller_central_is_used_for_every_marketplace(manager_client, settings):
    settings.AMAZON_SANDBOX_SELLER_CENTRAL_URL = "https://sandbox.example.com/sandbox/sellercentral"
    uk = AmazonStoreFactory(marketplace="GB")

    url = manager_client.post(reverse("sellerauth:connect", args=[uk.pk])).url

    assert url.startswith("https://sandbox.example.com/sandbox/sellercentral/apps/authorize/consent?")


def test_a_plain_http_seller_central_is_refused_before_a_state_is_issued(manager_client, store, settings, caplog):
    settings.AMAZON_SELLER_CENTRAL_URLS = {"US": "http://sellercentral.amazon.com"}

    response = manager_client.post(reverse("sellerauth:connect", args=[store.pk]))

    assert response.status_code == 302
    assert response.url == store.get_absolute_url()
    assert NOT_SECURE in manager_client.get(response.url).content.decode()
    assert not AuthorizationRequest.objects.exists()
    assert "'http://sellercentral.amazon.com' is not https" in caplog.text


@pytest.mark.parametrize("role", ["viewer", "auth_staff"])
def test_only_those_allowed_may_connect(request, client, store, role):
    client.force_login(request.getfixturevalue(role))

    assert client.post(reverse("sellerauth:connect", args=[store.pk])).status_code == 403
    assert client.get(reverse("sellerauth:connect_confirm", args=[store.pk])).status_code == 403
    assert not AuthorizationRequest.objects.exists()


def test_pending_attempts_per_session_are_capped(manager_client, store, start_connect):
    for _ in range(8):
        start_connect(store)

    assert AuthorizationRequest.objects.count() == 5


# The happy path ------------------------------------------------------------------------------------------


def test_a_completed_consent_connects_the_store(manager_client, manager, store, start_connect, amazon_ok):
    state = start_connect(store)

    response = callback(manager_client, state=state, spapi_oauth_code=amazon.CODE, selling_partner_id=amazon.SELLER)

    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in [directive.strip() for directive in response["Cache-Control"].split(",")]
    page = _result(manager_client, response)
    assert "is connected to Amazon seller A2NASELLER0001" in page
    assert "Northwind Outfitters" in page
    assert len(amazon_ok.calls) == 2
    assert amazon_ok.calls[0].request.headers["Content-Type"].startswith("application/x-www-form-urlencoded")
    exchange = parse_qs(amazon_ok.calls[0].request.body)
    assert exchange["grant_type"] == ["authorization_code"]
    assert exchange["code"] == [amazon.CODE]
    assert amazon_ok.calls[1].request.headers["x-amz-access-token"] == amazon.ACCESS_TOKEN
    authorization = SellerAuthorization.objects.get()
    assert (authorization.selling_partner_id, authorization.region) == (amazon.SELLER, "NA")
    assert authorization.expires_at - authorization.granted_at == timedelta(days=365)
    assert authorization.marketplace_ids == ["A2EUQ1WTGCTBG2", "ATVPDKIKX0DER"]
    assert authorization.seller_store_name == "Northwind Outfitters"
    assert StoreConnection.objects.get().store == store
    event = store.events.get(kind=StoreEvent.Kind.CONNECTED)
    assert event.actor == manager
    assert amazon.REFRESH_TOKEN not in str(event.details)


def test_the_token_request_uses_the_configured_redirect_uri(manager_client, store, start_connect, amazon_ok, settings):
    callback(manager_client, state=start_connect(store), spapi_oauth_code=amazon.CODE, selling_partner_id=amazon.SELLER)

    exchange = parse_qs(amazon_ok.calls[0].request.body)
    assert exchange["redirect_uri"] == [settings.AMAZON_REDIRECT_URI]
    assert exchange["client_id"] == [settings.LWA_CLIENT_ID]
    assert exchange["client_secret"] == [settings.LWA_CLIENT_SECRET]


def test_the_refresh_token_is_stored_only_as_ciphertext(manager_client, store, start_connect, amazon_ok):
    callback(manager_client, state=start_connect(store), spapi_oauth_code=amazon.CODE, selling_partner_id=amazon.SELLER)

    with connection.cursor() as cursor:
        cursor.execute("SELECT refresh_token_encrypted FROM sellerauth_sellerauthorization")
        [(stored,)] = cursor.fetchall()
    assert stored.startswith("gAAAAA")  # Fernet
    assert "Atzr" not in stored
    assert amazon.REFRESH_TOKEN not in stored


def test_the_card_and_dashboard_show_the_connection(manager_client, store, start_connect, amazon_http):
    amazon_http.post(amazon.lwa_url(), json=amazon.token_response())
    # Amazon lists Canada first; the page names marketplaces in the table's order.
    amazon_http.get(amazon.participations_url(), json=amazon.participations("CA", "US"))
    with time_machine.travel(NOON, tick=False):
        state = start_connect(store)
        callback(manager_client, state=state, spapi_oauth_code=amazon.CODE, selling_partner_id=amazon.SELLER)

        home = manager_client.get(reverse("stores:home")).content.decode()
        detail = manager_client.get(store.get_absolute_url()).content.decode()

    for page in (home, detail):
        assert ">Connected<" in page
        assert amazon.SELLER in page
        assert "Northwind Outfitters" in page
        assert "365 days left" in page
        assert "United States, Canada" in page
    assert "Verify connection" in detail


def test_a_second_store_of_the_same_seller_shares_the_authorization(manager_client, start_connect, amazon_http):
    us = AmazonStoreFactory(name="US", marketplace="US")
    ca = AmazonStoreFactory(name="CA", marketplace="CA")
    for _ in range(2):
        amazon_http.post(amazon.lwa_url(), json=amazon.token_response())
        amazon_http.get(amazon.participations_url(), json=amazon.participations("US", "CA"))
    with time_machine.travel(NOON, tick=False):
        callback(
            manager_client, state=start_connect(us), spapi_oauth_code=amazon.CODE, selling_partner_id=amazon.SELLER
        )
        _age(days=100)

        callback(
            manager_client, state=start_connect(ca), spapi_oauth_code=amazon.CODE, selling_partner_id=amazon.SELLER
        )

    authorization = SellerAuthorization.objects.get()
    assert set(authorization.connections.values_list("store__name", flat=True)) == {"US", "CA"}
    # The second consent renewed the authorization, for both stores.
    assert (authorization.granted_at, authorization.expires_at) == (NOON, NOON + timedelta(days=365))


# Failures: each a clear page, nothing stored, and no call to Amazon before the state is good ----------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, "does not belong to a connection started here"),
        ({"state": "forged-state-value-forged-state-value-forged-st"}, "does not belong to a connection started here"),
        ({"spapi_oauth_code": amazon.CODE, "selling_partner_id": amazon.SELLER}, "does not belong"),
    ],
)
def test_a_callback_without_a_known_state_calls_nobody(manager_client, store, amazon_http, params, expected):
    page = _result(manager_client, callback(manager_client, **params))

    assert expected in page
    assert len(amazon_http.calls) == 0
    assert _nothing_saved()


def test_the_same_user_in_another_browser_is_refused_and_the_state_stays_usable(
    manager_client, manager, store, start_connect, amazon_ok
):
    state = start_connect(store)
    other_browser = Client()
    other_browser.force_login(manager)
    params = {"state": state, "spapi_oauth_code": amazon.CODE, "selling_partner_id": amazon.SELLER}

    page = _result(other_browser, callback(other_browser, **params))

    assert "another browser session or by another user" in page
    assert len(amazon_ok.calls) == 0
    assert "is connected" in _result(manager_client, callback(manager_client, **params))


def test_another_user_in_the_same_session_is_refused(manager_client, store, start_connect, amazon_http):
    state = start_connect(store)
    binding = manager_client.session["sellerauth:binding"]
    other = UserFactory(username="other-manager")
    manager_client.force_login(other)
    session = manager_client.session
    session["sellerauth:binding"] = binding  # the same browser session, now someone else
    session.save()

    page = _result(
        manager_client,
        callback(manager_client, state=state, spapi_oauth_code=amazon.CODE, selling_partner_id=amazon.SELLER),
    )

    assert "another browser session or by another user" in page
    assert len(amazon_http.calls) == 0
    assert AuthorizationRequest.objects.get().consumed_at is None


def test_a_signed_out_browser_is_refused_without_a_login_redirect(manager_client, store, start_connect, amazon_http):
    state = start_connect(store)
    manager_client.logout()

    response = callback(manager_client, state=state, spapi_oauth_code=amazon.CODE, selling_partner_id=amazon.SELLER)

    assert response.url == reverse("sellerauth:result")
    assert "another browser session" in manager_client.get(response.url).content.decode()
    assert len(amazon_http.calls) == 0


def test_an_expired_state_is_refused(manager_client, store, start_connect, amazon_http):
    state = start_connect(store)

    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        response = callback(manager_client, state=state, spapi_oauth_code=amazon.CODE, selling_partner_id=amazon.SELLER)

    assert "took too long and expired" in _result(manager_client, response)
    assert len(amazon_http.calls) == 0


def test_a_state_used_twice_is_refused_the_second_time(manager_client, store, start_connect, amazon_ok):
    state = start_connect(store)
    params = {"state": state, "spapi_oauth_code": amazon.CODE, "selling_partner_id": amazon.SELLER}
    callback(manager_client, **params)
    manager_client.get(reverse("sellerauth:result"))

    page = _result(manager_client, callback(manager_client, **params))

    assert "already used" in page
    assert len(amazon_ok.calls) == 2  # only the first callback talked to Amazon


def test_a_cancel_consumes_the_state_and_says_so(manager_client, store, start_connect, amazon_http):
    state = start_connect(store)

    page = _result(manager_client, callback(manager_client, error="access_denied", state=state))

    assert "You cancelled the authorization in Seller Central" in page
    assert AuthorizationRequest.objects.get().consumed_at is not None
    assert len(amazon_http.calls) == 0
    assert store.events.filter(kind=StoreEvent.Kind.CONNECT_FAILED).exists()
    assert _nothing_saved()


def test_a_callback_without_a_code_is_refused(manager_client, store, start_connect, amazon_http):
    page = _result(
        manager_client, callback(manager_client, state=start_connect(store), selling_partner_id=amazon.SELLER)
    )

    assert "Amazon's answer was incomplete" in page
    assert len(amazon_http.calls) == 0


@pytest.mark.parametrize(
    "query",
    [
        "state=a&state=b",
        "spapi_oauth_code=A&spapi_oauth_code=B&state=x",
        "state=" + "a" * 129,
        "selling_partner_id=lowercase&state=x",
        "spapi_oauth_code=%3Cscript%3E&state=x",
        "state=%00",
        "error=<b>x</b>",
    ],
)
def test_malformed_or_repeated_parameters_are_a_400_with_no_write(manager_client, store, amazon_http, query):
    response = manager_client.get(f"{reverse('sellerauth:callback')}?{query}")

    assert response.status_code == 400
    assert "not in the expected form" in response.content.decode()
    assert len(amazon_http.calls) == 0
    assert not AuthorizationRequest.objects.exists()


def test_another_provider_error_is_named(manager_client, store, start_connect, amazon_http):
    page = _result(manager_client, callback(manager_client, error="server_error", state=start_connect(store)))

    assert "Amazon ended the authorization with the error “server_error”" in page


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ({"status": 400, "json": amazon.lwa_error("invalid_grant")}, "expired before it was completed"),
        ({"status": 401, "json": amazon.lwa_error("invalid_client")}, "Ask your administrator"),
        ({"status": 500, "json": {"error": "server_error"}}, "Amazon is not answering properly"),
        ({"status": 503, "body": "Service Unavailable"}, "Amazon is not answering properly"),
        ({"status": 502, "body": "<html><body>Bad Gateway</body></html>"}, "Amazon is not answering properly"),
        ({"status": 200, "body": '{"access_token": "Atza|x", "refresh'}, "Amazon is not answering properly"),
        ({"status": 200, "body": "<html>not json</html>"}, "Amazon is not answering properly"),
        ({"status": 200, "json": ["not", "an", "object"]}, "Amazon is not answering properly"),
        ({"status": 200, "json": amazon.token_response(refresh_token=None)}, "Amazon is not answering properly"),
        ({"status": 200, "json": amazon.token_response(refresh_token="Atzr|" + "x" * 2044)}, "not answering"),
        ({"status": 200, "json": amazon.token_response(token_type="mac")}, "Amazon is not answering properly"),
        ({"status": 200, "json": amazon.token_response(expires_in="3600")}, "Amazon is not answering properly"),
        ({"status": 200, "json": amazon.token_response(access_token="")}, "Amazon is not answering properly"),
        ({"body": requests.ConnectTimeout()}, "Amazon is not answering properly"),
        ({"body": requests.ReadTimeout()}, "Amazon is not answering properly"),
        ({"body": requests.ConnectionError()}, "Amazon is not answering properly"),
    ],
)
def test_token_exchange_failures_store_nothing_and_are_never_retried(
    manager_client, store, start_connect, amazon_http, answer, expected
):
    amazon_http.post(amazon.lwa_url(), **answer)
    state = start_connect(store)

    page = _result(
        manager_client,
        callback(manager_client, state=state, spapi_oauth_code=amazon.CODE, selling_partner_id=amazon.SELLER),
    )

    assert expected in page
    assert len(amazon_http.calls) == 1  # a code works once: never retried
    assert _nothing_saved()
    assert AuthorizationRequest.objects.get().consumed_at is not None


def test_a_token_of_exactly_2048_bytes_is_accepted(manager_client, store, start_connect, amazon_http):
    amazon_http.post(amazon.lwa_url(), json=amazon.token_response(refresh_token="Atzr|" + "x" * 2043))
    amazon_http.get(amazon.participations_url(), json=amazon.participations("US"))

    callback(manager_client, state=start_connect(store), spapi_oauth_code=amazon.CODE, selling_partner_id=amazon.SELLER)

    assert SellerAuthorization.objects.exists()


@pytest.mark.parametrize(
    ("sandbox", "debug", "allowed"),
    [(True, True, True), (True, False, False), (False, True, False), (False, False, False)],
)
def test_plain_http_to_amazon_only_for_the_embedded_sandbox_with_debug_on(
    manager_client, store, start_connect, amazon_http, settings, sandbox, debug, allowed
):
    settings.AMAZON_SANDBOX, settings.DEBUG = sandbox, debug
    settings.AMAZON_LWA_TOKEN_URL = "http://127.0.0.1:8000/sandbox/lwa/auth/o2/token"
    settings.AMAZON_SPAPI_ENDPOINTS = {"NA": "http://127.0.0.1:8000/sandbox/spapi/na"}
    amazon_http.post(amazon.lwa_url(), json=amazon.token_response())
    amazon_http.get(amazon.participations_url(), json=amazon.participations("US"))

    page = _result(
        manager_client,
        callback(
            manager_client, state=start_connect(store), spapi_oauth_code=amazon.CODE, selling_partner_id=amazon.SELLER
        ),
    )

    assert len(amazon_http.calls) == (2 if allowed else 0)  # the code never travels in clear outside development
    assert SellerAuthorization.objects.exists() is allowed
    assert ("is connected" in page) is allowed
    assert (NOT_SECURE in page) is not allowed


def test_a_plain_http_sp_api_endpoint_is_refused_after_the_exchange(
    manager_client, store, start_connect, amazon_http, settings
):
    settings.AMAZON_SPAPI_ENDPOINTS = {"NA": "http://sellingpartnerapi-na.amazon.com"}
    amazon_http.post(amazon.lwa_url(), json=amazon.token_response())
    amazon_http.get(amazon.participations_url(), json=amazon.participations("US"))

    page = _result(
        manager_client,
        callback(
            manager_client, state=start_connect(store), spapi_oauth_code=amazon.CODE, selling_partner_id=amazon.SELLER
        ),
    )

    assert NOT_SECURE in page
    assert [call.request.method for call in amazon_http.calls] == ["POST"]
    assert _nothing_saved()


def test_invalid_client_is_explained_to_the_operator_in_the_log_with_amazons_request_id(
    manager_client, store, start_connect, amazon_http, caplog
):
    body = amazon.lwa_error("invalid_client", "Client authentication failed") | {"request_id": "9f1c2d3e-lwa-0001"}
    amazon_http.post(amazon.lwa_url(), status=401, json=body)

    callback(manager_client, state=start_connect(store), spapi_oauth_code=amazon.CODE, selling_partner_id=amazon.SELLER)

    [record] = [r for r in caplog.records if r.name == "sellerauth.views"]
    assert record.levelno == logging.ERROR
    assert "check LWA_CLIENT_ID and LWA_CLIENT_SECRET" in record.getMessage()
    assert "9f1c2d3e-lwa-0001" in record.getMessage()


def test_a_seller_not_selling_in_the_marketplace_is_named_and_nothing_is_stored(
    manager_client, start_connect, amazon_http
):
    store = AmazonStoreFactory(name="Mexico store", marketplace="MX")
    amazon_http.post(amazon.lwa_url(), json=amazon.token_response())
    amazon_http.get(amazon.participations_url(), json=amazon.participations("US", store_name="US Only Goods"))

    page = _result(
        manager_client,
        callback(
            manager_client, state=start_connect(store), spapi_oauth_code=amazon.CODE, selling_partner_id="AUSONLY0001"
        ),
    )

    assert "Seller AUSONLY0001 (US Only Goods) does not sell in Mexico; it sells in: United States." in page
    assert len(amazon_http.calls) == 2
    assert _nothing_saved()


@pytest.mark.parametrize(
    "answer",
    [
        {"status": 403, "json": {"errors": [{"code": "Unauthorized", "message": "Access denied"}]}},
        {"status": 200, "json": {"payload": [{"marketplace": {}}]}},
        {"status": 200, "json": {"payload": "nope"}},
        {"status": 200, "body": "<html></html>"},
    ],
)
def test_a_failed_participation_check_stores_nothing(manager_client, store, start_connect, amazon_http, answer):
    amazon_http.post(amazon.lwa_url(), json=amazon.token_response())
    amazon_http.get(amazon.participations_url(), **answer)

    callback(manager_client, state=start_connect(store), spapi_oauth_code=amazon.CODE, selling_partner_id=amazon.SELLER)

    assert _nothing_saved()


def test_reconnecting_with_a_different_seller_is_refused_before_calling_amazon(
    manager_client, store, start_connect, amazon_ok
):
    callback(manager_client, state=start_connect(store), spapi_oauth_code=amazon.CODE, selling_partner_id=amazon.SELLER)
    calls = len(amazon_ok.calls)

    page = _result(
        manager_client,
        callback(
            manager_client,
            state=start_connect(store),
            spapi_oauth_code=amazon.CODE,
            selling_partner_id="AOTHERSELLER01",
        ),
    )

    assert "connected to seller A2NASELLER0001, but Amazon answered for seller AOTHERSELLER01" in page
    assert len(amazon_ok.calls) == calls
    assert SellerAuthorization.objects.get().selling_partner_id == amazon.SELLER


def test_reconnecting_the_same_seller_renews_the_authorization(manager_client, store, start_connect, amazon_http):
    for _ in range(2):
        amazon_http.post(amazon.lwa_url(), json=amazon.token_response())
        amazon_http.get(amazon.participations_url(), json=amazon.participations("US"))
    callback(manager_client, state=start_connect(store), spapi_oauth_code=amazon.CODE, selling_partner_id=amazon.SELLER)
    _age(days=340)
    assert "Renewal due" in manager_client.get(store.get_absolute_url()).content.decode()

    callback(manager_client, state=start_connect(store), spapi_oauth_code=amazon.CODE, selling_partner_id=amazon.SELLER)

    assert SellerAuthorization.objects.get().expires_at - timezone.now() > timedelta(days=364)
    assert store.events.filter(kind=StoreEvent.Kind.RENEWED).exists()


def test_a_slower_callback_never_overwrites_a_newer_refresh_token(
    manager_client, manager, start_connect, amazon_http, monkeypatch
):
    # The seller's consents are exchanged one at a time (tests/concurrency); should that lock lapse, a consent
    # saved after a newer one still keeps the newer token.
    monkeypatch.setattr(connect, "_one_consent_at_a_time", lambda **kwargs: contextlib.nullcontext())
    us, ca = AmazonStoreFactory(marketplace="US"), AmazonStoreFactory(marketplace="CA")
    other_browser = Client()
    other_browser.force_login(manager)
    amazon_http.post(amazon.lwa_url(), json=amazon.token_response(refresh_token="Atzr|older"))
    amazon_http.post(amazon.lwa_url(), json=amazon.token_response(refresh_token="Atzr|newer"))
    with time_machine.travel(NOON, tick=False) as traveller:
        earlier, later = start_connect(us), _state(other_browser, ca)
        checks, meanwhile = [], []

        def participations(request):
            checks.append(request)
            if len(checks) == 1:
                # The first callback waits here for Amazon, and the seller's later consent completes in the meantime.
                traveller.shift(timedelta(seconds=30))
                meanwhile.append(
                    callback(other_browser, state=later, spapi_oauth_code="ANlater", selling_partner_id=amazon.SELLER)
                )
            return 200, {}, json.dumps(amazon.participations("US", "CA"))

        amazon_http.add_callback(responses.GET, amazon.participations_url(), callback=participations)

        slower = callback(manager_client, state=earlier, spapi_oauth_code=amazon.CODE, selling_partner_id=amazon.SELLER)

        assert "is connected" in _result(other_browser, meanwhile[0])
        assert "is connected" in _result(manager_client, slower)
    authorization = SellerAuthorization.objects.get()
    assert token_decrypt(authorization.refresh_token_encrypted) == "Atzr|newer"
    assert authorization.granted_at == NOON + timedelta(seconds=30)
    assert set(authorization.connections.values_list("store", flat=True)) == {us.pk, ca.pk}


def test_attempts_expired_for_a_day_are_dropped(manager_client, store, start_connect):
    start_connect(store)
    AuthorizationRequest.objects.update(expires_at=timezone.now() - timedelta(days=2))

    start_connect(store)

    assert AuthorizationRequest.objects.count() == 1
