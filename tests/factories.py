import factory
from django.contrib.auth import get_user_model

from stores.models import AmazonStore, CatalogAttribute, Website


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("correct-horse-battery")


class WebsiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Website
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"site{n}")
    name = factory.Sequence(lambda n: f"Website {n}")
    default_store_view = "Default Store View"


class CatalogAttributeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CatalogAttribute
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"attr{n}")
    label = factory.Sequence(lambda n: f"Attribute {n}")


class AmazonStoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AmazonStore

    name = factory.Sequence(lambda n: f"Amazon Store {n}")
    website = factory.SubFactory(WebsiteFactory)
    contact_email = "ops@example.com"
    marketplace = "US"
