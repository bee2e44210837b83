import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils.html import escape

from stores.models import AmazonStore, StoreEvent
from tests.factories import AmazonStoreFactory, CatalogAttributeFactory, WebsiteFactory

ADD_URL = reverse("stores:add")


@pytest.fixture
def website(db):
    return WebsiteFactory(code="base", name="Main Website")


@pytest.fixture
def attribute(db):
    return CatalogAttributeFactory(code="ean", label="EAN")


@pytest.fixture
def valid(website, attribute):
    return {
        "website": str(website.pk),
        "contact_email": "owner@example.com",
        "name": "Amazon Store USA",
        "marketplace": "US",
        "product_id_type": "EAN",
        "product_id_attribute": str(attribute.pk),
    }


def _errors(response):
    return response.context["form"].errors


def test_add_form_shows_the_labels_merchants_know(manager_client, website):
    response = manager_client.get(ADD_URL)

    html = response.content.decode()
    for label in [
        "Magento Website to use for Amazon Listing",
        "Email Address",
        "New Store Name",
        "Amazon Marketplace Country",
        "Map your Magento attributes to Amazon",
        "Product ID on the Amazon market",
        "Map a Magento attribute",
    ]:
        assert label in html
    assert ">Connect</button>" in html
    choices = [code for code, _ in response.context["form"].fields["marketplace"].choices]
    assert choices == ["", "US", "CA", "MX", "GB"]


def test_adding_a_store_saves_it_and_says_what_is_next(manager_client, manager, valid):
    response = manager_client.post(ADD_URL, valid)

    assert response.status_code == 302
    assert response.url == reverse("stores:home")
    store = AmazonStore.objects.get()
    assert (store.name, store.marketplace, store.product_id_type) == ("Amazon Store USA", "US", "EAN")
    assert store.created_by == manager
    assert store.is_active
    assert list(store.events.values_list("kind", "actor")) == [(StoreEvent.Kind.CREATED, manager.pk)]
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert "Amazon Store USA" in message
    assert "connect it to Amazon Seller Central" in message


def test_the_mapping_may_be_left_empty(manager_client, valid):
    response = manager_client.post(ADD_URL, valid | {"product_id_type": "", "product_id_attribute": ""})

    assert response.status_code == 302
    store = AmazonStore.objects.get()
    assert store.product_id_type == ""
    assert store.product_id_attribute is None


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"name": "   "}, "name", "This field is required."),
        ({"contact_email": ""}, "contact_email", "This field is required."),
        ({"website": ""}, "website", "This field is required."),
        ({"marketplace": ""}, "marketplace", "This field is required."),
        ({"name": "x" * 10_000}, "name", "at most 255 characters (it has 10000)"),
        ({"contact_email": "not-an-email"}, "contact_email", "Enter a valid email address."),
        ({"contact_email": "a@b"}, "contact_email", "Enter a valid email address."),
        ({"marketplace": "DE"}, "marketplace", "Select a valid choice. DE is not one of the available choices."),
        ({"marketplace": "XX"}, "marketplace", "Select a valid choice."),
        ({"website": "999999"}, "website", "Select a valid choice."),
        ({"website": "abc"}, "website", "Select a valid choice."),
        ({"product_id_attribute": "999999"}, "product_id_attribute", "Select a valid choice."),
        ({"product_id_type": "SKU"}, "product_id_type", "Select a valid choice."),
        ({"product_id_attribute": ""}, "product_id_attribute", "Choose the catalog attribute that holds the EAN."),
        ({"product_id_type": ""}, "product_id_type", "Choose which Amazon product ID the attribute holds."),
    ],
)
def test_bad_input_is_explained_next_to_the_field_and_nothing_is_saved(manager_client, valid, change, field, message):
    response = manager_client.post(ADD_URL, valid | change)

    assert response.status_code == 400
    assert any(message in error for error in _errors(response)[field])
    assert f'id="id_{field}_error"' in response.content.decode()
    assert AmazonStore.objects.count() == 0
    assert StoreEvent.objects.count() == 0


def test_typed_values_are_kept_when_the_form_is_refused(manager_client, valid):
    response = manager_client.post(ADD_URL, valid | {"contact_email": "typo@@example.com", "name": "Kept Name"})

    html = response.content.decode()
    assert 'value="typo@@example.com"' in html
    assert 'value="Kept Name"' in html
    assert f'<option value="{valid["website"]}" selected>' in html


@pytest.mark.parametrize(
    "other_name",
    ["amazon store usa", "AMAZON STORE USA", "  Amazon Store USA  ", "Amazon\u00a0Store USA", "ＡＭＡＺＯＮ Store USA"],
)
def test_a_name_differing_only_in_case_or_spaces_is_refused(manager_client, valid, other_name):
    AmazonStoreFactory(name="Amazon Store USA")

    response = manager_client.post(ADD_URL, valid | {"name": other_name})

    assert response.status_code == 400
    assert "A store named “Amazon Store USA” already exists" in _errors(response)["name"][0]
    assert AmazonStore.objects.count() == 1


def test_names_differing_only_in_case_of_non_latin_letters_are_refused(manager_client, valid):
    AmazonStoreFactory(name="Åsa Öl Butik")

    response = manager_client.post(ADD_URL, valid | {"name": "åsa öl butik"})

    assert response.status_code == 400
    assert AmazonStore.objects.count() == 1


@pytest.mark.parametrize("name", ["Butik Åsa & Söner – Malmö", "アマゾンストア日本", "Магазин Amazon", "متجر أمازون"])
def test_names_in_any_script_are_accepted_and_shown(manager_client, valid, name):
    response = manager_client.post(ADD_URL, valid | {"name": name}, follow=True)

    assert AmazonStore.objects.get().name == name
    assert escape(name) in response.content.decode()


def test_html_in_a_name_is_shown_escaped_everywhere(manager_client, valid):
    name = '<script>alert("x")</script><b>Bold</b>'

    home = manager_client.post(ADD_URL, valid | {"name": name}, follow=True).content.decode()
    store = AmazonStore.objects.get()
    detail = manager_client.get(store.get_absolute_url()).content.decode()

    for html in (home, detail):
        assert "<script>alert" not in html
        assert "<b>Bold</b>" not in html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;Bold&lt;/b&gt;" in html


def test_a_marketplace_enabled_by_setting_can_be_chosen(manager_client, valid, settings):
    settings.ASC_MARKETPLACES = ["US", "DE", "JP"]

    response = manager_client.post(ADD_URL, valid | {"marketplace": "DE"})

    assert response.status_code == 302
    assert AmazonStore.objects.get().marketplace == "DE"


def test_only_managers_see_the_add_button(client, viewer, manager):
    client.force_login(viewer)
    assert "Add Amazon Store" not in client.get(reverse("stores:home")).content.decode()

    client.force_login(manager)
    assert "Add Amazon Store" in client.get(reverse("stores:home")).content.decode()
