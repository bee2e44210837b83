"""The home page's cached list: served again only where it would be rendered the same, and never stale."""

from dataclasses import fields
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django import forms
from django.conf import settings
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from sellerauth.models import SellerAuthorization, StoreConnection
from stores.cards import CARD_FIELDS, Fragment, StoreCard, card_values
from stores.models import AmazonStore, Website
from tests.factories import AmazonStoreFactory, UserFactory, WebsiteFactory

HOME = reverse("stores:home")
NOW = datetime(2025, 3, 10, 12, tzinfo=UTC)
EXPIRES = datetime(2025, 6, 1, 12, tzinfo=UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def connected(db, frozen):
    """A store connected to a seller, created at NOW, whose authorization is in good standing."""
    store = AmazonStoreFactory(name="Cached Store", marketplace="US", website=WebsiteFactory(name="Main Website"))
    authorization = SellerAuthorization.objects.create(
        selling_partner_id="ACACHESELLER1",
        region="NA",
        seller_store_name="Northwind",
        granted_at=datetime(2024, 6, 1, 12, tzinfo=UTC),
        expires_at=EXPIRES,
        marketplace_ids=["ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"],
    )
    StoreConnection.objects.create(store=store, authorization=authorization)
    return store


def _html(client, params=None) -> str:
    response = client.get(HOME, params or {})
    assert response.status_code == 200
    return response.content.decode()


def _rendered(response) -> list[str]:
    return [template.name for template in response.templates]


def _store(store):
    return AmazonStore.objects.filter(pk=store.pk)


def _website(store):
    return Website.objects.filter(pk=store.website_id)


def _authorization(store):
    return SellerAuthorization.objects.filter(connections__store=store)


# What the manager may do and the viewer may not, as the page shows it.
MANAGER_ONLY = ["Add Amazon Store", "Deactivate", "#delete-store", 'id="connect-dialog"', 'id="card-action"']
MANAGER_ONLY_WHEN_RENEWAL_DUE = [*MANAGER_ONLY, "Renew authorization"]


@pytest.mark.parametrize("first", ["manager", "viewer"])
def test_a_page_rendered_for_one_role_is_never_served_to_the_other(client, manager, viewer, connected, first):
    # Renewal due: the card offers the manager to renew, a button the viewer must not see either.
    _authorization(connected).update(expires_at=NOW + timedelta(days=5))
    users = {"manager": manager, "viewer": viewer}
    second = "viewer" if first == "manager" else "manager"
    client.force_login(users[first])
    _html(client)

    client.force_login(users[second])
    html = _html(client)

    for control in MANAGER_ONLY_WHEN_RENEWAL_DUE:
        assert (control in html) is (second == "manager"), control


@pytest.mark.parametrize("first", ["manager", "viewer"])
def test_the_empty_page_of_one_role_is_never_served_to_the_other(client, manager, viewer, first):
    users = {"manager": manager, "viewer": viewer}
    second = "viewer" if first == "manager" else "manager"
    client.force_login(users[first])
    _html(client)

    client.force_login(users[second])
    html = _html(client)

    assert ("Add Amazon Store" in html) is (second == "manager")
    assert ("Ask a channel manager to add one." in html) is (second == "viewer")


def test_a_not_connected_card_offers_connect_only_to_the_role_that_may(client, manager, viewer):
    AmazonStoreFactory()
    client.force_login(manager)
    assert "Connect store" in _html(client)

    client.force_login(viewer)
    assert "Connect store" not in _html(client)


def _user_with(username: str, codenames: list[str]):
    user = UserFactory(username=username)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="stores", codename__in=codenames))
    return user


ALL_STORE_PERMISSIONS = [
    "view_amazonstore",
    "add_amazonstore",
    "change_amazonstore",
    "delete_amazonstore",
    "connect_amazonstore",
]

