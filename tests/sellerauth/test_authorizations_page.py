"""The Current Authorizations page, the status filter it shares with the database, and the renewal banner."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.context_processors import PermWrapper
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sellerauth.models import AuthorizationState, SellerAuthorization, StoreConnection
from sellerauth.selectors import authorization_status_q, renewal_banner_stores
from sellerauth.status import ConnectionStatus, connection_status
from tests.factories import AmazonStoreFactory

pytestmark = pytest.mark.django_db

URL = reverse("sellerauth:authorizations")
NOW = datetime(2027, 1, 15, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _authorization(seller, *, expires_in=timedelta(days=200), state=AuthorizationState.ACTIVE, stores=1, **fields):
    expires_at = timezone.now() + expires_in
    authorization = SellerAuthorization.objects.create(
        selling_partner_id=seller,
        region=fields.pop("region", "NA"),
        granted_at=expires_at - timedelta(days=365),
        expires_at=expires_at,
        state=state,
        **fields,
    )
    for number in range(stores):
        store = AmazonStoreFactory(name=f"{seller} store {number}")
        StoreConnection.objects.create(store=store, authorization=authorization)
    return authorization


def _one_of_each() -> dict[str, SellerAuthorization]:
    """Return an authorization in each status, with the boundaries of the derivation among them."""
    window = timedelta(days=30)
    return {
        "connected": _authorization("ACONNECTED0001", expires_in=window + timedelta(seconds=1)),
        "renewal_due": _authorization("ARENEWALDUE001", expires_in=window),
        "renewal_due_last_second": _authorization("ARENEWALDUE002", expires_in=timedelta(seconds=1)),
        "expired_now": _authorization("AEXPIRED000001", expires_in=timedelta(0)),
        "expired_and_lost": _authorization(
            "AEXPIRED000002", expires_in=-timedelta(days=3), state=AuthorizationState.NEEDS_REAUTHORIZATION
        ),
        "needs_reauthorization": _authorization("ANEEDSREAUTH01", state=AuthorizationState.NEEDS_REAUTHORIZATION),
        "revoked": _authorization("AREVOKED000001", state=AuthorizationState.REVOKED),
        "revoked_and_expired": _authorization(
            "AREVOKED000002", expires_in=-timedelta(days=3), state=AuthorizationState.REVOKED
        ),
    }


def test_the_banner_lists_exactly_the_stores_whose_status_asks_for_renewal():
    authorizations = _one_of_each()

    stores, total = renewal_banner_stores(limit=100)

    asking = {ConnectionStatus.RENEWAL_DUE, ConnectionStatus.EXPIRED, ConnectionStatus.NEEDS_REAUTHORIZATION}
    expected = {
        a.selling_partner_id
        for a in authorizations.values()
        if connection_status(state=a.state, expires_at=a.expires_at) in asking
    }
    assert {store.auth_selling_partner_id for store in stores} == expected
    assert total == len(expected) == 5


def _rows(html: str) -> list[str]:
    """Return the selling partner IDs of the table's rows, in order."""
    return re.findall(r'<th scope="row" class="authorizations-table__seller">\s*<code>(\w+)</code>', html)


def test_the_database_filter_agrees_with_the_derived_status_for_each_status():
    authorizations = _one_of_each()

    for status in ConnectionStatus.values:
        selected = set(SellerAuthorization.objects.filter(authorization_status_q(statuses=[status])))
        derived = {
            a for a in authorizations.values() if connection_status(state=a.state, expires_at=a.expires_at) == status
        }
        assert selected == derived, status
    assert {status for status in ConnectionStatus.values if status != "not_connected"} == {
        connection_status(state=a.state, expires_at=a.expires_at) for a in authorizations.values()
    }  # every status is covered


