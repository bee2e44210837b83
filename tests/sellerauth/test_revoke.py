"""Revoke authorization: a confirmation page, then the token and the identity are gone; the stores stay linked."""

import html

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse

from sellerauth import access_tokens
from sellerauth.errors import AuthorizationError
from sellerauth.models import AuthorizationState, SellerAuthorization, StoreConnection
from stores.models import StoreEvent
from tests import amazon_payloads as amazon
from tests.sellerauth.authorizations import CA, KNOWN_TOKEN, US, authorization_create, snapshot, store_link
from tests.sellerauth.conftest import callback

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "viewer", "manager", "auth_staff", "superuser"]
MAY_REVOKE = {"auth_staff", "superuser"}


@pytest.fixture
def shared(db):
    """Seller A2NASELLER0001's authorization, shared by a US and a Canada store."""
    authorization = authorization_create(
        seller=amazon.SELLER, store_name="Northwind Outfitters", marketplace_ids=[US, CA]
    )
    store_link(authorization, name="Northwind US", marketplace="US")
    store_link(authorization, name="Northwind CA", marketplace="CA")
    return authorization


def _stores(authorization):
    return [link.store for link in authorization.connections.select_related("store").order_by("store__name")]


def _stored_token(authorization) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT refresh_token_encrypted FROM sellerauth_sellerauthorization WHERE id = %s", [authorization.pk]
        )
        return cursor.fetchone()[0]


def test_the_confirmation_page_lists_every_store_and_changes_nothing(staff_client, shared):
    before = snapshot(shared)

    response = staff_client.get(reverse("sellerauth:revoke", args=[shared.pk]))

    page = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert "Revoke the authorization of seller A2NASELLER0001" in page
    assert "Northwind US" in page
    assert "Northwind CA" in page
    assert "Manage Your Apps" in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert snapshot(shared) == before
    assert not StoreEvent.objects.exists()


def test_revoke_wipes_the_token_and_the_identity_and_keeps_the_stores_linked(staff_client, auth_staff, shared):
    access_tokens.access_token_remember(authorization_id=shared.pk, token="Atza|cached-access", expires_in=3600)
    us_store = _stores(shared)[1]

    response = staff_client.post(
        reverse("sellerauth:revoke", args=[shared.pk]), {"next": us_store.get_absolute_url()}, follow=True
    )

    assert _stored_token(shared) == ""
    assert cache.get(f"sellerauth:access-token:{shared.pk}") is None
    shared.refresh_from_db()
    assert shared.state == AuthorizationState.REVOKED
    assert shared.revoked_by == auth_staff
    assert shared.revoked_at is not None
    assert (shared.seller_store_name, shared.marketplace_ids) == ("", [])
    assert StoreConnection.objects.filter(authorization=shared).count() == 2
    for store in _stores(shared):
        event = store.events.get(kind=StoreEvent.Kind.REVOKED)
        assert event.actor == auth_staff
        assert event.details == {"selling_partner_id": amazon.SELLER, "region": "NA"}
        dashboard = staff_client.get(store.get_absolute_url()).content.decode()
        assert ">Revoked<" in dashboard
    page = html.unescape(response.content.decode())
    assert response.redirect_chain[-1][0] == us_store.get_absolute_url()
    assert "You revoked the authorization of seller A2NASELLER0001" in page
    assert 'href="https://sellercentral.amazon.com/apps/manage"' in page
    assert "Seller Central&#x27;s Manage Your Apps" in response.content.decode()
    assert KNOWN_TOKEN not in page


def test_in_sandbox_mode_the_link_is_the_sandboxs_manage_your_apps(staff_client, shared, settings):
    settings.AMAZON_SANDBOX_SELLER_CENTRAL_URL = "https://sandbox.example.com/sandbox/sellercentral"

    response = staff_client.post(reverse("sellerauth:revoke", args=[shared.pk]), follow=True)

    assert 'href="https://sandbox.example.com/sandbox/sellercentral/apps/manage"' in response.content.decode()


def test_the_link_follows_the_stores_marketplace_and_its_override(staff_client, settings):
    settings.AMAZON_SELLER_CENTRAL_URLS = {"GB": "https://sellercentral.amazon.co.uk"}
    europe = authorization_create(seller="A2EUSELLER0002", store_name="Albion", region="EU")
    store_link(europe, name="Albion UK", marketplace="GB")

    response = staff_client.post(reverse("sellerauth:revoke", args=[europe.pk]), follow=True)

    assert 'href="https://sellercentral.amazon.co.uk/apps/manage"' in response.content.decode()


