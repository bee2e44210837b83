"""Trust only the seller who really signed in: the callback's selling_partner_id is checked against Amazon's answer."""

import html
import logging
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses
from django.urls import reverse
from django.utils import timezone

from sellerauth import access_tokens
from sellerauth.models import AuthorizationState, SellerAuthorization, StoreConnection
from sellerauth.services import authorization_revoke, connection_verify
from sellerauth.token_vault import token_decrypt
from stores.models import StoreEvent
from tests import amazon_payloads as amazon
from tests.amazon_sandbox.flow import Sandbox
from tests.factories import AmazonStoreFactory
from tests.sellerauth.authorizations import CA, KNOWN_TOKEN, US, authorization_create, snapshot, store_link
from tests.sellerauth.conftest import callback

pytestmark = pytest.mark.django_db

US_ONLY = "A2USONLYSELL03"
NA_SELLER_TOKEN = "Atzr|IwEBIA-na-seller-fresh-token-ATTACK-0123456789"


@pytest.fixture
def known(db):
    """Seller A2USONLYSELL03 (Prairie Pantry Co.), connected to one store."""
    authorization = authorization_create(seller=US_ONLY, store_name="Prairie Pantry Co.", marketplace_ids=[US])
    store_link(authorization, name="Store 5", marketplace="US")
    return authorization


def _page(client, response) -> str:
    assert response.status_code == 303
    return html.unescape(client.get(response.url).content.decode())


def _amazon_answers(amazon_http, *, store_name: str, countries=("US",), refresh_token=amazon.REFRESH_TOKEN):
    amazon_http.post(amazon.lwa_url(), json=amazon.token_response(refresh_token=refresh_token))
    amazon_http.get(amazon.participations_url(), json=amazon.participations(*countries, store_name=store_name))


# The attack ----------------------------------------------------------------------------------------------


def test_an_edited_selling_partner_id_does_not_take_over_a_known_seller(
    manager_client, manager, known, start_connect, amazon_http, caplog
):
    other = AmazonStoreFactory(name="Store 6", marketplace="US")
    before = snapshot(known)
    state = start_connect(other)
    # Signed in as na-seller at Seller Central, the manager edits the callback to name us-only's seller ID.
    _amazon_answers(
        amazon_http, store_name="Northwind Outfitters", countries=("US", "CA", "MX"), refresh_token=NA_SELLER_TOKEN
    )
    caplog.set_level(logging.INFO)

    page = _page(
        manager_client, callback(manager_client, state=state, spapi_oauth_code=amazon.CODE, selling_partner_id=US_ONLY)
    )

    assert "Amazon answered for a different seller account than A2USONLYSELL03 (Prairie Pantry Co.)" in page
    assert "nothing was changed" in page
    assert snapshot(known) == before
    assert token_decrypt(known.refresh_token_encrypted) == KNOWN_TOKEN
    assert not StoreConnection.objects.filter(store=other).exists()
    assert SellerAuthorization.objects.count() == 1
    event = other.events.get(kind=StoreEvent.Kind.SECURITY)
    assert event.actor == manager
    assert event.details["code"] == "seller_mismatch"
    assert event.details["claimed_seller"] == US_ONLY
    assert event.details["amazon_store_name"] == "Northwind Outfitters"
    assert NA_SELLER_TOKEN not in str(event.details)
    assert not known.connections.get().store.events.exists()  # the known seller's store saw nothing
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and r.name.startswith("sellerauth.services")]
    assert len(warnings) == 1
    assert US_ONLY in warnings[0].getMessage()
    for secret in (NA_SELLER_TOKEN, amazon.ACCESS_TOKEN, amazon.CODE, state, KNOWN_TOKEN):
        assert secret not in caplog.text


