"""Renew authorization: a consent for the authorization, every store sharing it, by authorization staff only."""

import html
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sellerauth.models import (
    AuthorizationPurpose,
    AuthorizationRequest,
    AuthorizationState,
    SellerAuthorization,
    StoreConnection,
)
from sellerauth.token_vault import token_decrypt
from stores.models import StoreEvent
from tests import amazon_payloads as amazon
from tests.factories import AmazonStoreFactory
from tests.sellerauth.authorizations import CA, KNOWN_TOKEN, US, authorization_create, snapshot, store_link
from tests.sellerauth.conftest import callback

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "viewer", "manager", "auth_staff", "superuser"]
MAY_RENEW = {"auth_staff", "superuser"}


@pytest.fixture
def due(db):
    """Seller A2NASELLER0001 (Northwind Outfitters), 340 days into its year, shared by a US and a Canada store."""
    authorization = authorization_create(
        seller=amazon.SELLER, store_name="Northwind Outfitters", marketplace_ids=[US, CA], age_days=340
    )
    store_link(authorization, name="Northwind US", marketplace="US")
    store_link(authorization, name="Northwind CA", marketplace="CA")
    return authorization


def _stores(authorization):
    return [link.store for link in authorization.connections.select_related("store").order_by("store__name")]


def _start(client, authorization) -> str:
    """POST Renew authorization; return the state of the consent URL."""
    response = client.post(reverse("sellerauth:renew", args=[authorization.pk]))
    assert response.status_code == 303
    return parse_qs(urlsplit(response.url).query)["state"][0]


def _page(client, response) -> str:
    assert response.status_code == 303
    return html.unescape(client.get(response.url).content.decode())


def _amazon_ok(amazon_http, *, store_name="Northwind Outfitters"):
    amazon_http.post(amazon.lwa_url(), json=amazon.token_response())
    amazon_http.get(amazon.participations_url(), json=amazon.participations("US", "CA", store_name=store_name))


# Starting ------------------------------------------------------------------------------------------------


def test_renew_sends_the_browser_to_seller_central_with_a_renew_state(staff_client, auth_staff, due, settings):
    response = staff_client.post(reverse("sellerauth:renew", args=[due.pk]))

    assert response.status_code == 303
    url = urlsplit(response.url)
    query = parse_qs(url.query)
    assert f"{url.scheme}://{url.netloc}{url.path}" == "https://sellercentral.amazon.com/apps/authorize/consent"
    assert query["application_id"] == [settings.SPAPI_APPLICATION_ID]
    assert query["redirect_uri"] == [settings.AMAZON_REDIRECT_URI]
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Cache-Control"] == "no-store"
    attempt = AuthorizationRequest.objects.get()
    assert (attempt.purpose, attempt.authorization, attempt.store, attempt.user) == (
        AuthorizationPurpose.RENEW,
        due,
        None,
        auth_staff,
    )
    for store in _stores(due):
        assert store.events.get(kind=StoreEvent.Kind.CONNECT_STARTED).details == {"purpose": "renew"}


def test_renew_without_stores_uses_the_regions_first_seller_central(staff_client, settings):
    settings.AMAZON_SELLER_CENTRAL_URLS = {"GB": "https://sellercentral.amazon.co.uk"}
    europe = authorization_create(seller="A2EUSELLER0002", store_name="Albion", region="EU")

    response = staff_client.post(reverse("sellerauth:renew", args=[europe.pk]))

    assert response.url.startswith("https://sellercentral.amazon.co.uk/apps/authorize/consent?")


def test_a_draft_application_renews_with_the_beta_version(staff_client, due, settings):
    settings.AMAZON_APP_IS_DRAFT = True

    response = staff_client.post(reverse("sellerauth:renew", args=[due.pk]))

    assert parse_qs(urlsplit(response.url).query)["version"] == ["beta"]


def test_a_get_renews_nothing(staff_client, due):
    assert staff_client.get(reverse("sellerauth:renew", args=[due.pk])).status_code == 405
    assert not AuthorizationRequest.objects.exists()


def test_renew_needs_the_csrf_token(auth_staff, due):
    client = Client(enforce_csrf_checks=True)
    client.force_login(auth_staff)

    assert client.post(reverse("sellerauth:renew", args=[due.pk])).status_code == 403
    assert not AuthorizationRequest.objects.exists()


def test_renewing_an_unknown_authorization_is_a_404(staff_client):
    assert staff_client.post(reverse("sellerauth:renew", args=[999])).status_code == 404


