import re
from datetime import timedelta

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sellerauth.models import SellerAuthorization, StoreConnection
from stores.cards import card_page, card_values
from stores.models import AmazonStore
from stores.selectors import store_list
from tests.factories import AmazonStoreFactory, WebsiteFactory
from tests.sellerauth.authorizations import authorization_create, store_link

HOME = reverse("stores:home")


def _cards(response):
    return response.context["listing"].context["cards"].cards


def _names(response):
    return [card.name for card in _cards(response)]


def test_empty_state_invites_adding_a_store_through_the_checklist(manager_client):
    html = manager_client.get(HOME).content.decode()

    assert "You have no Amazon store yet" in html
    assert 'data-opens-dialog="pre-installation-dialog"' in html
    assert '<dialog id="pre-installation-dialog"' in html
    assert "Pre-installation tasks" in html
    assert "Training and Preparation" not in html


def test_once_a_store_exists_the_checklist_moves_to_the_left_menu(manager_client):
    AmazonStoreFactory()

    html = manager_client.get(HOME).content.decode()

    assert "pre-installation-dialog" not in html
    assert "Training and Preparation" in html
    assert reverse("stores:pre_installation") in html


def test_a_card_shows_what_the_merchant_needs(viewer_client):
    AmazonStoreFactory(name="Amazon Store UK", marketplace="GB", website=WebsiteFactory(name="Outlet Website"))

    html = viewer_client.get(HOME).content.decode()

    assert "Amazon Store UK" in html
    assert "United Kingdom" in html
    assert "img/flags/gb.svg" in html
    assert "Outlet Website" in html
    assert ">Active<" in html
    assert "Not connected" in html
    assert "View Store" in html


def test_cards_come_24_to_a_page_newest_first(viewer_client):
    stores = AmazonStoreFactory.create_batch(30)

    first = viewer_client.get(HOME)
    second = viewer_client.get(HOME, {"page": 2})

    assert len(_cards(first)) == 24
    assert _names(first)[0] == stores[-1].name
    assert len(_cards(second)) == 6
    assert "Page 2 of 2" in second.content.decode()


@pytest.mark.parametrize("page", ["0", "-1", "abc", "999", "1e3", ""])
def test_a_bad_page_number_shows_a_page_instead_of_an_error(viewer_client, page):
    AmazonStoreFactory.create_batch(3)

    response = viewer_client.get(HOME, {"page": page})

    assert response.status_code == 200
    assert len(_cards(response)) == 3


def test_search_matches_part_of_the_name_ignoring_case_in_any_script(viewer_client):
    AmazonStoreFactory(name="Åsa Butik Sverige")
    AmazonStoreFactory(name="アマゾンストア日本")
    AmazonStoreFactory(name="Amazon Store USA")

    assert _names(viewer_client.get(HOME, {"q": "åSA"})) == ["Åsa Butik Sverige"]
    assert _names(viewer_client.get(HOME, {"q": "ストア"})) == ["アマゾンストア日本"]
    assert _names(viewer_client.get(HOME, {"q": "  store usa "})) == ["Amazon Store USA"]
    assert _names(viewer_client.get(HOME, {"q": "100%_"})) == []


def test_filters_by_marketplace_and_status(viewer_client):
    AmazonStoreFactory(name="US active", marketplace="US")
    AmazonStoreFactory(name="US paused", marketplace="US", is_active=False)
    AmazonStoreFactory(name="Canada", marketplace="CA")

    assert sorted(_names(viewer_client.get(HOME, {"marketplace": "US"}))) == ["US active", "US paused"]
    assert _names(viewer_client.get(HOME, {"status": "inactive"})) == ["US paused"]
    assert _names(viewer_client.get(HOME, {"marketplace": "US", "status": "active"})) == ["US active"]


def test_a_filter_that_matches_nothing_says_so(viewer_client):
    AmazonStoreFactory(marketplace="US")

    html = viewer_client.get(HOME, {"marketplace": "MX"}).content.decode()

    assert "No store matches these filters." in html