def test_an_edited_selling_partner_id_keeps_the_signers_fresh_token_for_the_signer(
    manager_client, manager, known, start_connect, amazon_http
):
    # na-seller is known too; Amazon may end its previous token with this consent, so the fresh one is kept for it.
    signer = authorization_create(
        seller="A1NASELLER0001", store_name="Northwind Outfitters", marketplace_ids=[US, CA], token="Atzr|old-signer"
    )
    signer_store = store_link(signer, name="Northwind US", marketplace="US")
    other = AmazonStoreFactory(name="Store 6", marketplace="US")
    before = snapshot(known)
    _amazon_answers(
        amazon_http, store_name="Northwind Outfitters", countries=("US", "CA"), refresh_token=NA_SELLER_TOKEN
    )

    page = _page(
        manager_client,
        callback(manager_client, state=start_connect(other), spapi_oauth_code=amazon.CODE, selling_partner_id=US_ONLY),
    )

    assert "different seller account than A2USONLYSELL03" in page
    assert snapshot(known) == before
    assert not StoreConnection.objects.filter(store=other).exists()
    signer.refresh_from_db()
    assert token_decrypt(signer.refresh_token_encrypted) == NA_SELLER_TOKEN
    assert signer.expires_at > timezone.now() + timedelta(days=364)
    assert signer_store.events.get(kind=StoreEvent.Kind.RENEWED).actor == manager
    assert other.events.filter(kind=StoreEvent.Kind.SECURITY).count() == 1


def test_the_attack_on_a_store_already_linked_to_the_seller_is_refused_too(
    manager_client, known, start_connect, amazon_http
):
    store5 = known.connections.get().store
    before = snapshot(known)
    _amazon_answers(amazon_http, store_name="Northwind Outfitters", refresh_token=NA_SELLER_TOKEN)

    page = _page(
        manager_client,
        callback(manager_client, state=start_connect(store5), spapi_oauth_code=amazon.CODE, selling_partner_id=US_ONLY),
    )

    assert "Amazon answered for a different seller account than A2USONLYSELL03" in page
    assert snapshot(known) == before
    assert store5.events.filter(kind=StoreEvent.Kind.SECURITY).count() == 1
    assert not store5.events.filter(kind=StoreEvent.Kind.RENEWED).exists()


def test_an_answer_without_a_store_name_is_not_trusted_for_a_known_seller(
    manager_client, known, start_connect, amazon_http
):
    other = AmazonStoreFactory(marketplace="US")
    before = snapshot(known)
    _amazon_answers(amazon_http, store_name="")

    page = _page(
        manager_client,
        callback(manager_client, state=start_connect(other), spapi_oauth_code=amazon.CODE, selling_partner_id=US_ONLY),
    )

    assert "different seller account than A2USONLYSELL03" in page
    assert snapshot(known) == before


# Identity: recorded on the first consent, compared on the next ------------------------------------------


def test_the_first_consent_records_the_sellers_identity(manager_client, store, start_connect, amazon_http):
    _amazon_answers(amazon_http, store_name="Northwind Outfitters", countries=("US", "CA"))

    callback(manager_client, state=start_connect(store), spapi_oauth_code=amazon.CODE, selling_partner_id=amazon.SELLER)

    authorization = SellerAuthorization.objects.get()
    assert authorization.seller_store_name == "Northwind Outfitters"
    assert authorization.marketplace_ids == [CA, US]


@pytest.mark.parametrize("answered", ["Prairie Pantry Co.", "prairie pantry co. ", "ＰＲＡＩＲＩＥ Pantry Co."])
def test_the_same_seller_is_recognised_whatever_the_case_width_or_spaces(
    manager_client, known, start_connect, amazon_http, answered
):
    other = AmazonStoreFactory(name="Store 6", marketplace="US")
    _amazon_answers(amazon_http, store_name=answered)

    page = _page(
        manager_client,
        callback(manager_client, state=start_connect(other), spapi_oauth_code=amazon.CODE, selling_partner_id=US_ONLY),
    )

    assert "is connected to Amazon seller A2USONLYSELL03" in page
    known.refresh_from_db()
    assert token_decrypt(known.refresh_token_encrypted) == amazon.REFRESH_TOKEN
    assert set(known.connections.values_list("store__name", flat=True)) == {"Store 5", "Store 6"}
    # The other store of the seller shares the new year, and its log says so.
    store5 = known.connections.get(store__name="Store 5").store
    assert store5.events.get(kind=StoreEvent.Kind.RENEWED).details["selling_partner_id"] == US_ONLY
    assert other.events.get(kind=StoreEvent.Kind.CONNECTED)