# Coming back ---------------------------------------------------------------------------------------------


def test_a_renewal_renews_every_store_sharing_the_authorization(staff_client, auth_staff, due, amazon_http):
    _amazon_ok(amazon_http)
    state = _start(staff_client, due)
    due.verify_after, due.last_verify_error = timezone.now() + timedelta(hours=1), "spapi_http_429"
    due.save()

    response = callback(staff_client, state=state, spapi_oauth_code=amazon.CODE, selling_partner_id=amazon.SELLER)

    assert response["Referrer-Policy"] == "no-referrer"
    page = _page(staff_client, response)
    due.refresh_from_db()
    assert "The authorization of seller A2NASELLER0001 is renewed until" in page
    assert due.expires_at.strftime("%b %-d, %Y") in page
    assert "Northwind US" in page
    assert "Northwind CA" in page
    assert token_decrypt(due.refresh_token_encrypted) == amazon.REFRESH_TOKEN
    assert timezone.now() - due.granted_at < timedelta(minutes=1)
    assert due.expires_at - due.granted_at == timedelta(days=365)
    assert (due.state, due.verify_after, due.last_verify_error) == (AuthorizationState.ACTIVE, None, "")
    for store in _stores(due):
        event = store.events.get(kind=StoreEvent.Kind.RENEWED)
        assert event.actor == auth_staff
        assert event.details["expires"] == due.expires_at.date().isoformat()
        assert amazon.REFRESH_TOKEN not in str(event.details)
        page = staff_client.get(store.get_absolute_url()).content.decode()
        assert ">Connected<" in page
        assert "365 days left" in page
    assert StoreConnection.objects.count() == 2


@pytest.mark.parametrize(
    "state",
    [
        {"state": AuthorizationState.REVOKED, "revoked_at": timezone.now(), "seller_store_name": ""},
        {"state": AuthorizationState.NEEDS_REAUTHORIZATION},
        {"expires_at": timezone.now() - timedelta(days=3)},
    ],
    ids=["revoked", "needs-reauthorization", "expired"],
)
def test_a_revoked_lost_or_expired_authorization_comes_back_with_a_renewal(staff_client, due, amazon_http, state):
    SellerAuthorization.objects.filter(pk=due.pk).update(**state)
    if "expires_at" in state:
        SellerAuthorization.objects.filter(pk=due.pk).update(granted_at=state["expires_at"] - timedelta(days=365))
    _amazon_ok(amazon_http)

    page = _page(
        staff_client,
        callback(
            staff_client,
            state=_start(staff_client, due),
            spapi_oauth_code=amazon.CODE,
            selling_partner_id=amazon.SELLER,
        ),
    )

    assert "is renewed until" in page
    due.refresh_from_db()
    assert due.status == "connected"
    assert (due.revoked_at, due.revoked_by) == (None, None)
    assert due.seller_store_name == "Northwind Outfitters"


def test_a_renewal_answered_for_another_seller_changes_nothing_and_names_both(staff_client, due, amazon_http):
    before = snapshot(due)
    state = _start(staff_client, due)

    page = _page(
        staff_client,
        callback(staff_client, state=state, spapi_oauth_code=amazon.CODE, selling_partner_id="A2USONLYSELL03"),
    )

    assert (
        "This renewal is for seller A2NASELLER0001 (Northwind Outfitters), but Amazon answered for seller "
        "A2USONLYSELL03. Nothing was changed." in page
    )
    assert len(amazon_http.calls) == 0  # refused before the code is exchanged
    assert snapshot(due) == before
    for store in _stores(due):
        event = store.events.get(kind=StoreEvent.Kind.SECURITY)
        assert event.details["claimed_seller"] == "A2USONLYSELL03"
        assert event.details["renewing_seller"] == amazon.SELLER
        assert store.events.get(kind=StoreEvent.Kind.CONNECT_FAILED).details == {
            "purpose": "renew",
            "code": "renew_other_seller",
        }


def test_a_renewal_by_another_account_under_the_same_seller_id_is_refused(staff_client, due, amazon_http):
    before = snapshot(due)
    _amazon_ok(amazon_http, store_name="Prairie Pantry Co.")

    page = _page(
        staff_client,
        callback(
            staff_client,
            state=_start(staff_client, due),
            spapi_oauth_code=amazon.CODE,
            selling_partner_id=amazon.SELLER,
        ),
    )

    assert "Amazon answered for a different seller account than A2NASELLER0001 (Northwind Outfitters)" in page
    assert snapshot(due) == before
    for store in _stores(due):
        assert store.events.get(kind=StoreEvent.Kind.SECURITY).details["code"] == "seller_mismatch"


