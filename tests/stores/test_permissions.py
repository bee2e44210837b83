"""Every URL × every role: who may see and do what. The server checks, whatever the page shows."""

import pytest
from django.test import Client
from django.urls import reverse

from stores.models import AmazonStore, StoreEvent
from tests.factories import AmazonStoreFactory, CatalogAttributeFactory, WebsiteFactory

# Connect store answers with a redirect to Seller Central, which must be https unless DEBUG is on.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("amazon_endpoints")]

ROLES = ["anonymous", "viewer", "manager", "auth_staff", "superuser"]
MAY_VIEW = {"viewer", "manager", "auth_staff", "superuser"}
MAY_MANAGE = {"manager", "superuser"}


def _post_data(store, website, attribute):
    return {
        "stores:add": {
            "website": website.pk,
            "contact_email": "new@example.com",
            "name": "Brand new store",
            "marketplace": "CA",
            "product_id_type": "EAN",
            "product_id_attribute": attribute.pk,
        },
        "stores:edit": {"name": "Renamed", "contact_email": "x@example.com"},
        "stores:activate": {},
        "stores:deactivate": {},
        "stores:delete": {"confirm_name": store.name},
    }


# (url name, method, takes the store id, roles allowed, status when allowed)
MATRIX = [
    ("stores:home", "get", False, MAY_VIEW, 200),
    ("stores:pre_installation", "get", False, MAY_VIEW, 200),
    ("stores:add", "get", False, MAY_MANAGE, 200),
    ("stores:detail", "get", True, MAY_VIEW, 200),
    ("stores:add", "post", False, MAY_MANAGE, 302),
    ("stores:edit", "post", True, MAY_MANAGE, 302),
    ("stores:activate", "post", True, MAY_MANAGE, 302),
    ("stores:deactivate", "post", True, MAY_MANAGE, 302),
    ("stores:delete", "post", True, MAY_MANAGE, 302),
    ("sellerauth:connect_confirm", "get", True, MAY_MANAGE, 200),
    ("sellerauth:connect", "post", True, MAY_MANAGE, 303),
    # Allowed, but the store has no connection to verify.
    ("sellerauth:verify", "post", True, MAY_MANAGE, 404),
]


@pytest.fixture
def as_role(request, client):
    def login(role):
        if role != "anonymous":
            client.force_login(request.getfixturevalue(role))
        return client

    return login


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method", "with_id", "allowed", "ok_status"), MATRIX)
def test_permission_matrix(as_role, role, name, method, with_id, allowed, ok_status):
    store = AmazonStoreFactory(name="Matrix store")
    data = _post_data(store, WebsiteFactory(), CatalogAttributeFactory())
    url = reverse(name, args=[store.pk] if with_id else [])
    client = as_role(role)
    before = (AmazonStore.objects.count(), store.events.exclude(kind=StoreEvent.Kind.DENIED).count())

    response = getattr(client, method)(url, data.get(name, {}) if method == "post" else {})

    if role == "anonymous":
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    elif role in allowed:
        assert response.status_code == ok_status
    else:
        assert response.status_code == 403
        assert "You are not allowed to do this" in response.content.decode()
    if method == "post" and role not in allowed:
        assert (AmazonStore.objects.count(), store.events.exclude(kind=StoreEvent.Kind.DENIED).count()) == before
        if with_id and role != "anonymous":
            denied = store.events.get(kind=StoreEvent.Kind.DENIED)
            assert denied.actor.username == role.replace("auth_staff", "authstaff")
            assert denied.details["permission"].startswith("stores.")


@pytest.mark.parametrize("role", ROLES)
def test_the_django_admin_is_for_superusers(as_role, role):
    response = as_role(role).get(reverse("admin:stores_amazonstore_changelist"))

    if role == "superuser":
        assert response.status_code == 200
    else:
        assert response.status_code == 302


@pytest.mark.parametrize("name", ["stores:edit", "stores:activate", "stores:deactivate", "stores:delete"])
def test_state_changes_need_the_csrf_token(manager, name):
    store = AmazonStoreFactory(name="Guarded")
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)

    response = client.post(
        reverse(name, args=[store.pk]), {"confirm_name": "Guarded", "name": "X", "contact_email": "a@b.se"}
    )

    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()
    store.refresh_from_db()
    assert (store.name, store.is_active) == ("Guarded", True)


def test_adding_needs_the_csrf_token(manager):
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)

    response = client.post(reverse("stores:add"), {"name": "x"})

    assert response.status_code == 403
    assert not AmazonStore.objects.exists()


def test_sign_out_is_a_post(client, viewer):
    client.force_login(viewer)

    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("stores:home")).status_code == 302
