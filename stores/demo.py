"""Demo data for a development machine: websites, catalog attributes and one user per role."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from .models import CatalogAttribute, Website

WEBSITES = [
    ("base", "Main Website", "Default Store View"),
    ("outlet", "Outlet Website", "Outlet Store View"),
]

ATTRIBUTES = [
    ("sku", "SKU"),
    ("upc", "UPC"),
    ("ean", "EAN"),
    ("isbn", "ISBN"),
    ("gtin", "GTIN"),
    ("mpn", "Manufacturer Part Number"),
    ("asin", "ASIN"),
]

# username, group (None: superuser)
USERS = [
    ("admin", None),
    ("manager", "Amazon channel managers"),
    ("viewer", "Amazon channel viewers"),
    ("authstaff", "Amazon authorization staff"),
]


@transaction.atomic
def demo_data_seed(*, password: str) -> dict:
    """Create what is missing of the demo data; running it again changes nothing but the passwords."""
    created = {"websites": 0, "attributes": 0, "users": 0}
    for code, name, view in WEBSITES:
        _, new = Website.objects.get_or_create(code=code, defaults={"name": name, "default_store_view": view})
        created["websites"] += new
    for code, label in ATTRIBUTES:
        _, new = CatalogAttribute.objects.get_or_create(code=code, defaults={"label": label})
        created["attributes"] += new
    for username, group in USERS:
        created["users"] += _demo_user_ensure(username=username, group=group, password=password)
    return created


def _demo_user_ensure(*, username: str, group: str | None, password: str) -> bool:
    user, new = get_user_model().objects.get_or_create(username=username, defaults={"email": f"{username}@example.com"})
    user.is_superuser = user.is_staff = group is None
    user.set_password(password)
    user.save()
    if group:
        user.groups.add(Group.objects.get(name=group))
    return new