@pytest.mark.parametrize("case", ["forged", "repeated", "expired", "other_session"])
def test_a_bad_renew_state_calls_nobody_and_changes_nothing(staff_client, auth_staff, due, amazon_http, case):
    _amazon_ok(amazon_http)
    state = _start(staff_client, due)
    params = {"state": state, "spapi_oauth_code": amazon.CODE, "selling_partner_id": amazon.SELLER}
    client = staff_client
    if case == "forged":
        params["state"] = "forged-state-value-forged-state-value-forged-st"
    elif case == "repeated":
        callback(staff_client, **params)
        staff_client.get(reverse("sellerauth:result"))
    elif case == "other_session":
        client = Client()
        client.force_login(auth_staff)
    before, calls = snapshot(due), len(amazon_http.calls)

    travel = timezone.now() + timedelta(minutes=11 if case == "expired" else 0)
    with time_machine.travel(travel):
        page = _page(client, callback(client, **params))

    expected = {
        "forged": "does not belong to a connection started here",
        "repeated": "already used",
        "expired": "took too long and expired",
        "other_session": "another browser session",
    }[case]
    assert expected in page
    assert len(amazon_http.calls) == calls
    assert snapshot(due) == before


# The purpose of the state decides, not the URL ----------------------------------------------------------


def test_a_renew_state_renews_only_its_own_authorization(staff_client, due, amazon_http):
    other = authorization_create(seller="A2USONLYSELL03", store_name="Prairie Pantry Co.")
    store_link(other, name="Prairie", marketplace="US")
    before = snapshot(other)
    _amazon_ok(amazon_http, store_name="Prairie Pantry Co.")

    page = _page(
        staff_client,
        callback(
            staff_client,
            state=_start(staff_client, due),
            spapi_oauth_code=amazon.CODE,
            selling_partner_id="A2USONLYSELL03",
        ),
    )

    assert "This renewal is for seller A2NASELLER0001" in page
    assert snapshot(other) == before
    assert len(amazon_http.calls) == 0


def test_a_renew_state_never_links_a_store(staff_client, due, amazon_http):
    unlinked = AmazonStoreFactory(name="Northwind MX", marketplace="MX")
    _amazon_ok(amazon_http)

    callback(
        staff_client, state=_start(staff_client, due), spapi_oauth_code=amazon.CODE, selling_partner_id=amazon.SELLER
    )

    assert not StoreConnection.objects.filter(store=unlinked).exists()
    assert StoreConnection.objects.count() == 2


def test_a_connect_state_cannot_renew_another_sellers_authorization(manager_client, due, start_connect, amazon_http):
    other = authorization_create(seller="A2USONLYSELL03", store_name="Prairie Pantry Co.")
    before = snapshot(other)
    us_store = _stores(due)[1]  # "Northwind US", linked to A2NASELLER0001

    page = _page(
        manager_client,
        callback(
            manager_client,
            state=start_connect(us_store),
            spapi_oauth_code=amazon.CODE,
            selling_partner_id="A2USONLYSELL03",
        ),
    )

    assert "connected to seller A2NASELLER0001, but Amazon answered for seller A2USONLYSELL03" in page
    assert snapshot(other) == before
    assert len(amazon_http.calls) == 0


def test_a_connect_state_for_a_linked_store_renews_the_authorization_for_all_its_stores(
    manager_client, manager, due, start_connect, amazon_http
):
    us_store, ca_store = _stores(due)[1], _stores(due)[0]
    _amazon_ok(amazon_http)

    page = _page(
        manager_client,
        callback(
            manager_client,
            state=start_connect(us_store),
            spapi_oauth_code=amazon.CODE,
            selling_partner_id=amazon.SELLER,
        ),
    )

    assert "is connected again to seller A2NASELLER0001; the authorization is renewed" in page
    due.refresh_from_db()
    assert due.expires_at - timezone.now() > timedelta(days=364)
    assert us_store.events.get(kind=StoreEvent.Kind.RENEWED).actor == manager
    assert ca_store.events.get(kind=StoreEvent.Kind.RENEWED).actor == manager


# Who may renew -------------------------------------------------------------------------------------------


@pytest.fixture
def as_role(request, client):
    def login(role):
        if role != "anonymous":
            client.force_login(request.getfixturevalue(role))
        return client

    return login


