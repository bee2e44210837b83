"""Permissions come from the shared cache between changes, and any change through the ORM is seen at once."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sellerauth.roles import roles_ensure

pytestmark = pytest.mark.django_db
User = get_user_model()
HOME = "/"


def _fresh(user):
    """The user as the next request reads it: a new instance, with no permissions kept on it."""
    return User.objects.get(pk=user.pk)


def _permission_queries(user, perm: str) -> tuple[bool, int]:
    with CaptureQueriesContext(connection) as queries:
        granted = user.has_perm(perm)
    return granted, sum("auth_permission" in query["sql"] for query in queries)


def test_the_second_request_reads_no_permission_rows(viewer):
    granted, first = _permission_queries(_fresh(viewer), "stores.view_amazonstore")
    again, second = _permission_queries(_fresh(viewer), "stores.view_amazonstore")

    assert (granted, again) == (True, True)
    assert (first, second) == (2, 0)


def test_joining_a_group_grants_its_permissions_on_the_next_request(viewer):
    assert not _fresh(viewer).has_perm("stores.add_amazonstore")  # now cached

    viewer.groups.add(roles_ensure()["Amazon channel managers"])

    assert _fresh(viewer).has_perm("stores.add_amazonstore")


def test_leaving_a_group_takes_its_permissions_away_on_the_next_request(manager):
    assert _fresh(manager).has_perm("stores.add_amazonstore")

    manager.groups.clear()

    assert not _fresh(manager).has_perm("stores.add_amazonstore")
    assert not _fresh(manager).has_perm("stores.view_amazonstore")


def test_a_permission_taken_from_a_group_is_gone_for_its_members(manager):
    group = Group.objects.get(name="Amazon channel managers")
    add = Permission.objects.get(codename="add_amazonstore")
    assert _fresh(manager).has_perm("stores.add_amazonstore")

    group.permissions.remove(add)

    assert not _fresh(manager).has_perm("stores.add_amazonstore")
    assert _fresh(manager).has_perm("stores.view_amazonstore")


def test_a_permission_given_to_the_user_alone_is_seen_at_once(viewer):
    assert not _fresh(viewer).has_perm("stores.delete_amazonstore")

    viewer.user_permissions.add(Permission.objects.get(codename="delete_amazonstore"))

    assert _fresh(viewer).has_perm("stores.delete_amazonstore")


def test_a_deleted_group_leaves_no_permission_behind(manager):
    assert _fresh(manager).has_perm("stores.add_amazonstore")

    Group.objects.get(name="Amazon channel managers").delete()

    assert not _fresh(manager).has_perm("stores.add_amazonstore")


def test_a_new_user_on_a_deleted_users_key_does_not_inherit_its_permissions(manager):
    assert _fresh(manager).has_perm("stores.add_amazonstore")
    pk = manager.pk
    manager.delete()

    newcomer = User.objects.create_user("newcomer", pk=pk, password="correct-horse-battery")

    assert not _fresh(newcomer).has_perm("stores.add_amazonstore")


def test_a_deactivated_user_has_no_permission_even_while_cached(manager):
    assert _fresh(manager).has_perm("stores.add_amazonstore")

    User.objects.filter(pk=manager.pk).update(is_active=False)  # raw update: no signal, the user row decides

    assert not _fresh(manager).has_perm("stores.add_amazonstore")


def test_a_refused_page_after_the_group_is_left(client, manager):
    client.force_login(manager)
    assert client.get(HOME).status_code == 200

    manager.groups.clear()

    assert client.get(HOME).status_code == 403