def test_revoking_twice_says_so_and_records_nothing_more(staff_client, shared):
    staff_client.post(reverse("sellerauth:revoke", args=[shared.pk]))
    shared.refresh_from_db()
    revoked_at = shared.revoked_at

    response = staff_client.post(reverse("sellerauth:revoke", args=[shared.pk]), follow=True)

    assert response.status_code == 200
    assert "was already revoked; nothing was changed" in html.unescape(response.content.decode())
    shared.refresh_from_db()
    assert shared.revoked_at == revoked_at
    assert StoreEvent.objects.filter(kind=StoreEvent.Kind.REVOKED).count() == 2
    confirmation = html.unescape(staff_client.get(reverse("sellerauth:revoke", args=[shared.pk])).content.decode())
    assert "This authorization was revoked on" in confirmation
    assert 'action="/amazon/authorizations/' not in confirmation


def test_a_revoked_authorization_no_longer_calls_amazon(shared, staff_client, amazon_http):
    staff_client.post(reverse("sellerauth:revoke", args=[shared.pk]))

    with pytest.raises(AuthorizationError):
        access_tokens.access_token_get(authorization=SellerAuthorization.objects.get())

    assert len(amazon_http.calls) == 0


def test_a_later_consent_by_the_same_seller_makes_the_stores_connected_again(
    staff_client, manager_client, shared, start_connect, amazon_http
):
    staff_client.post(reverse("sellerauth:revoke", args=[shared.pk]))
    amazon_http.post(amazon.lwa_url(), json=amazon.token_response())
    amazon_http.get(amazon.participations_url(), json=amazon.participations("US", "CA"))

    callback(
        manager_client,
        state=start_connect(_stores(shared)[1]),
        spapi_oauth_code=amazon.CODE,
        selling_partner_id=amazon.SELLER,
    )

    shared.refresh_from_db()
    assert shared.state == AuthorizationState.ACTIVE
    assert shared.seller_store_name == "Northwind Outfitters"
    for store in _stores(shared):
        assert ">Connected<" in manager_client.get(store.get_absolute_url()).content.decode()


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_other_methods_are_refused(staff_client, shared, method):
    before = snapshot(shared)

    response = getattr(staff_client, method)(reverse("sellerauth:revoke", args=[shared.pk]))

    assert response.status_code == 405
    assert snapshot(shared) == before


def test_revoke_needs_the_csrf_token(auth_staff, shared):
    client = Client(enforce_csrf_checks=True)
    client.force_login(auth_staff)
    before = snapshot(shared)

    assert client.post(reverse("sellerauth:revoke", args=[shared.pk])).status_code == 403
    assert snapshot(shared) == before


def test_an_unsafe_next_is_ignored(staff_client, shared):
    response = staff_client.post(reverse("sellerauth:revoke", args=[shared.pk]), {"next": "https://evil.example/"})

    assert response.status_code == 302
    assert response.url == _stores(shared)[0].get_absolute_url()


@pytest.fixture
def as_role(request, client):
    def login(role):
        if role != "anonymous":
            client.force_login(request.getfixturevalue(role))
        return client

    return login


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_who_may_revoke(as_role, role, method, shared):
    before = snapshot(shared)

    response = getattr(as_role(role), method)(reverse("sellerauth:revoke", args=[shared.pk]))

    if role == "anonymous":
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    elif role in MAY_REVOKE:
        assert response.status_code == (200 if method == "get" else 302)
    else:
        assert response.status_code == 403
        assert "You are not allowed to do this" in response.content.decode()
    if role not in MAY_REVOKE or method == "get":
        assert snapshot(shared) == before
    denied = StoreEvent.objects.filter(kind=StoreEvent.Kind.DENIED)
    if method == "post" and role not in MAY_REVOKE and role != "anonymous":
        assert sorted(event.store.name for event in denied) == ["Northwind CA", "Northwind US"]
        assert {event.details["permission"] for event in denied} == {"sellerauth.revoke_sellerauthorization"}
    else:
        assert not denied.exists()


def test_the_dashboard_offers_revoke_to_those_allowed_and_not_once_revoked(client, manager, auth_staff, shared):
    store = _stores(shared)[1]
    revoke_url = reverse("sellerauth:revoke", args=[shared.pk])
    client.force_login(manager)
    assert revoke_url not in client.get(store.get_absolute_url()).content.decode()
    client.force_login(auth_staff)
    assert revoke_url in client.get(store.get_absolute_url()).content.decode()

    client.post(revoke_url)

    page = client.get(store.get_absolute_url()).content.decode()
    assert revoke_url not in page
    assert reverse("sellerauth:renew", args=[shared.pk]) in page  # how it comes back
