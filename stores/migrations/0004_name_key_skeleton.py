import unicodedata

from django.db import migrations, models

import stores.names

# Separates a key from the primary key appended when two existing names look alike under the new key: the
# names themselves stay as they are, and their owners are asked for a new name at the next edit.
SEPARATOR = "\x1f"


def _unique(key, pk, taken):
    """Return the key, or the key with the row's pk appended when an earlier row holds it; within the length."""
    limit = stores.names.KEY_MAX_LENGTH
    candidate, tail = key[:limit], f"{SEPARATOR}{pk}"
    while candidate in taken:
        candidate = key[: limit - len(tail)] + tail
        tail += SEPARATOR
    taken.add(candidate)
    return candidate


def _keys_rewrite(apps, key_of):
    AmazonStore = apps.get_model("stores", "AmazonStore")
    rows = list(AmazonStore.objects.order_by("pk").values_list("pk", "name"))
    # Every key is moved out of the way first: a row's new key may be another row's old one, and keys are unique.
    for pk, _name in rows:
        AmazonStore.objects.filter(pk=pk).update(name_key=f"{SEPARATOR}{SEPARATOR}{pk}")
    taken = set()
    for pk, name in rows:  # oldest first: of two look-alikes, the later one gets the suffix
        AmazonStore.objects.filter(pk=pk).update(name_key=_unique(key_of(name), pk, taken))


def keys_to_skeleton(apps, schema_editor):
    _keys_rewrite(apps, stores.names.name_key)


def keys_to_case_folded(apps, schema_editor):
    # The key of 0001: trimmed, NFKC-normalised, case-folded.
    _keys_rewrite(apps, lambda name: unicodedata.normalize("NFKC", name.strip()).casefold())


class Migration(migrations.Migration):

    dependencies = [
        ('stores', '0003_lifecycle'),
    ]

    operations = [
        migrations.AlterField(
            model_name='amazonstore',
            name='name',
            field=models.CharField(help_text='Only used in this application, to tell stores apart; e.g. Amazon Store USA.', max_length=255, validators=[stores.names.validate_visible_name], verbose_name='store name'),
        ),
        migrations.AlterField(
            model_name='amazonstore',
            name='name_key',
            field=models.CharField(editable=False, help_text='The name as it looks: its Unicode skeleton, case-folded, spaces collapsed, so that look-alike names collide (stores/names.py).', max_length=1024, unique=True, verbose_name='name key'),
        ),
        migrations.RunPython(keys_to_skeleton, keys_to_case_folded),
    ]