def test_a_seller_who_renamed_its_store_is_refused_until_verify_learns_the_new_name(
    manager_client, manager, known, start_connect, amazon_http
):
    store5 = known.connections.get().store
    other = AmazonStoreFactory(name="Store 6", marketplace="US")
    before = snapshot(known)
    _amazon_answers(amazon_http, store_name="Prairie Pantry Company")

    page = _page(
        manager_client,
        callback(manager_client, state=start_connect(other), spapi_oauth_code=amazon.CODE, selling_partner_id=US_ONLY),
    )

    assert "different seller account than A2USONLYSELL03 (Prairie Pantry Co.)" in page
    assert snapshot(known) == before
    # Verify uses the stored, trusted token: the new name is learnt, and said on every store.
    amazon_http.post(amazon.lwa_url(), json=amazon.token_response(refresh_token=None))
    amazon_http.get(amazon.participations_url(), json=amazon.participations("US", store_name="Prairie Pantry Company"))
    connection_verify(store=store5, actor=manager)
    known.refresh_from_db()
    assert known.seller_store_name == "Prairie Pantry Company"
    renamed = store5.events.get(kind=StoreEvent.Kind.VERIFIED).details["seller_renamed"]
    assert renamed == {"from": "Prairie Pantry Co.", "to": "Prairie Pantry Company"}
    lwa_refresh = parse_qs(amazon_http.calls[-2].request.body)
    assert lwa_refresh["refresh_token"] == [KNOWN_TOKEN]
    # Now the seller's consent matches again.
    _amazon_answers(amazon_http, store_name="Prairie Pantry Company")
    page = _page(
        manager_client,
        callback(manager_client, state=start_connect(other), spapi_oauth_code=amazon.CODE, selling_partner_id=US_ONLY),
    )
    assert "is connected to Amazon seller A2USONLYSELL03" in page


def test_verify_records_a_rename_on_every_store_of_the_seller(manager, amazon_http):
    authorization = authorization_create(seller=amazon.SELLER, store_name="Northwind", marketplace_ids=[US, CA])
    us = store_link(authorization, name="US", marketplace="US")
    ca = store_link(authorization, name="CA", marketplace="CA")
    access_tokens.access_token_remember(authorization_id=authorization.pk, token="Atza|cached", expires_in=3600)
    amazon_http.get(amazon.participations_url(), json=amazon.participations("US", "CA", store_name="Northwind Two"))

    connection_verify(store=us, actor=manager)

    for store in (us, ca):
        event = store.events.get(kind=StoreEvent.Kind.VERIFIED)
        assert event.details["seller_renamed"] == {"from": "Northwind", "to": "Northwind Two"}
        assert event.details["outcome"] == "ok"


def test_a_renamed_seller_whose_token_is_gone_comes_back_after_revoke_and_a_new_consent(
    manager_client, auth_staff, known, start_connect, amazon_http
):
    store5 = known.connections.get().store
    authorization_revoke(authorization=known, actor=auth_staff)
    _amazon_answers(amazon_http, store_name="Prairie Pantry Company")

    page = _page(
        manager_client,
        callback(manager_client, state=start_connect(store5), spapi_oauth_code=amazon.CODE, selling_partner_id=US_ONLY),
    )

    assert "is connected again to seller A2USONLYSELL03" in page
    known.refresh_from_db()
    assert known.state == AuthorizationState.ACTIVE
    assert known.seller_store_name == "Prairie Pantry Company"
    assert known.revoked_at is None
    assert token_decrypt(known.refresh_token_encrypted) == amazon.REFRESH_TOKEN


# A refused store never breaks a working seller -----------------------------------------------------------


def _refresh_accepting(amazon_http, accepted: set[str]):
    """LWA's refresh, accepting only these refresh tokens (a new consent may or may not end the old one)."""

    def answer(request):
        token = parse_qs(request.body)["refresh_token"][0]
        if token in accepted:
            return 200, {}, '{"access_token": "Atza|after", "token_type": "bearer", "expires_in": 3600}'
        return 400, {}, '{"error": "invalid_grant", "error_description": "revoked"}'

    amazon_http.add_callback(responses.POST, amazon.lwa_url(), callback=answer)


