"""The three groups that carry the application's permissions. The data migration creates them too."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

ROLE_PERMISSIONS = {
    "Amazon channel viewers": [
        "stores.view_amazonstore",
    ],
    "Amazon channel managers": [
        "stores.view_amazonstore",
        "stores.add_amazonstore",
        "stores.change_amazonstore",
        "stores.delete_amazonstore",
        "stores.connect_amazonstore",
    ],
    "Amazon authorization staff": [
        "stores.view_amazonstore",
        "sellerauth.view_sellerauthorization",
        "sellerauth.renew_sellerauthorization",
        "sellerauth.revoke_sellerauthorization",
    ],
}


@transaction.atomic
def roles_ensure() -> dict[str, Group]:
    """Create the groups that are missing and give each exactly its permissions."""
    groups = {}
    for name, permissions in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        pairs = [permission.split(".") for permission in permissions]
        group.permissions.set(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
            for app_label, codename in pairs
        )
        groups[name] = group
    return groups