def test_an_invalid_filter_value_is_reported_and_ignored(viewer_client):
    AmazonStoreFactory(name="Only store")

    response = viewer_client.get(HOME, {"marketplace": "ZZ", "status": "<b>x</b>"})

    assert response.status_code == 200
    assert _names(response) == ["Only store"]
    html = response.content.decode()
    assert "Select a valid choice. ZZ is not one of the available choices." in html
    assert "<b>x</b>" not in html


def test_paging_keeps_the_filters(viewer_client):
    AmazonStoreFactory.create_batch(30, marketplace="CA")

    html = viewer_client.get(HOME, {"marketplace": "CA"}).content.decode()

    assert "?marketplace=CA&amp;page=2" in html


def _home_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(HOME)
    assert response.status_code == 200
    return len(queries)


# Permissions are kept between requests only outside a transaction.
def test_the_home_page_runs_the_same_number_of_queries_for_5_and_500_stores(client, manager, permissions_version):
    client.force_login(manager)
    AmazonStoreFactory.create_batch(5)
    client.get(HOME)  # the permissions, read once and then kept by the process
    few = _home_queries(client)

    AmazonStoreFactory.create_batch(495)
    many = _home_queries(client)

    assert few == many
    assert many == 4  # the session, the user with the permissions version, a page of stores, the renewal banner


def test_the_pre_installation_page_lists_the_checklist(viewer_client):
    AmazonStoreFactory()

    html = viewer_client.get(reverse("stores:pre_installation")).content.decode()

    for task in [
        "Scheduled jobs are running",
        "A Professional seller account",
        "The seller account is approved and set up",
        "VAT settings for the United Kingdom",
        "ASIN, EAN, GCID, ISBN or UPC",
        "The marketplace's currency",
        "A condition attribute",
        "A shipping method",
    ]:
        assert task in html


def test_card_actions_follow_the_viewers_permissions(client, manager, viewer):
    store = AmazonStoreFactory(name="Menu Store")
    deactivate = reverse("stores:deactivate", args=[store.pk])

    client.force_login(manager)
    html = client.get(HOME).content.decode()
    assert f'formaction="{deactivate}"' in html
    assert f'href="{store.get_absolute_url()}#delete-store"' in html
    assert 'id="card-action"' in html

    client.force_login(viewer)
    html = client.get(HOME).content.decode()
    assert deactivate not in html
    assert "#delete-store" not in html
    assert 'id="card-action"' not in html


def test_a_cached_card_changes_as_soon_as_the_store_does(manager_client):
    store = AmazonStoreFactory(name="Before")
    assert "Before" in manager_client.get(HOME).content.decode()

    store.name = "After"
    store.save()
    website = store.website
    website.name = "Renamed Website"
    website.save()
    html = manager_client.get(HOME).content.decode()

    assert "After" in html
    assert "Before" not in html
    assert "Renamed Website" in html


def test_the_cached_list_follows_the_viewers_permissions(client, manager, viewer):
    client.force_login(manager)
    assert "Add an Amazon store" in client.get(HOME).content.decode()

    client.force_login(viewer)
    html = client.get(HOME).content.decode()

    assert "Ask a channel manager to add one." in html
    assert 'data-opens-dialog="pre-installation-dialog"' not in html


def _due_store(name: str, seller: str = "ADUESELLER01"):
    store = AmazonStoreFactory(name=name, marketplace="US")
    now = timezone.now()
    authorization, _ = SellerAuthorization.objects.get_or_create(
        selling_partner_id=seller,
        region="NA",
        defaults={"granted_at": now - timedelta(days=355), "expires_at": now + timedelta(days=10)},
    )
    StoreConnection.objects.create(store=store, authorization=authorization)
    return store, authorization


def test_the_home_page_warns_of_stores_due_for_renewal_and_offers_renew_to_authorization_staff(
    client, viewer, auth_staff
):
    _due_store("Due Store A")
    _due_store("Due Store B")
    AmazonStoreFactory(name="Unconnected Store")

    client.force_login(viewer)
    seen_by_viewer = client.get(HOME).content.decode()
    client.force_login(auth_staff)
    seen_by_staff = client.get(HOME).content.decode()

    for html in (seen_by_viewer, seen_by_staff):
        assert "2 stores need their Amazon authorization renewed" in html
        banner = html[
            html.index('class="renewal-banner"') : html.index("</section>", html.index('class="renewal-banner"'))
        ]
        assert "Due Store A" in banner and "Due Store B" in banner
        assert "Unconnected Store" not in banner
    assert "Authorization staff can renew them." in seen_by_viewer
    assert 'aria-label="Renew the authorization of seller ADUESELLER01"' in seen_by_staff
    assert 'aria-label="Renew the authorization of seller ADUESELLER01"' not in seen_by_viewer


