"""Access tokens, refresh retries, the token vault and key rotation."""

import logging
import threading
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import requests
import time_machine
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from sellerauth import access_tokens, amazon_client
from sellerauth.errors import AmazonError, AuthorizationError
from sellerauth.models import AuthorizationState, SellerAuthorization, StoreConnection
from sellerauth.token_vault import TokenVaultError, token_decrypt, token_encrypt
from stores.models import StoreEvent
from tests import amazon_payloads as amazon
from tests.factories import AmazonStoreFactory


def _authorization(**fields):
    now = timezone.now()
    values = {
        "selling_partner_id": amazon.SELLER,
        "region": "NA",
        "granted_at": now,
        "expires_at": now + timedelta(days=365),
        "refresh_token_encrypted": token_encrypt(amazon.REFRESH_TOKEN),
        "marketplace_ids": ["ATVPDKIKX0DER"],
    }
    return SellerAuthorization.objects.create(**(values | fields))


@pytest.fixture
def authorization(db):
    authorization = _authorization()
    StoreConnection.objects.create(store=AmazonStoreFactory(marketplace="US"), authorization=authorization)
    return authorization


def _refresh_ok(amazon_http, token="Atza|fresh-access-token"):
    amazon_http.post(amazon.lwa_url(), json=amazon.token_response(access_token=token, refresh_token=None))


def test_a_cached_access_token_is_reused_without_calling_amazon(authorization, amazon_http):
    access_tokens.access_token_remember(authorization_id=authorization.pk, token="Atza|cached", expires_in=3600)

    assert access_tokens.access_token_get(authorization=authorization) == "Atza|cached"
    assert len(amazon_http.calls) == 0


def test_a_missing_access_token_is_fetched_with_the_refresh_grant_and_cached(authorization, amazon_http):
    _refresh_ok(amazon_http)

    first = access_tokens.access_token_get(authorization=authorization)
    second = access_tokens.access_token_get(authorization=authorization)

    assert first == second == "Atza|fresh-access-token"
    assert len(amazon_http.calls) == 1
    body = amazon_http.calls[0].request.body
    assert "grant_type=refresh_token" in body
    assert "refresh_token=Atzr%7CIwEBIA-test-refresh-token-SENTINEL" in body


def test_the_access_token_is_reused_until_60_seconds_before_it_expires(authorization, amazon_http):
    _refresh_ok(amazon_http, token="Atza|first")  # expires_in 3600
    _refresh_ok(amazon_http, token="Atza|second")
    start = datetime(2026, 3, 2, 12, tzinfo=UTC)
    tokens = []
    with time_machine.travel(start, tick=False) as traveller:
        for seconds in (0, 3539, 3540):
            traveller.move_to(start + timedelta(seconds=seconds))
            tokens.append(access_tokens.access_token_get(authorization=authorization))

    assert tokens == ["Atza|first", "Atza|first", "Atza|second"]
    assert len(amazon_http.calls) == 2


def test_access_tokens_are_never_stored_in_the_database(authorization, amazon_http):
    _refresh_ok(amazon_http, token="Atza|must-not-be-in-the-db")
    access_tokens.access_token_get(authorization=authorization)

    with connection.cursor() as cursor:
        for table in ("sellerauth_sellerauthorization", "stores_storeevent", "sellerauth_storeconnection"):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608
            assert "must-not-be-in-the-db" not in str(cursor.fetchall())


def test_503_503_200_is_three_calls_with_backoff(authorization, amazon_http, no_sleep):
    amazon_http.post(amazon.lwa_url(), status=503, body="busy")
    amazon_http.post(amazon.lwa_url(), status=503, body="busy")
    _refresh_ok(amazon_http)

    assert access_tokens.access_token_get(authorization=authorization) == "Atza|fresh-access-token"
    assert len(amazon_http.calls) == 3
    assert len(no_sleep) == 2
    assert all(0 <= wait <= 8 for wait in no_sleep)


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_each_retryable_status_is_retried(authorization, amazon_http, status):
    amazon_http.post(amazon.lwa_url(), status=status, body="")
    _refresh_ok(amazon_http)

    access_tokens.access_token_get(authorization=authorization)

    assert len(amazon_http.calls) == 2


@pytest.mark.parametrize("value", ["nan", "inf", "-5", "Wed, 21 Oct 2026 07:28:00 GMT", "soon"])
def test_a_strange_retry_after_falls_back_to_backoff(authorization, amazon_http, no_sleep, value):
    amazon_http.post(amazon.lwa_url(), status=429, headers={"Retry-After": value}, json={"error": "throttled"})
    _refresh_ok(amazon_http)

    assert access_tokens.access_token_get(authorization=authorization)
    assert len(no_sleep) == 1
    assert 0 <= no_sleep[0] <= 8


def test_deeply_nested_json_is_a_clean_failure(authorization, amazon_http):
    amazon_http.post(amazon.lwa_url(), body="[" * 30000)

    with pytest.raises(AmazonError):
        access_tokens.access_token_get(authorization=authorization)


