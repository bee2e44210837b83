"""Rotating the LWA client secret without downtime: the new secret first, the previous one when LWA refuses it."""

import logging
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.core.checks import run_checks
from django.urls import reverse

from sellerauth import access_tokens, amazon_client
from sellerauth.errors import AmazonError
from sellerauth.models import SellerAuthorization, StoreConnection
from tests import amazon_payloads as amazon
from tests.amazon_sandbox.flow import Sandbox
from tests.factories import AmazonStoreFactory
from tests.sellerauth.authorizations import authorization_create
from tests.sellerauth.conftest import callback

NEW = "amzn1.oa2-cs.v1.new-secret-0123456789abcdef"
OLD = "amzn1.oa2-cs.v1.old-secret-fedcba9876543210"
REFUSED = {"status": 401, "json": amazon.lwa_error("invalid_client", "Client authentication failed")}
FINISH = "Finish the rotation of the client secret"


@pytest.fixture
def rotating(settings):
    """The application holds the new secret and, as the previous one, the secret it replaces."""
    settings.LWA_CLIENT_SECRET, settings.LWA_CLIENT_SECRET_PREVIOUS = NEW, OLD


@pytest.fixture
def authorization(db):
    return authorization_create(seller=amazon.SELLER, store_name="Northwind Outfitters")


def _secrets_sent(amazon_http) -> list[str]:
    names = {NEW: "new", OLD: "old"}
    return [
        names.get(parse_qs(call.request.body)["client_secret"][0], "other")
        for call in amazon_http.calls
        if call.request.url == amazon.lwa_url()
    ]


def test_a_refresh_refused_with_the_new_secret_is_sent_again_with_the_previous_one(
    rotating, authorization, amazon_http, caplog
):
    amazon_http.post(amazon.lwa_url(), **REFUSED)
    amazon_http.post(amazon.lwa_url(), json=amazon.token_response(access_token="Atza|rotated", refresh_token=None))

    assert access_tokens.access_token_get(authorization=authorization) == "Atza|rotated"

    assert _secrets_sent(amazon_http) == ["new", "old"]
    bodies = [parse_qs(call.request.body) for call in amazon_http.calls]
    assert bodies[0]["refresh_token"] == bodies[1]["refresh_token"]  # the same request, once more
    [warning] = [r for r in caplog.records if r.levelno == logging.WARNING and FINISH in r.getMessage()]
    assert "LWA_CLIENT_SECRET_PREVIOUS" in warning.getMessage()
    assert NEW not in caplog.text
    assert OLD not in caplog.text


def test_a_code_exchange_refused_with_the_new_secret_is_sent_again_with_the_previous_one(
    rotating, manager_client, store, start_connect, amazon_http, caplog
):
    amazon_http.post(amazon.lwa_url(), **REFUSED)
    amazon_http.post(amazon.lwa_url(), json=amazon.token_response())
    amazon_http.get(amazon.participations_url(), json=amazon.participations("US"))

    response = callback(
        manager_client, state=start_connect(store), spapi_oauth_code=amazon.CODE, selling_partner_id=amazon.SELLER
    )

    assert "is connected to Amazon seller" in manager_client.get(response.url).content.decode()
    assert _secrets_sent(amazon_http) == ["new", "old"]
    codes = [parse_qs(call.request.body).get("code") for call in amazon_http.calls[:2]]
    assert codes == [[amazon.CODE], [amazon.CODE]]
    assert StoreConnection.objects.filter(store=store).exists()
    assert FINISH in caplog.text


def test_the_new_secret_accepted_is_the_only_call(rotating, authorization, amazon_http, caplog):
    amazon_http.post(amazon.lwa_url(), json=amazon.token_response(refresh_token=None))

    access_tokens.access_token_get(authorization=authorization)

    assert _secrets_sent(amazon_http) == ["new"]
    assert FINISH not in caplog.text


@pytest.mark.parametrize(
    "answer",
    [
        {"status": 400, "json": amazon.lwa_error("invalid_grant")},
        {"status": 400, "json": amazon.lwa_error("unauthorized_client")},
        {"status": 401, "body": "<html>Unauthorized</html>"},
    ],
)
def test_only_invalid_client_is_sent_again_with_the_previous_secret(rotating, authorization, amazon_http, answer):
    amazon_http.post(amazon.lwa_url(), **answer)

    with pytest.raises(AmazonError):
        access_tokens.access_token_get(authorization=authorization)

    assert _secrets_sent(amazon_http) == ["new"]


