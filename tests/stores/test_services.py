import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from stores import services
from stores.models import AmazonStore, StoreEvent
from tests.factories import AmazonStoreFactory, CatalogAttributeFactory, WebsiteFactory


def test_store_create_writes_the_store_and_its_first_event(db):
    store = services.store_create(
        website=WebsiteFactory(), contact_email="a@example.com", name="  Padded  ", marketplace="MX"
    )

    assert store.name == "Padded"
    assert store.name_key == "padded"
    assert list(store.events.values_list("kind", flat=True)) == ["created"]


def test_store_create_refuses_an_unknown_marketplace_and_writes_nothing(db):
    with pytest.raises(ValidationError):
        services.store_create(website=WebsiteFactory(), contact_email="a@example.com", name="X", marketplace="ZZ")

    assert not AmazonStore.objects.exists()
    assert not StoreEvent.objects.exists()


@pytest.mark.parametrize(
    "fields",
    [
        {"marketplace": "ZZ"},
        {"product_id_type": "EAN"},
        {"product_id_type": "SKU"},
    ],
)
def test_the_database_itself_refuses_inconsistent_rows(db, fields):
    store = AmazonStoreFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        AmazonStore.objects.filter(pk=store.pk).update(**fields)


def test_the_database_refuses_an_attribute_without_an_id_type(db):
    store = AmazonStoreFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        AmazonStore.objects.filter(pk=store.pk).update(product_id_attribute=CatalogAttributeFactory())


def test_the_database_refuses_two_names_with_the_same_key(db):
    AmazonStoreFactory(name="Amazon Store USA")
    with pytest.raises(IntegrityError), transaction.atomic():
        AmazonStoreFactory(name="AMAZON STORE USA ")


def test_a_name_collision_that_slips_past_the_form_becomes_a_field_error(db):
    AmazonStoreFactory(name="Taken")

    with pytest.raises(ValidationError) as error:
        services.store_create(website=WebsiteFactory(), contact_email="a@example.com", name="taken", marketplace="US")

    assert "name" in error.value.message_dict
    assert AmazonStore.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_adds_of_one_name_give_one_store_and_one_clear_error():
    website = WebsiteFactory()
    barrier = threading.Barrier(2)
    outcomes = []

    def add(name):
        try:
            barrier.wait()
            services.store_create(website=website, contact_email="a@example.com", name=name, marketplace="US")
            outcomes.append("created")
        except ValidationError as error:
            outcomes.append(error.message_dict["name"][0])
        finally:
            connection.close()

    threads = [threading.Thread(target=add, args=(name,)) for name in ("Race Store", "RACE STORE")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["A store with this name was just added. Choose another name.", "created"]
    assert AmazonStore.objects.count() == 1
    assert StoreEvent.objects.count() == 1
