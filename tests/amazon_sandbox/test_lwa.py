"""The sandbox's LWA token endpoint, over real HTTP."""

import base64
import hashlib
from datetime import timedelta

import pytest
import requests
import time_machine
from django.contrib.sessions.models import Session
from django.db import connection

from amazon_sandbox.app import registered_application
from amazon_sandbox.services import REVOKED_DESCRIPTION
from tests.amazon_sandbox.flow import TIMEOUT, lwa_error

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_code_is_exchanged_for_a_refresh_and_an_access_token(sandbox):
    code = sandbox.authorize()["spapi_oauth_code"][0]

    response = sandbox.exchange(code)

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.headers["Cache-Control"] == "no-store"
    body = response.json()
    assert set(body) == {"access_token", "refresh_token", "token_type", "expires_in"}
    assert body["access_token"].startswith("Atza|")
    assert body["refresh_token"].startswith("Atzr|")
    assert 200 < len(body["refresh_token"].encode()) <= 2048
    assert len(body["access_token"].encode()) <= 2048
    assert (body["token_type"], body["expires_in"]) == ("bearer", 3600)


def test_the_endpoint_accepts_json_and_http_basic(sandbox):
    code = sandbox.authorize()["spapi_oauth_code"][0]
    application = registered_application()
    basic = base64.b64encode(f"{application.client_id}:{application.client_secret}".encode()).decode()

    response = requests.post(
        sandbox.token_url,
        json={"grant_type": "authorization_code", "code": code, "redirect_uri": sandbox.redirect_uri},
        headers={"Authorization": f"Basic {basic}"},
        timeout=TIMEOUT,
    )

    assert response.status_code == 200
    assert response.json()["token_type"] == "bearer"


def test_a_code_works_once(sandbox):
    code = sandbox.authorize()["spapi_oauth_code"][0]
    assert sandbox.exchange(code).status_code == 200

    response = sandbox.exchange(code)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_a_code_expires_five_minutes_after_it_is_issued(sandbox):
    code = sandbox.authorize()["spapi_oauth_code"][0]

    with time_machine.travel(timedelta(minutes=5, seconds=1)):
        response = sandbox.exchange(code)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_a_code_still_works_just_before_five_minutes(sandbox):
    code = sandbox.authorize()["spapi_oauth_code"][0]

    with time_machine.travel(timedelta(minutes=4, seconds=50)):
        assert sandbox.exchange(code).status_code == 200


def test_an_unknown_code_or_another_redirect_uri_is_invalid_grant(sandbox):
    code = sandbox.authorize()["spapi_oauth_code"][0]

    unknown = sandbox.exchange("AN" + "x" * 18)
    other_uri = sandbox.token(grant_type="authorization_code", code=code, redirect_uri=sandbox.url + "/other/")

    assert (unknown.status_code, unknown.json()["error"]) == (400, "invalid_grant")
    assert (other_uri.status_code, other_uri.json()["error"]) == (400, "invalid_grant")


@pytest.mark.parametrize(
    "credentials",
    [
        {"client_secret": "wrong-secret"},
        {"client_id": "amzn1.application-oa2-client.other"},
        {"client_secret": None},
        {"client_id": None, "client_secret": None},
    ],
)
def test_wrong_client_credentials_are_invalid_client(sandbox, credentials):
    response = sandbox.token(grant_type="refresh_token", refresh_token="Atzr|x", **credentials)

    assert lwa_error(response) == (
        401,
        {"error": "invalid_client", "error_description": "Client authentication failed"},
    )


def test_a_wrong_secret_over_http_basic_is_invalid_client(sandbox):
    basic = base64.b64encode(f"{registered_application().client_id}:nope".encode()).decode()

    response = requests.post(
        sandbox.token_url,
        data={"grant_type": "refresh_token", "refresh_token": "Atzr|x"},
        headers={"Authorization": f"Basic {basic}"},
        timeout=TIMEOUT,
    )

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert response.headers["WWW-Authenticate"].startswith("Basic")