def test_the_home_page_has_no_banner_when_every_authorization_is_in_good_standing(viewer_client):
    AmazonStoreFactory(name="Unconnected Store")

    assert "renewal-banner" not in viewer_client.get(HOME).content.decode()


def test_the_channel_menu_leads_to_the_current_authorizations(viewer_client):
    AmazonStoreFactory()

    assert f'href="{reverse("sellerauth:authorizations")}"' in viewer_client.get(HOME).content.decode()


@pytest.mark.parametrize(
    ("asked", "shown"),
    [("", 1), ("1", 1), ("2", 2), ("3", 3), ("4", 3), ("999", 3), ("0", 3), ("-1", 3), ("two", 1), ("2.0", 1)],
)
def test_the_page_number_is_read_as_django_paginator_reads_it(db, asked, shown):
    AmazonStoreFactory.create_batch(10)
    stores = AmazonStore.objects.all()  # newest first, as the home page lists them

    rows, page = card_page(number=asked, per_page=4)

    expected = Paginator(stores, 4).get_page(asked)
    assert (page.number, page.paginator.count, page.paginator.num_pages) == (shown, 10, 3)
    assert page.number == expected.number
    assert [row[0] for row in rows] == [store.pk for store in expected.object_list]


def test_an_empty_list_has_one_empty_page(db):
    rows, page = card_page(number="5", per_page=4)

    assert (rows, page.number, page.paginator.count, page.paginator.num_pages) == ([], 1, 0, 1)


def test_an_expired_authorization_says_when_it_expired_not_zero_days_left(viewer_client):
    expired = authorization_create(seller="AEXPIREDLONG01", store_name="Old Seller", age_days=400)
    store = store_link(expired, name="Expired Store")
    due = authorization_create(seller="ADUEINTENDAYS", store_name="Due Seller", age_days=355)
    store_link(due, name="Due Store")

    home = viewer_client.get(HOME).content.decode()
    dashboard = viewer_client.get(reverse("stores:detail", args=[store.pk])).content.decode()

    card = next(article for article in re.findall(r"<article.*?</article>", home, re.S) if "Expired Store" in article)
    assert "Expired on" in card and "days left" not in card and "day left" not in card
    assert "10 days left" in home  # the one still running counts its days
    panel = dashboard[dashboard.index("Expired on") :]
    assert "days left" not in panel[: panel.index("</dl>")]


@pytest.fixture
def varied_stores(db):
    """Stores of every kind a card shows: active or not, in three marketplaces, connected or not, odd names."""
    names = ["Amazon Store USA", "amazon store canada", "Store 50% off", "Under_score Store", "Ünïcödé Store", "Plain"]
    stores = []
    for number, name in enumerate(names):
        stores.append(
            AmazonStoreFactory(name=name, marketplace=["US", "CA", "GB"][number % 3], is_active=number % 2 == 0)
        )
    connected = authorization_create(seller="ACARDSQL000001", store_name="Card Seller", marketplace_ids=("A", "B"))
    StoreConnection.objects.create(store=stores[0], authorization=connected)
    StoreConnection.objects.create(store=stores[3], authorization=connected)
    return stores


@pytest.mark.parametrize("q", ["", "store", "STORE", "50%", "_", "ünï", "nothing like it"])
@pytest.mark.parametrize("marketplace", ["", "US", "GB"])
@pytest.mark.parametrize("status", ["", "active", "inactive"])
def test_the_pages_rows_are_exactly_what_the_orm_reads_for_the_same_filters(varied_stores, q, marketplace, status):
    filters = {"q": q, "marketplace": marketplace, "status": status}
    expected = list(card_values(store_list(**filters)))

    for number in (1, 2):
        rows, page = card_page(**filters, number=number, per_page=4)

        assert page.paginator.count == len(expected)
        if page.number == number:
            assert rows == expected[(number - 1) * 4 : number * 4]