# Each permission -> whether the list needs a store, a text of the list, whether those with the permission see it.
# (Without stores, the Add Amazon Store button of the list looks like the one in the page's header, which is
# not cached: the text for add_amazonstore is the one shown instead of the list's button.)
SHOWN_WITH = {
    "add_amazonstore": (False, "Ask a channel manager to add one.", False),
    "change_amazonstore": (True, "Deactivate", True),
    "delete_amazonstore": (True, "#delete-store", True),
    "connect_amazonstore": (True, 'id="connect-dialog"', True),
}


@pytest.mark.parametrize("with_first", [True, False], ids=["granted-first", "refused-first"])
@pytest.mark.parametrize("permission", SHOWN_WITH)
def test_one_permission_more_or_less_is_enough_for_a_list_of_its_own(client, db, permission, with_first):
    needs_store, text, granted_sees_it = SHOWN_WITH[permission]
    if needs_store:
        AmazonStoreFactory()
    granted = _user_with("granted", ALL_STORE_PERMISSIONS)
    refused = _user_with("refused", [codename for codename in ALL_STORE_PERMISSIONS if codename != permission])
    pages = {}
    for user in [granted, refused] if with_first else [refused, granted]:
        client.force_login(user)
        pages[user.username] = _html(client)

    assert (text in pages["granted"]) is granted_sees_it
    assert (text in pages["refused"]) is not granted_sees_it


@pytest.mark.parametrize("with_first", [True, False], ids=["granted-first", "refused-first"])
def test_the_renew_permission_is_enough_for_a_list_of_its_own(client, connected, with_first):
    _authorization(connected).update(expires_at=NOW + timedelta(days=10))  # renewal due
    renew = Permission.objects.get(content_type__app_label="sellerauth", codename="renew_sellerauthorization")
    granted, refused = _user_with("granted", ["view_amazonstore"]), _user_with("refused", ["view_amazonstore"])
    granted.user_permissions.add(renew)
    pages = {}
    for user in [granted, refused] if with_first else [refused, granted]:
        client.force_login(user)
        pages[user.username] = _html(client)

    renew_url = reverse("sellerauth:renew", args=[_authorization(connected).get().pk])
    assert renew_url in pages["granted"]
    assert "Renew authorization" in pages["granted"]
    assert renew_url not in pages["refused"]
    assert "Renew authorization" not in pages["refused"]


def test_users_with_the_same_permissions_share_the_cached_list(client, manager, connected):
    other_manager = UserFactory(username="other-manager")
    other_manager.groups.set(manager.groups.all())
    client.force_login(manager)
    first = client.get(HOME)

    client.force_login(other_manager)
    second = client.get(HOME)

    assert "stores/includes/home_listing.html" in _rendered(first)
    assert "stores/includes/home_listing.html" not in _rendered(second)
    assert "stores/includes/store_card.html" not in _rendered(second)
    assert second.content.count(b"Cached Store") == first.content.count(b"Cached Store") > 0


def test_a_changed_store_renders_its_own_card_again_and_no_other(manager_client, frozen):
    stores = AmazonStoreFactory.create_batch(3)
    manager_client.get(HOME)

    _store(stores[1]).update(name="Only this one")
    response = manager_client.get(HOME)

    assert _rendered(response).count("stores/includes/store_card.html") == 1
    assert "Only this one" in response.content.decode()


def test_the_cached_list_holds_no_csrf_token(manager_client, connected):
    response = manager_client.get(HOME)
    listing = response.context["listing"].render()

    assert response.context["csrf_token"]
    assert "csrfmiddlewaretoken" not in listing
    assert str(response.context["csrf_token"]) not in listing
    assert 'form="card-action"' in listing  # the cards' buttons submit the page's own form, outside the cache


def _authorization_renumber(store):
    authorization = _authorization(store).get()
    StoreConnection.objects.filter(authorization=authorization).update(authorization_id=876543)
    return SellerAuthorization.objects.filter(pk=authorization.pk).update(id=876543)


def _renumber(store):
    StoreConnection.objects.filter(store=store).update(store_id=987654)
    return _store(store).update(id=987654)


