from django.contrib.auth.models import Group

from sellerauth.roles import ROLE_PERMISSIONS, roles_ensure


def _granted(group):
    return sorted(f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all())


def test_the_migration_creates_the_three_groups_with_their_permissions(db):
    for name, permissions in ROLE_PERMISSIONS.items():
        assert _granted(Group.objects.get(name=name)) == sorted(permissions)


def test_roles_ensure_restores_a_damaged_group(db):
    Group.objects.get(name="Amazon channel viewers").permissions.clear()
    Group.objects.filter(name="Amazon channel managers").delete()

    roles_ensure()

    assert _granted(Group.objects.get(name="Amazon channel viewers")) == ["stores.view_amazonstore"]
    assert "stores.connect_amazonstore" in _granted(Group.objects.get(name="Amazon channel managers"))