@pytest.mark.parametrize("role", ROLES)
def test_who_may_renew(as_role, role, due):
    client = as_role(role)

    response = client.post(reverse("sellerauth:renew", args=[due.pk]))

    if role == "anonymous":
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    elif role in MAY_RENEW:
        assert response.status_code == 303
        assert AuthorizationRequest.objects.filter(purpose=AuthorizationPurpose.RENEW).exists()
    else:
        assert response.status_code == 403
        assert "You are not allowed to do this" in response.content.decode()
        assert not AuthorizationRequest.objects.exists()
        for store in _stores(due):
            denied = store.events.get(kind=StoreEvent.Kind.DENIED)
            assert denied.details == {
                "action": "renew",
                "permission": "sellerauth.renew_sellerauthorization",
                "count": 1,
            }
            assert denied.actor.username == role


def test_repeated_refusals_are_counted_not_stored_one_row_each(client, manager, due):
    client.force_login(manager)
    url = reverse("sellerauth:renew", args=[due.pk])

    for _ in range(3):
        assert client.post(url).status_code == 403

    for store in _stores(due):
        [denied] = store.events.filter(kind=StoreEvent.Kind.DENIED)
        assert denied.details["count"] == 3
    # An hour later, or after another action, a new line starts.
    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        client.post(url)
        client.post(reverse("sellerauth:revoke", args=[due.pk]))
        client.post(url)
    denied = _stores(due)[0].events.filter(kind=StoreEvent.Kind.DENIED)
    counts = [(event.details["action"], event.details["count"]) for event in denied]
    assert counts == [("renew", 1), ("revoke", 1), ("renew", 1), ("renew", 3)]


def test_refusals_of_store_actions_are_counted_too(client, viewer):
    store = AmazonStoreFactory(name="Counted")
    client.force_login(viewer)

    for _ in range(4):
        assert client.post(reverse("sellerauth:connect", args=[store.pk])).status_code == 403

    [denied] = store.events.filter(kind=StoreEvent.Kind.DENIED)
    assert (denied.details["action"], denied.details["count"]) == ("connect", 4)


def test_the_dashboard_offers_renew_to_authorization_staff_only(client, manager, auth_staff, due):
    store = _stores(due)[1]
    renew_url = reverse("sellerauth:renew", args=[due.pk])

    client.force_login(auth_staff)
    staff_page = client.get(store.get_absolute_url()).content.decode()
    client.force_login(manager)
    manager_page = client.get(store.get_absolute_url()).content.decode()

    assert renew_url in staff_page
    assert "Renew authorization" in staff_page
    assert reverse("sellerauth:connect", args=[store.pk]) not in staff_page
    assert renew_url not in manager_page
    assert reverse("sellerauth:connect", args=[store.pk]) in manager_page  # managers keep their connect path


def test_renew_is_offered_as_a_secondary_action_when_nothing_is_due(client, auth_staff):
    authorization = authorization_create(seller=amazon.SELLER, store_name="Northwind", age_days=10)
    store = store_link(authorization, name="Fresh")
    client.force_login(auth_staff)

    page = client.get(store.get_absolute_url()).content.decode()

    assert reverse("sellerauth:renew", args=[authorization.pk]) in page
    assert 'class="button button--secondary">Renew authorization' in page
    assert KNOWN_TOKEN not in page


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ({"status": 400, "json": amazon.lwa_error("invalid_grant")}, "expired before it was completed"),
        ({"status": 503, "body": "Service Unavailable"}, "Amazon is not answering properly"),
    ],
)
def test_a_failed_renewal_changes_nothing_and_is_in_every_stores_log(staff_client, due, amazon_http, answer, expected):
    amazon_http.post(amazon.lwa_url(), **answer)
    before = snapshot(due)

    page = _page(
        staff_client,
        callback(
            staff_client,
            state=_start(staff_client, due),
            spapi_oauth_code=amazon.CODE,
            selling_partner_id=amazon.SELLER,
        ),
    )

    assert expected in page
    assert snapshot(due) == before
    for store in _stores(due):
        assert store.events.get(kind=StoreEvent.Kind.CONNECT_FAILED).details["purpose"] == "renew"


def test_a_cancelled_renewal_changes_nothing(staff_client, due, amazon_http):
    before = snapshot(due)

    page = _page(staff_client, callback(staff_client, error="access_denied", state=_start(staff_client, due)))

    assert "You cancelled the authorization in Seller Central" in page
    assert snapshot(due) == before
    assert AuthorizationRequest.objects.get().consumed_at is not None
    assert len(amazon_http.calls) == 0