# Every attribute of a card -> (a change made without touching any updated_at, what the card then shows). The
# UPDATEs bypass save(), signals and auto_now, so only the value itself can tell the cache that it changed.
CHANGES = {
    "pk": (_renumber, 'data-store-id="987654"'),
    "name": (lambda store: _store(store).update(name="Renamed Store"), "Renamed Store"),
    "is_active": (lambda store: _store(store).update(is_active=False), "badge--inactive"),
    "marketplace": (lambda store: _store(store).update(marketplace="CA"), "img/flags/ca.svg"),
    "created_at": (lambda store: _store(store).update(created_at=datetime(2024, 1, 15, tzinfo=UTC)), "Jan 15, 2024"),
    "updated_at": (lambda store: _store(store).update(updated_at=datetime(2024, 2, 20, tzinfo=UTC)), "Feb 20, 2024"),
    "website_name": (lambda store: _website(store).update(name="Renamed Website"), "Renamed Website"),
    "auth_pk": (_authorization_renumber, "#authorization-876543"),
    "auth_state": (lambda store: _authorization(store).update(state="revoked"), "badge--conn-revoked"),
    "auth_expires_at": (
        lambda store: _authorization(store).update(expires_at=datetime(2025, 7, 1, 12, tzinfo=UTC)),
        "Jul 1, 2025",
    ),
    "auth_selling_partner_id": (
        lambda store: _authorization(store).update(selling_partner_id="ANEWSELLER99"),
        "ANEWSELLER99",
    ),
    "auth_seller_store_name": (lambda store: _authorization(store).update(seller_store_name="Contoso"), "Contoso"),
    "auth_region": (lambda store: _authorization(store).update(region="EU"), "EU · United States, Canada"),
    "auth_granted_at": (
        lambda store: _authorization(store).update(granted_at=datetime(2024, 9, 9, 12, tzinfo=UTC)),
        "Sep 9, 2024",
    ),
    "auth_marketplace_ids": (
        lambda store: _authorization(store).update(marketplace_ids=["A1AM78C64UM0Y8"]),
        "NA · Mexico",
    ),
}


def test_the_changes_cover_every_attribute_of_a_card():
    assert set(CHANGES) == set(CARD_FIELDS) == {field.name for field in fields(StoreCard)}


@pytest.mark.parametrize("attribute", CHANGES)
def test_changing_any_fact_of_a_card_changes_the_page(manager_client, connected, attribute):
    change, shown = CHANGES[attribute]
    before = _html(manager_client)
    assert shown not in before

    assert change(connected) == 1
    after = _html(manager_client)

    assert shown in after


def test_disconnecting_a_store_changes_its_card(manager_client, connected):
    assert "ACACHESELLER1" in _html(manager_client)

    StoreConnection.objects.filter(store=connected).delete()
    html = _html(manager_client)

    assert "ACACHESELLER1" not in html
    assert "Connect store" in html


def test_the_days_left_change_at_midnight(manager_client, connected, frozen):
    frozen.move_to(datetime(2025, 3, 10, 23, tzinfo=UTC))
    assert "83 days left" in _html(manager_client)

    # Two hours later the expiry is as many whole days away, but it is one calendar day closer.
    frozen.move_to(datetime(2025, 3, 11, 1, tzinfo=UTC))

    assert "82 days left" in _html(manager_client)


@pytest.mark.parametrize(
    ("boundary", "before", "after"),
    [
        (
            EXPIRES - timedelta(days=settings.ASC_RENEWAL_WINDOW_DAYS),
            "badge--conn-connected",
            "badge--conn-renewal_due",
        ),
        (EXPIRES, "badge--conn-renewal_due", "badge--conn-expired"),
    ],
    ids=["renewal-due", "expired"],
)
def test_the_status_changes_at_the_very_moment_it_is_due(manager_client, connected, frozen, boundary, before, after):
    frozen.move_to(boundary - timedelta(microseconds=1))
    assert before in _html(manager_client)

    frozen.move_to(boundary)

    assert after in _html(manager_client)


