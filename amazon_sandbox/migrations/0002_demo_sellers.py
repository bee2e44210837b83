"""Create the sandbox's demo sellers (password "sandbox"), frozen as they were first published."""

from django.contrib.auth.hashers import make_password
from django.db import migrations

SELLERS = [
    ("A2NASELLER0001", "na-seller@example.com", "+12065550100", "Northwind Outfitters", "NA", ["US", "CA", "MX"]),
    ("A2EUSELLER0002", "eu-seller@example.com", "+442079460958", "Albion Home & Garden", "EU", ["GB"]),
    ("A2USONLYSELL03", "us-only-seller@example.com", "+12065550103", "Prairie Pantry Co.", "NA", ["US"]),
]


def sellers_create(apps, schema_editor):
    seller_model = apps.get_model("amazon_sandbox", "SandboxSeller")
    for selling_partner_id, email, phone, store_name, region, marketplaces in SELLERS:
        seller_model.objects.get_or_create(
            selling_partner_id=selling_partner_id,
            defaults={
                "email": email,
                "phone": phone,
                "store_name": store_name,
                "region": region,
                "marketplaces": marketplaces,
                "password": make_password("sandbox"),
            },
        )


def sellers_delete(apps, schema_editor):
    seller_model = apps.get_model("amazon_sandbox", "SandboxSeller")
    seller_model.objects.filter(selling_partner_id__in=[seller[0] for seller in SELLERS]).delete()


class Migration(migrations.Migration):
    dependencies = [("amazon_sandbox", "0001_initial")]

    operations = [migrations.RunPython(sellers_create, sellers_delete)]