def test_retry_after_is_honoured(authorization, amazon_http, no_sleep):
    amazon_http.post(amazon.lwa_url(), status=429, headers={"Retry-After": "3"}, json={"error": "throttled"})
    _refresh_ok(amazon_http)

    access_tokens.access_token_get(authorization=authorization)

    assert no_sleep == [3.0]


def test_a_long_retry_after_is_not_waited_for_while_someone_waits(authorization, amazon_http, no_sleep):
    amazon_http.post(amazon.lwa_url(), status=429, headers={"Retry-After": "120"}, json={"error": "throttled"})

    with pytest.raises(AmazonError) as error:
        access_tokens.access_token_get(authorization=authorization)

    assert error.value.retry_after == 120
    assert no_sleep == []
    assert len(amazon_http.calls) == 1


def test_retries_stop_after_four_attempts(authorization, amazon_http):
    for _ in range(6):
        amazon_http.post(amazon.lwa_url(), status=502, body="<html>Bad Gateway</html>")

    with pytest.raises(AmazonError):
        access_tokens.access_token_get(authorization=authorization)

    assert len(amazon_http.calls) == 4
    assert SellerAuthorization.objects.get().state == AuthorizationState.ACTIVE


def test_connection_errors_and_timeouts_are_retried(authorization, amazon_http):
    amazon_http.post(amazon.lwa_url(), body=requests.ConnectionError())
    amazon_http.post(amazon.lwa_url(), body=requests.ReadTimeout())
    _refresh_ok(amazon_http)

    assert access_tokens.access_token_get(authorization=authorization) == "Atza|fresh-access-token"
    assert len(amazon_http.calls) == 3


def test_invalid_grant_marks_the_authorization_and_stops_calling_amazon(authorization, amazon_http):
    amazon_http.post(
        amazon.lwa_url(), status=400, json=amazon.lwa_error("invalid_grant", "User may have revoked or didn't grant")
    )

    with pytest.raises(AmazonError) as error:
        access_tokens.access_token_get(authorization=authorization)
    with pytest.raises(AuthorizationError) as again:
        access_tokens.access_token_get(authorization=authorization)

    assert error.value.code == "invalid_grant"
    assert "Connect the store again" in str(error.value.message)
    assert again.value.code == "not_active"
    assert len(amazon_http.calls) == 1
    authorization.refresh_from_db()
    assert authorization.state == AuthorizationState.NEEDS_REAUTHORIZATION
    assert authorization.status == "needs_reauthorization"
    assert StoreEvent.objects.filter(kind=StoreEvent.Kind.AUTHORIZATION_LOST).count() == 1


def test_invalid_client_is_not_retried_and_does_not_blame_the_seller(authorization, amazon_http):
    amazon_http.post(amazon.lwa_url(), status=401, json=amazon.lwa_error("invalid_client"))

    with pytest.raises(AmazonError) as error:
        access_tokens.access_token_get(authorization=authorization)

    assert error.value.code == "invalid_client"
    assert len(amazon_http.calls) == 1
    assert SellerAuthorization.objects.get().state == AuthorizationState.ACTIVE


def test_an_undecryptable_token_fails_closed(authorization, amazon_http, settings):
    settings.ASC_TOKEN_KEYS = [Fernet.generate_key().decode()]

    with pytest.raises(TokenVaultError) as error:
        access_tokens.access_token_get(authorization=authorization)

    assert error.value.code == "token_undecryptable"
    assert "Connect the store again" in str(error.value.message)
    assert "ASC_TOKEN_KEYS" in error.value.operator
    assert len(amazon_http.calls) == 0
    assert SellerAuthorization.objects.get().state == AuthorizationState.NEEDS_REAUTHORIZATION
    event = StoreEvent.objects.get(kind=StoreEvent.Kind.AUTHORIZATION_LOST)
    assert event.details == {"reason": "token_undecryptable"}


def test_a_refresh_token_is_never_sent_to_a_plain_http_endpoint(authorization, amazon_http, settings):
    settings.AMAZON_LWA_TOKEN_URL = "http://api.amazon.com/auth/o2/token"
    amazon_http.post(settings.AMAZON_LWA_TOKEN_URL, json=amazon.token_response(refresh_token=None))

    with pytest.raises(AuthorizationError) as error:
        access_tokens.access_token_get(authorization=authorization)

    assert error.value.code == "amazon_url_not_https"
    assert "is not https" in error.value.operator
    assert len(amazon_http.calls) == 0
    assert SellerAuthorization.objects.get().state == AuthorizationState.ACTIVE  # a setting to fix, not a lost grant


# The vault ---------------------------------------------------------------------------------------------


