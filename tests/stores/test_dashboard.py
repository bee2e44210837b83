import pytest
from django.urls import reverse

from stores.models import AmazonStore, StoreEvent
from tests.factories import AmazonStoreFactory, CatalogAttributeFactory, WebsiteFactory


@pytest.fixture
def store(db, manager):
    return AmazonStoreFactory(
        name="Amazon Store USA",
        marketplace="US",
        website=WebsiteFactory(name="Main Website", default_store_view="Default Store View"),
        product_id_type="UPC",
        product_id_attribute=CatalogAttributeFactory(code="upc", label="UPC"),
        created_by=manager,
    )


def _events(store):
    return list(StoreEvent.objects.filter(store_name__in=[store.name, "Renamed"]).values_list("kind", flat=True))


def test_the_dashboard_shows_the_store_details(viewer_client, store):
    html = viewer_client.get(store.get_absolute_url()).content.decode()

    for text in [
        "Amazon Store USA",
        "Main Website",
        "Default Store View",
        "United States",
        "ATVPDKIKX0DER",
        "North America",
        "UPC ← UPC (upc)",
        "ops@example.com",
        "fixed once the store is created",
        "Not connected",
    ]:
        assert text in html


def test_a_viewer_sees_no_buttons_they_may_not_use(viewer_client, store):
    html = viewer_client.get(store.get_absolute_url()).content.decode()

    assert reverse("stores:edit", args=[store.pk]) not in html
    assert reverse("stores:deactivate", args=[store.pk]) not in html
    assert reverse("stores:delete", args=[store.pk]) not in html


def test_editing_the_email_saves_it_and_logs_the_change(manager_client, manager, store):
    url = reverse("stores:edit", args=[store.pk])

    response = manager_client.post(url, {"name": store.name, "contact_email": "new@example.com"})

    assert response.status_code == 302
    store.refresh_from_db()
    assert store.contact_email == "new@example.com"
    event = store.events.get(kind=StoreEvent.Kind.EDITED)
    assert event.actor == manager
    assert event.details == {"changes": {"contact_email": {"from": "ops@example.com", "to": "new@example.com"}}}
    html = manager_client.get(store.get_absolute_url()).content.decode()
    assert "“ops@example.com” → “new@example.com”" in html


def test_saving_without_changes_logs_nothing(manager_client, store):
    manager_client.post(
        reverse("stores:edit", args=[store.pk]), {"name": store.name, "contact_email": "ops@example.com"}
    )

    assert not store.events.filter(kind=StoreEvent.Kind.EDITED).exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "", "contact_email": "a@example.com"}, "name"),
        ({"name": "x" * 10_000, "contact_email": "a@example.com"}, "name"),
        ({"name": "other store", "contact_email": "a@example.com"}, "name"),
        ({"name": "Amazon Store USA", "contact_email": "nope"}, "contact_email"),
    ],
)
def test_a_bad_edit_is_refused_next_to_the_field(manager_client, store, data, field):
    AmazonStoreFactory(name="Other Store")

    response = manager_client.post(reverse("stores:edit", args=[store.pk]), data)

    assert response.status_code == 400
    assert response.context["edit_form"].errors[field]
    store.refresh_from_db()
    assert (store.name, store.contact_email) == ("Amazon Store USA", "ops@example.com")
    assert not store.events.exists()


def test_the_store_may_keep_its_own_name_in_another_case(manager_client, store):
    manager_client.post(
        reverse("stores:edit", args=[store.pk]), {"name": "AMAZON store usa", "contact_email": "a@b.se"}
    )

    store.refresh_from_db()
    assert store.name == "AMAZON store usa"


def test_deactivate_then_activate(manager_client, manager, store):
    manager_client.post(reverse("stores:deactivate", args=[store.pk]))
    store.refresh_from_db()
    assert not store.is_active

    manager_client.post(reverse("stores:deactivate", args=[store.pk]))
    manager_client.post(reverse("stores:activate", args=[store.pk]))
    store.refresh_from_db()

    assert store.is_active
    assert list(store.events.order_by("id").values_list("kind", "actor")) == [
        ("deactivated", manager.pk),
        ("activated", manager.pk),
    ]


def test_deactivating_from_a_card_returns_to_the_same_list(manager_client, store):
    response = manager_client.post(reverse("stores:deactivate", args=[store.pk]), {"next": "/?page=1&status=active"})

    assert response.url == "/?page=1&status=active"


@pytest.mark.parametrize("target", ["https://evil.example.com/", "//evil.example.com", "javascript:alert(1)"])
def test_the_return_address_must_be_on_this_site(manager_client, store, target):
    response = manager_client.post(reverse("stores:activate", args=[store.pk]), {"next": target})

    assert response.url == store.get_absolute_url()


@pytest.mark.parametrize("typed", ["", "amazon store usa", "Amazon Store", "Amazon Store USA!"])
def test_delete_needs_the_exact_store_name(manager_client, store, typed):
    response = manager_client.post(reverse("stores:delete", args=[store.pk]), {"confirm_name": typed})

    assert response.status_code == 400
    assert response.context["delete_form"].errors["confirm_name"]
    assert AmazonStore.objects.filter(pk=store.pk).exists()


def test_delete_removes_the_store_and_keeps_its_log(manager_client, manager, store):
    response = manager_client.post(reverse("stores:delete", args=[store.pk]), {"confirm_name": "  Amazon Store USA "})

    assert response.status_code == 302
    assert not AmazonStore.objects.filter(pk=store.pk).exists()
    event = StoreEvent.objects.get(kind=StoreEvent.Kind.DELETED)
    assert (event.store, event.store_name, event.actor) == (None, "Amazon Store USA", manager)


@pytest.mark.parametrize(
    "name", ["stores:detail", "stores:edit", "stores:activate", "stores:deactivate", "stores:delete"]
)
def test_unknown_store_ids_give_404(manager_client, name):
    method = manager_client.get if name == "stores:detail" else manager_client.post

    response = method(reverse(name, args=[987654]))

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@pytest.mark.parametrize("name", ["stores:edit", "stores:activate", "stores:deactivate", "stores:delete"])
def test_a_get_on_a_state_changing_url_gives_405_and_changes_nothing(manager_client, store, name):
    response = manager_client.get(reverse(name, args=[store.pk]), {"confirm_name": store.name, "name": "X"})

    assert response.status_code == 405
    store.refresh_from_db()
    assert (store.name, store.is_active) == ("Amazon Store USA", True)
    assert not StoreEvent.objects.exists()