def test_the_language_changes_the_page(manager_client, frozen):
    AmazonStoreFactory()  # not connected: no date on its card depends on today
    assert "Mar 10, 2025" in _html(manager_client)

    manager_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sv"  # as the language switch sets it
    with translation.override("sv"):  # the request activates Swedish; the default is back afterwards
        html = _html(manager_client)

    assert "10 mars 2025" in html


def test_the_time_zone_changes_the_page(manager_client, frozen):
    AmazonStoreFactory()
    assert "Mar 10, 2025" in _html(manager_client)

    with timezone.override("Pacific/Kiritimati"):  # UTC+14: noon on the 10th is the 11th there
        html = _html(manager_client)

    assert "Mar 11, 2025" in html


def test_the_page_number_changes_the_page(manager_client, frozen):
    AmazonStoreFactory.create_batch(30)

    first = _html(manager_client, {"page": "1"})
    second = _html(manager_client, {"page": "2"})

    assert "Page 1 of 2" in first
    assert "Page 2 of 2" in second


def test_the_typed_search_changes_the_page_when_the_stores_found_are_the_same(manager_client, frozen):
    AmazonStoreFactory.create_batch(30)  # all named "Amazon Store …"

    _html(manager_client, {"q": "store"})
    html = _html(manager_client, {"q": "STORE"})

    assert 'value="STORE"' in html
    assert "?q=STORE&amp;page=2" in html


def test_a_parameter_the_filters_ignore_still_changes_the_page_links(manager_client, frozen):
    AmazonStoreFactory.create_batch(30)

    _html(manager_client)
    html = _html(manager_client, {"from": "menu"})

    assert "?from=menu&amp;page=2" in html


def test_the_rejected_filter_value_changes_the_page(manager_client, frozen):
    AmazonStoreFactory()

    _html(manager_client, {"marketplace": "ZZ"})
    html = _html(manager_client, {"marketplace": "YY"})

    assert "YY is not one of the available choices" in html


def test_the_count_changes_the_page_when_the_cards_shown_do_not(manager_client, frozen):
    AmazonStoreFactory.create_batch(30)
    assert "30 stores" in _html(manager_client)

    older = AmazonStoreFactory()
    _store(older).update(created_at=NOW - timedelta(days=1))  # lands on the second page
    html = _html(manager_client)

    assert "31 stores" in html


def test_a_store_that_the_filters_leave_out_still_changes_the_page(manager_client):
    assert "You have no Amazon store yet" in _html(manager_client, {"q": "nothing"})

    AmazonStoreFactory(name="Something else")
    html = _html(manager_client, {"q": "nothing"})

    assert "No store matches these filters." in html


@pytest.mark.parametrize(
    "value", [gettext_lazy("Marketplace"), forms.Form(), object(), {"a": 1}], ids=["lazy", "form", "object", "dict"]
)
def test_a_fragment_refuses_a_value_whose_repr_may_not_say_what_it_shows(value):
    with pytest.raises(TypeError, match="plain values"):
        Fragment("stores/includes/home_listing.html", {"value": value})


def test_text_marked_safe_and_the_same_text_to_escape_make_different_keys():
    safe = Fragment("stores/includes/home_listing.html", {"query": mark_safe("<b>")})
    plain = Fragment("stores/includes/home_listing.html", {"query": "<b>"})

    assert safe.fragment_key != plain.fragment_key


def test_a_card_takes_each_attribute_from_the_column_of_its_lookup(connected):
    (row,) = card_values(AmazonStore.objects.filter(pk=connected.pk))
    card = StoreCard.from_row(row)

    for attribute, lookup in CARD_FIELDS.items():
        expected = AmazonStore.objects.filter(pk=connected.pk).values_list(lookup, flat=True).get()
        assert getattr(card, attribute) == expected, attribute