def test_viewers_see_every_authorization_soonest_expiry_first_without_actions(viewer_client):
    later = _authorization("ALATER00000001", expires_in=timedelta(days=300), seller_store_name="Later Goods")
    sooner = _authorization("ASOONER0000001", expires_in=timedelta(days=10), stores=2, region="EU")

    response = viewer_client.get(URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Current Authorizations</h1>" in html
    assert _rows(html) == ["ASOONER0000001", "ALATER00000001"]
    for store in [link.store for a in (later, sooner) for link in a.connections.all()]:
        assert f'<a href="{store.get_absolute_url()}">{store.name}</a>' in html
    assert "Later Goods" in html
    assert "Europe" in html
    assert "Renewal due" in html
    assert "Jan 25, 2027" in html  # the sooner one's expiry
    assert '<td class="authorizations-table__number">10</td>' in html
    assert "/renew/" not in html
    assert "/revoke/" not in html
    assert "/verify/" not in html


def test_authorization_staff_get_renew_revoke_and_verify(client, auth_staff):
    authorization = _authorization("ASTAFF00000001", expires_in=timedelta(days=5))
    client.force_login(auth_staff)

    html = client.get(URL).content.decode()

    assert f'action="{reverse("sellerauth:renew", args=[authorization.pk])}"' in html
    assert f'href="{reverse("sellerauth:revoke", args=[authorization.pk])}?next=' in html
    assert f'action="{reverse("sellerauth:authorization_verify", args=[authorization.pk])}"' in html


def test_managers_may_verify_but_neither_renew_nor_revoke(manager_client):
    authorization = _authorization("AMANAGER000001")

    html = manager_client.get(URL).content.decode()

    assert reverse("sellerauth:authorization_verify", args=[authorization.pk]) in html
    assert "/renew/" not in html
    assert "/revoke/" not in html


def test_a_revoked_authorization_offers_no_revoke_and_no_verify(client, auth_staff):
    authorization = _authorization("AREVOKED000009", state=AuthorizationState.REVOKED)
    client.force_login(auth_staff)

    html = client.get(URL).content.decode()

    assert reverse("sellerauth:renew", args=[authorization.pk]) in html
    assert reverse("sellerauth:revoke", args=[authorization.pk]) not in html
    assert reverse("sellerauth:authorization_verify", args=[authorization.pk]) not in html


def test_the_last_verification_and_its_error_are_shown_in_words(viewer_client):
    _authorization(
        "AVERIFIED00001", last_verified_at=timezone.now() - timedelta(hours=2), last_verify_error="spapi_http_429"
    )
    _authorization("ANEVER00000001")

    html = viewer_client.get(URL).content.decode()

    assert "Jan 15, 2027 10:00" in html
    assert "Amazon throttled the check; it is tried again when its quota allows." in html
    assert "Never" in html


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("connected", {"ACONNECTED0001"}),
        ("renewal_due", {"ARENEWALDUE001", "ARENEWALDUE002"}),
        ("expired", {"AEXPIRED000001", "AEXPIRED000002"}),
        ("needs_reauthorization", {"ANEEDSREAUTH01"}),
        ("revoked", {"AREVOKED000001", "AREVOKED000002"}),
        ("attention", {"ARENEWALDUE001", "ARENEWALDUE002", "AEXPIRED000001", "AEXPIRED000002", "ANEEDSREAUTH01"}),
    ],
)
def test_the_status_filter(viewer_client, status, expected):
    _one_of_each()

    html = viewer_client.get(URL, {"status": status}).content.decode()

    assert set(_rows(html)) == expected


def test_the_region_and_seller_filters(viewer_client):
    _authorization("ANORTHAMERICA1", seller_store_name="Prairie Goods")
    _authorization("AEUROPE0000001", region="EU", seller_store_name="Rhine Goods")
    _authorization("AFAREAST000001", region="FE", seller_store_name="Prairie East")

    assert _rows(viewer_client.get(URL, {"region": "EU"}).content.decode()) == ["AEUROPE0000001"]
    assert set(_rows(viewer_client.get(URL, {"q": "prairie"}).content.decode())) == {"ANORTHAMERICA1", "AFAREAST000001"}
    assert _rows(viewer_client.get(URL, {"q": "aeurope0000001"}).content.decode()) == ["AEUROPE0000001"]


@pytest.mark.parametrize("params", [{"status": "lost"}, {"region": "XX"}, {"status": ["revoked", "x" * 5000]}])
def test_an_invalid_filter_is_reported_beside_it_and_ignored(viewer_client, params):
    _authorization("AONE0000000001")
    _authorization("ATWO0000000001", state=AuthorizationState.REVOKED)

    response = viewer_client.get(URL, params)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Select a valid choice." in html
    assert 'aria-invalid="true"' in html
    assert set(_rows(html)) == {"AONE0000000001", "ATWO0000000001"}


