"""The permissions version (asc_project.permissions): a table of one row."""

import secrets

from django.db import migrations, models


def create_row(apps, schema_editor):
    apps.get_model("asc_project", "PermissionsVersion").objects.create(pk=1, version=secrets.randbits(62))


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="PermissionsVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("version", models.BigIntegerField(default=0)),
            ],
            options={"verbose_name": "permissions version"},
        ),
        migrations.RunPython(create_row, migrations.RunPython.noop),
    ]