def test_the_vault_round_trips_and_never_returns_ciphertext(settings):
    settings.ASC_TOKEN_KEYS = [Fernet.generate_key().decode()]
    ciphertext = token_encrypt(amazon.REFRESH_TOKEN)

    assert ciphertext != amazon.REFRESH_TOKEN
    assert token_decrypt(ciphertext) == amazon.REFRESH_TOKEN
    with pytest.raises(TokenVaultError):
        token_decrypt(ciphertext[:-4] + "AAAA")
    settings.ASC_TOKEN_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(TokenVaultError):
        token_decrypt(ciphertext)


def test_rotation_re_encrypts_every_token_under_the_newest_key(db, settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.ASC_TOKEN_KEYS = [old]
    first = _authorization()
    second = _authorization(selling_partner_id="A2EUSELLER0001", region="EU")
    settings.ASC_TOKEN_KEYS = [new, old]
    out = StringIO()

    call_command("rotate_token_keys", stdout=out)

    assert "2 tokens re-encrypted under the newest key; 0 could not be decrypted." in out.getvalue()
    settings.ASC_TOKEN_KEYS = [new]  # the old key is dropped
    for authorization in (first, second):
        authorization.refresh_from_db()
        assert token_decrypt(authorization.refresh_token_encrypted) == amazon.REFRESH_TOKEN


def test_rotation_dry_run_changes_nothing_and_a_missing_key_fails(db, settings):
    old = Fernet.generate_key().decode()
    settings.ASC_TOKEN_KEYS = [old]
    authorization = _authorization()
    before = authorization.refresh_token_encrypted
    settings.ASC_TOKEN_KEYS = [Fernet.generate_key().decode(), old]

    call_command("rotate_token_keys", "--dry-run", stdout=StringIO())
    authorization.refresh_from_db()
    assert authorization.refresh_token_encrypted == before

    settings.ASC_TOKEN_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(CommandError, match="1 could not be decrypted"):
        call_command("rotate_token_keys", stdout=StringIO())


def test_no_token_reaches_the_logs(authorization, amazon_http, caplog):
    caplog.set_level(logging.DEBUG)
    amazon_http.post(amazon.lwa_url(), status=503, body="busy")
    amazon_http.post(amazon.lwa_url(), status=400, json=amazon.lwa_error("invalid_grant"))

    with pytest.raises(AmazonError):
        access_tokens.access_token_get(authorization=authorization)

    assert caplog.records
    assert "SENTINEL" not in caplog.text
    assert "Atzr" not in caplog.text


# Concurrency (PostgreSQL: SQLite ignores row locks) ----------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_refreshes_make_one_lwa_call(amazon_http):
    authorization = _authorization()
    _refresh_ok(amazon_http)
    barrier = threading.Barrier(2)
    tokens = []

    def refresh():
        try:
            barrier.wait()
            tokens.append(access_tokens.access_token_get(authorization=authorization))
        finally:
            connection.close()

    threads = [threading.Thread(target=refresh) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert tokens == ["Atza|fresh-access-token"] * 2
    assert len(amazon_http.calls) == 1


# SP-API usage plans: a throttled read waits for the bucket, not for seconds ------------------------------


def test_a_throttled_sp_api_read_without_retry_after_fails_at_once_saying_when_the_bucket_has_room(
    amazon_http, no_sleep
):
    amazon_http.get(
        amazon.participations_url(),
        status=429,
        headers={"x-amzn-RequestId": "5d2c8a1e-0b7f-4f6e-8d9c-1a2b3c4d5e6f"},
        json={"errors": [{"code": "QuotaExceeded", "message": "You exceeded your quota for the requested resource."}]},
    )

    with pytest.raises(AmazonError) as error:
        amazon_client.spapi_marketplace_participations(region="NA", access_token=amazon.ACCESS_TOKEN)

    assert len(amazon_http.calls) == 1
    assert no_sleep == []
    assert error.value.code == "spapi_http_429"
    assert error.value.retry_after == 63  # getMarketplaceParticipations: 0.016 requests a second
    assert error.value.request_id == "5d2c8a1e-0b7f-4f6e-8d9c-1a2b3c4d5e6f"
    assert "about once a minute" in str(error.value.message)


def test_a_throttled_sp_api_read_with_a_short_retry_after_is_still_retried(amazon_http, no_sleep):
    amazon_http.get(amazon.participations_url(), status=429, headers={"Retry-After": "2"}, json={"errors": []})
    amazon_http.get(amazon.participations_url(), json=amazon.participations("US"))

    participations = amazon_client.spapi_marketplace_participations(region="NA", access_token=amazon.ACCESS_TOKEN)

    assert [p.marketplace_id for p in participations] == ["ATVPDKIKX0DER"]
    assert no_sleep == [2.0]


def test_a_throttled_refresh_is_still_retried_with_backoff(authorization, amazon_http, no_sleep):
    amazon_http.post(amazon.lwa_url(), status=429, json={"error": "throttled"})
    _refresh_ok(amazon_http)

    assert access_tokens.access_token_get(authorization=authorization) == "Atza|fresh-access-token"
    assert len(no_sleep) == 1
