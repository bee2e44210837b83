"""Store names: invisible characters are refused, and names that look alike are one name."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from stores import selectors, services
from stores.models import AmazonStore, StoreEvent
from stores.names import name_key
from tests.factories import AmazonStoreFactory, WebsiteFactory

ADD_URL = reverse("stores:add")

LOOK_ALIKES = {
    "Cyrillic capital S (U+0405)": "\u0405tore US",
    "Greek small omicron (U+03BF)": "St\u03bfre US",
    "Cyrillic small o (U+043E)": "St\u043ere US",
    "Cyrillic capital T (U+0422) in capitals": "S\u0422ORE US",
    "Greek capital Nu and Cyrillic capitals": "\u0405\u0422\u039fRE U\u0405",
    "full-width letters": "Ｓｔｏｒｅ ＵＳ",
    "full-width capitals": "ＳＴＯＲＥ ＵＳ",
    "mathematical bold letters": "𝐒𝐭𝐨𝐫𝐞 𝐔𝐒",
    "mixed case": "sToRe uS",
    "extra spaces": "  Store    US ",
    "a no-break space": "Store\u00a0US",
    "an ideographic space": "Store\u3000US",
}

INVISIBLE = {
    "zero width space": ("Store\u200b US", "U+200B ZERO WIDTH SPACE"),
    "right-to-left override": ("Store US\u202e", "U+202E RIGHT-TO-LEFT OVERRIDE"),
    "byte order mark": ("\ufeffStore US", "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
    "left-to-right mark": ("Store\u200e US", "U+200E LEFT-TO-RIGHT MARK"),
    "left-to-right isolate": ("\u2066Store US\u2069", "U+2066 LEFT-TO-RIGHT ISOLATE, U+2069 POP DIRECTIONAL ISOLATE"),
    "soft hyphen": ("Sto\u00adre US", "U+00AD SOFT HYPHEN"),
    "word joiner": ("Store\u2060US", "U+2060 WORD JOINER"),
    "combining grapheme joiner": ("Store\u034f US", "U+034F COMBINING GRAPHEME JOINER"),
    "Hangul filler": ("Store \u3164US", "U+3164 HANGUL FILLER"),
    "variation selector": ("Store\ufe0f US", "U+FE0F VARIATION SELECTOR-16"),
    "tag character": ("Store US\U000e0041", "U+E0041 TAG LATIN CAPITAL LETTER A"),
    "bell (control)": ("Store\x07 US", "U+0007"),
    "tab (control)": ("Store\tUS", "U+0009"),
    "line separator": ("Store\u2028US", "U+2028 LINE SEPARATOR"),
    "private use": ("Store \ue000US", "U+E000"),
}

DISTINCT = [
    ("Fiat Store", "Flat Store"),
    ("Café Store", "Cafe Store"),
    ("Butik Sverige åäö", "Butik Sverige aao"),
    ("Store US", "Store UK"),
    ("Магазин США", "Магазин Канада"),
]


@pytest.fixture
def existing(db):
    return AmazonStoreFactory(name="Store US")


@pytest.fixture
def add_data(db):
    return {"website": str(WebsiteFactory().pk), "contact_email": "owner@example.com", "marketplace": "US"}


def _name_error(response, form="form"):
    return " ".join(response.context[form].errors["name"])


@pytest.mark.parametrize("name", LOOK_ALIKES.values(), ids=LOOK_ALIKES.keys())
def test_a_look_alike_name_has_the_same_key(name):
    assert name_key(name) == name_key("Store US") == "store us"


@pytest.mark.parametrize(("first", "second"), DISTINCT)
def test_names_that_look_different_keep_different_keys(first, second):
    assert name_key(first) != name_key(second)


@pytest.mark.parametrize("name", LOOK_ALIKES.values(), ids=LOOK_ALIKES.keys())
def test_the_add_form_refuses_a_look_alike_of_an_existing_name(manager_client, existing, add_data, name):
    response = manager_client.post(ADD_URL, add_data | {"name": name})

    assert response.status_code == 400
    assert "A store named “Store US” already exists" in _name_error(response)
    assert "look-alike letters" in _name_error(response)
    assert AmazonStore.objects.count() == 1


@pytest.mark.parametrize(("name", "described"), INVISIBLE.values(), ids=INVISIBLE.keys())
def test_the_add_form_refuses_invisible_and_control_characters_and_names_them(
    manager_client, add_data, name, described
):
    response = manager_client.post(ADD_URL, add_data | {"name": name})

    assert response.status_code == 400
    error = _name_error(response)
    assert "invisible or controls the text direction" in error
    assert f"({described})" in error
    assert not AmazonStore.objects.exists()


def test_the_invisible_character_is_refused_even_beside_a_store_of_the_visible_name(manager_client, existing, add_data):
    response = manager_client.post(ADD_URL, add_data | {"name": "Store\u200b US"})

    assert response.status_code == 400
    assert "U+200B ZERO WIDTH SPACE" in _name_error(response)
    assert list(AmazonStore.objects.values_list("name", flat=True)) == ["Store US"]


@pytest.mark.parametrize(
    "name", ["Магазин США", "Butik Sverige åäö", "東京ストア", "متجر أمازون", "Ελληνικό κατάστημα"]
)
def test_a_legitimate_name_in_another_script_is_accepted(manager_client, existing, add_data, name):
    response = manager_client.post(ADD_URL, add_data | {"name": name})

    assert response.status_code == 302
    assert AmazonStore.objects.filter(name=name).exists()


def test_a_name_too_long_once_spelled_out_is_refused_without_an_error_page(manager_client, add_data):
    # U+FDFA is one character that NFKC spells out as 18: 255 of them do not fit the 1024 of the key.
    response = manager_client.post(ADD_URL, add_data | {"name": "\ufdfa" * 255})

    assert response.status_code == 400
    assert "too long" in _name_error(response)
    assert not AmazonStore.objects.exists()


def test_the_edit_form_refuses_a_look_alike_and_an_invisible_character(manager_client, existing):
    store = AmazonStoreFactory(name="Store CA")
    url = reverse("stores:edit", args=[store.pk])

    look_alike = manager_client.post(url, {"name": "Ѕtore US", "contact_email": "a@example.com"})
    invisible = manager_client.post(url, {"name": "Store\u202e CA", "contact_email": "a@example.com"})

    assert look_alike.status_code == invisible.status_code == 400
    assert "already exists" in _name_error(look_alike, "edit_form")
    assert "U+202E" in _name_error(invisible, "edit_form")
    store.refresh_from_db()
    assert store.name == "Store CA"


def test_the_service_refuses_what_the_form_refuses(existing):
    website = WebsiteFactory()

    for name in ("Store\u200b CA", "Ѕtore US"):
        with pytest.raises(ValidationError) as error:
            services.store_create(website=website, contact_email="a@example.com", name=name, marketplace="CA")
        assert "name" in error.value.message_dict, name
    with pytest.raises(ValidationError) as error:
        services.store_update(store=AmazonStoreFactory(name="Store CA"), name="STORE U\u0405", contact_email="a@b.se")

    assert "name" in error.value.message_dict
    assert sorted(AmazonStore.objects.values_list("name", flat=True)) == ["Store CA", "Store US"]
    assert not StoreEvent.objects.filter(kind=StoreEvent.Kind.EDITED).exists()


def test_the_admin_refuses_a_look_alike_and_an_invisible_character(client, superuser, existing):
    client.force_login(superuser)
    data = {"website": WebsiteFactory().pk, "contact_email": "a@example.com", "marketplace": "US", "is_active": "on"}

    look_alike = client.post(reverse("admin:stores_amazonstore_add"), data | {"name": "Stοre US"})
    invisible = client.post(reverse("admin:stores_amazonstore_add"), data | {"name": "Store\ufeff CA"})

    assert look_alike.status_code == invisible.status_code == 200
    assert "already exists" in look_alike.content.decode()
    assert "U+FEFF" in invisible.content.decode()
    assert AmazonStore.objects.count() == 1


def test_search_finds_a_name_however_it_is_typed(existing):
    assert list(selectors.store_list(q="ѕtore")) == [existing]


# The data migration 0004, run on rows that hold 0001's keys.
migration = importlib.import_module("stores.migrations.0004_name_key_skeleton")


def _with_old_key(name):
    store = AmazonStoreFactory(name=f"placeholder {name}")
    old_key = migration.unicodedata.normalize("NFKC", name).casefold()
    AmazonStore.objects.filter(pk=store.pk).update(name=name, name_key=old_key)
    return store.pk


def test_the_migration_rewrites_keys_and_keeps_look_alikes_apart_by_their_id(db):
    first, look_alike, other = _with_old_key("Store US"), _with_old_key("Ѕtore US"), _with_old_key("Store\u200b UK")

    migration.keys_to_skeleton(apps, schema_editor=None)

    keys = dict(AmazonStore.objects.values_list("pk", "name_key"))
    assert keys == {first: "store us", look_alike: f"store us\x1f{look_alike}", other: "store uk"}


def test_a_look_alike_kept_by_the_migration_must_be_renamed_at_its_next_edit(manager_client, db):
    _with_old_key("Store US")
    look_alike = _with_old_key("Ѕtore US")
    migration.keys_to_skeleton(apps, schema_editor=None)
    url = reverse("stores:edit", args=[look_alike])

    refused = manager_client.post(url, {"name": "Ѕtore US", "contact_email": "a@example.com"})
    renamed = manager_client.post(url, {"name": "Store US 2", "contact_email": "a@example.com"})

    assert refused.status_code == 400
    assert "A store named “Store US” already exists" in _name_error(refused, "edit_form")
    assert renamed.status_code == 302
    assert AmazonStore.objects.get(pk=look_alike).name_key == "store us 2"


def test_the_migration_can_be_reversed(db):
    first, look_alike = _with_old_key("Store US"), _with_old_key("Ѕtore US")
    migration.keys_to_skeleton(apps, schema_editor=None)

    migration.keys_to_case_folded(apps, schema_editor=None)

    assert dict(AmazonStore.objects.values_list("pk", "name_key")) == {first: "store us", look_alike: "ѕtore us"}