@pytest.mark.parametrize("new_consent_ends_old_token", [True, False])
def test_a_known_seller_refused_for_a_store_keeps_the_fresh_token_and_its_stores_keep_working(
    manager_client, known, start_connect, amazon_http, new_consent_ends_old_token
):
    store5 = known.connections.get().store
    canada = AmazonStoreFactory(name="Canada store", marketplace="CA")
    _amazon_answers(amazon_http, store_name="Prairie Pantry Co.", countries=("US",))
    started = timezone.now()

    page = _page(
        manager_client,
        callback(manager_client, state=start_connect(canada), spapi_oauth_code=amazon.CODE, selling_partner_id=US_ONLY),
    )

    assert "Seller A2USONLYSELL03 (Prairie Pantry Co.) does not sell in Canada; it sells in: United States." in page
    assert "authorization itself was renewed" in page
    assert not StoreConnection.objects.filter(store=canada).exists()
    known.refresh_from_db()
    assert token_decrypt(known.refresh_token_encrypted) == amazon.REFRESH_TOKEN
    assert known.granted_at >= started
    assert known.expires_at - known.granted_at == timedelta(days=365)
    assert store5.events.get(kind=StoreEvent.Kind.RENEWED)
    assert canada.events.get(kind=StoreEvent.Kind.CONNECT_FAILED).details["code"] == "wrong_marketplace"
    # The seller's other store goes on working, whether Amazon ended the old refresh token or not.
    _refresh_accepting(
        amazon_http, {amazon.REFRESH_TOKEN} if new_consent_ends_old_token else {KNOWN_TOKEN, amazon.REFRESH_TOKEN}
    )
    access_tokens.access_token_forget(authorization_id=known.pk)
    assert access_tokens.access_token_get(authorization=known) == "Atza|after"
    known.refresh_from_db()
    assert known.state == AuthorizationState.ACTIVE


def test_a_new_seller_refused_for_a_store_leaves_nothing(manager_client, start_connect, amazon_http):
    canada = AmazonStoreFactory(name="Canada store", marketplace="CA")
    _amazon_answers(amazon_http, store_name="Prairie Pantry Co.", countries=("US",))

    page = _page(
        manager_client,
        callback(manager_client, state=start_connect(canada), spapi_oauth_code=amazon.CODE, selling_partner_id=US_ONLY),
    )

    assert "does not sell in Canada" in page
    assert "Nothing was saved" in page
    assert not SellerAuthorization.objects.exists()
    assert not StoreConnection.objects.exists()


def test_a_mismatched_seller_refused_for_a_store_in_another_marketplace_saves_nothing(
    manager_client, known, start_connect, amazon_http
):
    canada = AmazonStoreFactory(name="Canada store", marketplace="CA")
    before = snapshot(known)
    _amazon_answers(amazon_http, store_name="Northwind Outfitters", countries=("US", "CA"))

    page = _page(
        manager_client,
        callback(manager_client, state=start_connect(canada), spapi_oauth_code=amazon.CODE, selling_partner_id=US_ONLY),
    )

    assert "different seller account than A2USONLYSELL03" in page
    assert snapshot(known) == before
    assert not StoreConnection.objects.filter(store=canada).exists()


# Against the sandbox over real HTTP, under both of its answers to a new consent ------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("new_consent_ends_old_token", [True, False])
def test_with_the_sandbox_a_refused_store_never_breaks_the_sellers_working_ones(
    manager_client, live_sandbox, settings, new_consent_ends_old_token
):
    settings.AMAZON_SANDBOX_NEW_CONSENT_REVOKES_OLD_TOKEN = new_consent_ends_old_token
    sandbox = Sandbox(live_sandbox)
    us, canada = AmazonStoreFactory(name="US", marketplace="US"), AmazonStoreFactory(name="Canada", marketplace="CA")
    _sandbox_connect(manager_client, sandbox, us, login="us-only-seller@example.com")
    authorization = SellerAuthorization.objects.get()
    first_token = token_decrypt(authorization.refresh_token_encrypted)

    page = _sandbox_connect(manager_client, sandbox, canada, login="us-only-seller@example.com")

    assert "does not sell in Canada" in page
    assert "authorization itself was renewed" in page
    authorization.refresh_from_db()
    assert token_decrypt(authorization.refresh_token_encrypted) != first_token
    access_tokens.access_token_forget(authorization_id=authorization.pk)
    assert access_tokens.access_token_get(authorization=authorization).startswith("Atza|")
    authorization.refresh_from_db()
    assert authorization.state == AuthorizationState.ACTIVE
    assert not StoreConnection.objects.filter(store=canada).exists()


def _sandbox_connect(client, sandbox, store, *, login: str) -> str:
    """Connect store → the sandbox's consent pages (as a browser) → the callback; return the result page."""
    consent = client.post(reverse("sellerauth:connect", args=[store.pk])).url
    params = {name: values[0] for name, values in parse_qs(urlsplit(consent).query).items()}
    back = sandbox.authorize(requests.Session(), login=login, **params)
    response = client.get(reverse("sellerauth:callback"), {name: values[0] for name, values in back.items()})
    return html.unescape(client.get(response.url).content.decode())
