"""Create the three groups that carry the application's permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUPS = {
    "Amazon channel viewers": [
        ("stores", "view_amazonstore"),
    ],
    "Amazon channel managers": [
        ("stores", "view_amazonstore"),
        ("stores", "add_amazonstore"),
        ("stores", "change_amazonstore"),
        ("stores", "delete_amazonstore"),
        ("stores", "connect_amazonstore"),
    ],
    "Amazon authorization staff": [
        ("stores", "view_amazonstore"),
        ("sellerauth", "view_sellerauthorization"),
        ("sellerauth", "renew_sellerauthorization"),
        ("sellerauth", "revoke_sellerauthorization"),
    ],
}


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations ran; this migration needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codename in codenames:
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def delete_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("stores", "0001_initial"),
        ("sellerauth", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_groups, delete_groups)]