def test_refresh_returns_the_same_refresh_token_and_a_new_access_token(sandbox):
    tokens = sandbox.tokens()

    response = sandbox.token(grant_type="refresh_token", refresh_token=tokens["refresh_token"])

    assert response.status_code == 200
    body = response.json()
    assert body["refresh_token"] == tokens["refresh_token"]
    assert body["access_token"].startswith("Atza|")
    assert body["access_token"] != tokens["access_token"]
    assert (body["token_type"], body["expires_in"]) == ("bearer", 3600)


def test_an_unknown_refresh_token_is_invalid_grant(sandbox):
    response = sandbox.token(grant_type="refresh_token", refresh_token="Atzr|not-issued")

    assert lwa_error(response) == (400, {"error": "invalid_grant", "error_description": REVOKED_DESCRIPTION})


def test_consenting_again_replaces_the_refresh_token_of_the_grant(sandbox):
    first = sandbox.tokens()
    second = sandbox.tokens()

    old = sandbox.token(grant_type="refresh_token", refresh_token=first["refresh_token"])
    new = sandbox.token(grant_type="refresh_token", refresh_token=second["refresh_token"])

    assert second["refresh_token"] != first["refresh_token"]
    assert (old.status_code, old.json()["error"]) == (400, "invalid_grant")
    assert new.status_code == 200


@pytest.mark.parametrize(
    "data",
    [
        {"grant_type": None, "refresh_token": "Atzr|x"},
        {"grant_type": "refresh_token"},
        {"grant_type": "authorization_code", "code": "ANabc"},
        {"grant_type": "authorization_code", "redirect_uri": "https://x.example/"},
    ],
)
def test_a_missing_parameter_is_invalid_request(sandbox, data):
    response = sandbox.token(**data)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    assert "missing a required parameter" in response.json()["error_description"]


def test_a_duplicated_parameter_is_invalid_request(sandbox):
    application = registered_application()
    body = (
        "grant_type=refresh_token&refresh_token=a&refresh_token=b"
        f"&client_id={application.client_id}&client_secret={application.client_secret}"
    )

    response = requests.post(
        sandbox.token_url,
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded;charset=UTF-8"},
        timeout=TIMEOUT,
    )

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


@pytest.mark.parametrize("body", ["not json", "[1, 2]", '{"grant_type": 1}', '{"a": "1", "a": "2"}'])
def test_a_json_body_that_is_not_one_object_of_strings_is_invalid_request(sandbox, body):
    response = requests.post(
        sandbox.token_url, data=body, headers={"Content-Type": "application/json"}, timeout=TIMEOUT
    )

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_another_grant_type_is_unsupported(sandbox):
    response = sandbox.token(grant_type="client_credentials", scope="sellingpartnerapi::notifications")

    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


def test_only_hashes_of_codes_and_tokens_are_stored(sandbox):
    code = sandbox.authorize()["spapi_oauth_code"][0]
    tokens = sandbox.exchange(code).json()
    refreshed = sandbox.token(grant_type="refresh_token", refresh_token=tokens["refresh_token"]).json()
    issued = [code, tokens["access_token"], tokens["refresh_token"], refreshed["access_token"]]

    stored = _dump_tables(
        "amazon_sandbox_authorizationcode",
        "amazon_sandbox_appauthorization",
        "amazon_sandbox_refreshtoken",
        "amazon_sandbox_accesstoken",
        "django_session",
    )

    for value in issued:
        assert value not in stored
        assert value.split("|")[-1] not in stored
    for value in issued:
        assert hashlib.sha256(value.encode()).hexdigest() in stored


def _dump_tables(*tables: str) -> str:
    rows = []
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            rows += cursor.fetchall()
    # Session data is encoded: read it decoded too.
    return repr(rows) + repr([session.get_decoded() for session in Session.objects.all()])
