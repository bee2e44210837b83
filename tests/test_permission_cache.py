"""Permissions are kept per process between changes, and any change through the ORM is seen at once."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from asc_project.models import PermissionsVersion
from asc_project.permissions import PermissionCacheModelBackend
from sellerauth.roles import roles_ensure

# Permissions are kept only when read outside a transaction, as a request reads them.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("permissions_version")]
User = get_user_model()
HOME = "/"


def _fresh(user):
    """The user as the next request reads it (the sign-in backend's get_user): a new instance, with its version."""
    return PermissionCacheModelBackend().get_user(user.pk)


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

    User.objects.filter(pk=manager.pk).update(is_active=False)  # no signal: the user row decides

    assert PermissionCacheModelBackend().get_user(manager.pk) is None  # signed out on the next request
    assert not User.objects.get(pk=manager.pk).has_perm("stores.add_amazonstore")


def test_a_change_rolled_back_leaves_the_version_and_the_permissions(manager):
    before = PermissionsVersion.objects.get().version
    request_user = _fresh(manager)  # read at the start of a request, before its change
    with pytest.raises(RuntimeError), transaction.atomic():
        manager.groups.clear()
        # Inside the change's transaction the permissions read are its own, uncommitted: never kept.
        assert not request_user.has_perm("stores.add_amazonstore")
        raise RuntimeError("the change fails")

    assert PermissionsVersion.objects.get().version == before
    assert _fresh(manager).has_perm("stores.add_amazonstore")


def test_a_user_read_elsewhere_is_asked_of_the_database(manager):
    plain = User.objects.get(pk=manager.pk)  # no version with it: nothing kept is trusted

    granted, queries = _permission_queries(plain, "stores.add_amazonstore")

    assert (granted, queries) == (True, 2)


def test_a_refused_page_after_the_group_is_left(client, manager):
    client.force_login(manager)
    assert client.get(HOME).status_code == 200

    manager.groups.clear()

    assert client.get(HOME).status_code == 403