def test_the_page_is_paginated_by_25(viewer_client):
    for number in range(30):
        _authorization(f"APAGE{number:09d}", expires_in=timedelta(days=100 + number), stores=0)

    first = viewer_client.get(URL).content.decode()
    second = viewer_client.get(URL, {"page": 2}).content.decode()
    beyond = viewer_client.get(URL, {"page": "999"}).content.decode()

    assert _rows(first) == [f"APAGE{number:09d}" for number in range(25)]
    assert _rows(second) == [f"APAGE{number:09d}" for number in range(25, 30)]
    assert _rows(beyond) == _rows(second)
    assert "30 authorizations" in first
    assert "Page 1 of 2" in first


def test_the_pages_keep_the_filters(viewer_client):
    for number in range(26):
        _authorization(f"AFILTER{number:07d}", region="EU", stores=0)

    html = viewer_client.get(URL, {"region": "EU"}).content.decode()

    assert 'href="?region=EU&amp;page=2"' in html


def test_the_page_runs_the_same_queries_for_5_or_100_authorizations(viewer_client):
    for number in range(5):
        _authorization(f"AFEW{number:010d}", stores=2)
    viewer_client.get(URL)  # the session and the permissions, once
    with CaptureQueriesContext(connection) as few:
        viewer_client.get(URL)
    for number in range(95):
        _authorization(f"AMANY{number:09d}", stores=2)
    with CaptureQueriesContext(connection) as many:
        response = viewer_client.get(URL)

    assert len(_rows(response.content.decode())) == 25
    assert len(many) == len(few)


def test_the_page_needs_a_login_and_the_view_permission(client, django_user_model):
    assert client.get(URL).status_code == 302
    client.force_login(django_user_model.objects.create_user("nobody"))
    assert client.get(URL).status_code == 403


def test_an_empty_page_says_how_authorizations_appear(viewer_client):
    html = viewer_client.get(URL).content.decode()

    assert "No seller has authorized this application yet" in html


# The renewal banner ----------------------------------------------------------------------------------------


def _banner(user) -> str:
    request = RequestFactory().get("/")
    request.user = user
    context = Context({"request": request, "perms": PermWrapper(user), "csrf_token": "banner-token"})
    return Template("{% load sellerauth %}{% renewal_banner %}").render(context)


def test_the_banner_lists_the_stores_due_expired_or_refused_with_renew_for_staff(auth_staff, viewer):
    everything = _one_of_each()

    html = _banner(auth_staff)

    listed = set(re.findall(r">(A\w+) store 0</a>", html))
    assert listed == {"ARENEWALDUE001", "ARENEWALDUE002", "AEXPIRED000001", "AEXPIRED000002", "ANEEDSREAUTH01"}
    assert "5 stores need their Amazon authorization renewed" in html
    for key in ("renewal_due", "expired_now", "needs_reauthorization"):
        renew = reverse("sellerauth:renew", args=[everything[key].pk])
        # The page's card-action form carries the CSRF token: the banner, cached, holds none.
        assert f'form="card-action" formaction="{renew}" formtarget="_blank"' in html
    assert "banner-token" not in html
    assert "/renew/" not in _banner(viewer)
    assert "Authorization staff can renew them." in _banner(viewer)


def test_the_banner_groups_the_stores_of_one_authorization_under_one_renew(auth_staff):
    authorization = _authorization("ASHARED0000001", expires_in=timedelta(days=3), stores=3)

    html = _banner(auth_staff)

    assert html.count(f'formaction="{reverse("sellerauth:renew", args=[authorization.pk])}"') == 1
    assert "3 stores need their Amazon authorization renewed" in html


def test_the_banner_shows_ten_stores_and_links_the_rest_in_one_query(viewer):
    for number in range(12):
        _authorization(f"ADUE{number:010d}", expires_in=timedelta(days=number + 1))
    _banner(viewer)  # the permissions, once

    with CaptureQueriesContext(connection) as queries:
        html = _banner(viewer)

    assert len(queries) == 1  # ten of the stores asking for renewal, with how many in all
    assert len(re.findall(r">ADUE\d+ store 0</a>", html)) == 10
    assert f'<a href="{URL}?status=attention">and 2 more stores</a>' in html


def test_no_banner_when_nothing_asks_for_renewal(viewer):
    _authorization("AFINE000000001")
    _authorization("AREVOKED000003", state=AuthorizationState.REVOKED, expires_in=timedelta(days=2))

    _banner(viewer)  # the permissions, once

    with CaptureQueriesContext(connection) as queries:
        assert _banner(viewer).strip() == ""
    assert len(queries) == 1  # the stores asking for renewal: none
