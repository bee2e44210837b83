"""The sandbox's demo sellers, listed on its sign-in page."""

import functools

from django.contrib.auth.hashers import make_password
from django.db import transaction

from .models import SandboxSeller

# Published on the sign-in page: these accounts exist only in the sandbox.
DEMO_PASSWORD = "sandbox"  # noqa: S105

SELLERS = [
    {
        "selling_partner_id": "A2NASELLER0001",
        "email": "na-seller@example.com",
        "phone": "+12065550100",
        "store_name": "Northwind Outfitters",
        "region": "NA",
        "marketplaces": ["US", "CA", "MX"],
    },
    {
        "selling_partner_id": "A2EUSELLER0002",
        "email": "eu-seller@example.com",
        "phone": "+442079460958",
        "store_name": "Albion Home & Garden",
        "region": "EU",
        "marketplaces": ["GB"],
    },
    {
        "selling_partner_id": "A2USONLYSELL03",
        "email": "us-only-seller@example.com",
        "phone": "+12065550103",
        "store_name": "Prairie Pantry Co.",
        "region": "NA",
        "marketplaces": ["US"],
    },
]


@transaction.atomic
def sandbox_sellers_ensure() -> list[SandboxSeller]:
    """Create the demo sellers that are missing and reset the others to their published details."""
    sellers = []
    for details in SELLERS:
        seller, _ = SandboxSeller.objects.update_or_create(
            selling_partner_id=details["selling_partner_id"],
            defaults={**details, "password": _password_hash(details["selling_partner_id"])},
        )
        sellers.append(seller)
    return sellers


@functools.cache
def _password_hash(selling_partner_id: str) -> str:
    # One salted hash per seller and process: hashing is slow on purpose, and tests recreate the sellers often.
    return make_password(DEMO_PASSWORD)