def test_both_secrets_refused_is_one_call_each_and_says_so(rotating, authorization, amazon_http, caplog):
    amazon_http.post(amazon.lwa_url(), **REFUSED)

    with pytest.raises(AmazonError) as refused:
        amazon_client.lwa_refresh(refresh_token=amazon.REFRESH_TOKEN)

    assert refused.value.code == "invalid_client"
    assert _secrets_sent(amazon_http) == ["new", "old"]
    assert "refused both LWA_CLIENT_SECRET and LWA_CLIENT_SECRET_PREVIOUS" in caplog.text


def test_without_a_previous_secret_invalid_client_is_final(settings, authorization, amazon_http):
    settings.LWA_CLIENT_SECRET, settings.LWA_CLIENT_SECRET_PREVIOUS = NEW, ""
    amazon_http.post(amazon.lwa_url(), **REFUSED)

    with pytest.raises(AmazonError):
        amazon_client.lwa_exchange_code(code=amazon.CODE)

    assert _secrets_sent(amazon_http) == ["new"]


def test_a_retried_refresh_retries_with_the_secret_that_was_accepted(rotating, authorization, amazon_http, no_sleep):
    amazon_http.post(amazon.lwa_url(), **REFUSED)
    amazon_http.post(amazon.lwa_url(), status=503, body="Service Unavailable")
    amazon_http.post(amazon.lwa_url(), json=amazon.token_response(refresh_token=None))

    amazon_client.lwa_refresh(refresh_token=amazon.REFRESH_TOKEN)

    assert _secrets_sent(amazon_http) == ["new", "old", "old"]


@pytest.mark.parametrize(
    ("current", "previous", "refused"),
    [(NEW, NEW, True), (NEW, OLD, False), (NEW, "", False)],
)
def test_a_previous_secret_equal_to_the_current_one_is_an_error(db, settings, current, previous, refused):
    settings.LWA_CLIENT_SECRET, settings.LWA_CLIENT_SECRET_PREVIOUS = current, previous

    ids = [error.id for error in run_checks()]

    assert ("sellerauth.E014" in ids) is refused


# Over the live sandbox, whose registration changes its secret while the application holds both -------------------


@pytest.mark.django_db(transaction=True)
def test_the_sandbox_changing_its_secret_mid_rotation_interrupts_nothing(
    live_sandbox, settings, manager_client, monkeypatch, caplog
):
    settings.AMAZON_SANDBOX_APPLICATION = {**settings.AMAZON_SANDBOX_APPLICATION, "CLIENT_SECRET": OLD}
    settings.LWA_CLIENT_SECRET, settings.LWA_CLIENT_SECRET_PREVIOUS = NEW, OLD
    sent = []
    post = amazon_client._lwa_post

    def post_and_note(grant, *, client_secret):
        sent.append({NEW: "new", OLD: "old"}[client_secret])
        return post(grant, client_secret=client_secret)

    monkeypatch.setattr(amazon_client, "_lwa_post", post_and_note)
    store = AmazonStoreFactory(marketplace="US")

    # Amazon still knows only the previous secret: the connect and a refresh go through with it.
    consent = manager_client.post(reverse("sellerauth:connect", args=[store.pk])).url
    params = {name: values[0] for name, values in parse_qs(urlsplit(consent).query).items()}
    back = Sandbox(live_sandbox).authorize(requests.Session(), **params)
    response = manager_client.get(reverse("sellerauth:callback"), {name: values[0] for name, values in back.items()})
    assert "is connected to Amazon seller" in manager_client.get(response.url).content.decode()
    authorization = SellerAuthorization.objects.get()
    access_tokens.access_token_forget(authorization_id=authorization.pk)
    assert access_tokens.access_token_get(authorization=authorization).startswith("Atza|")
    assert sent == ["new", "old", "new", "old"]
    assert caplog.text.count(FINISH) == 2

    # Amazon now knows the new one: one call each, and nothing to warn about.
    settings.AMAZON_SANDBOX_APPLICATION = {**settings.AMAZON_SANDBOX_APPLICATION, "CLIENT_SECRET": NEW}
    sent.clear()
    caplog.clear()
    access_tokens.access_token_forget(authorization_id=authorization.pk)
    assert access_tokens.access_token_get(authorization=authorization).startswith("Atza|")
    assert sent == ["new"]
    assert FINISH not in caplog.text

    # The operator finishes the rotation.
    settings.LWA_CLIENT_SECRET_PREVIOUS = ""
    access_tokens.access_token_forget(authorization_id=authorization.pk)
    assert access_tokens.access_token_get(authorization=authorization).startswith("Atza|")
    assert sent == ["new", "new"]
