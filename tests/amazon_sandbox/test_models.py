"""The sandbox's demo sellers and admin."""

import pytest
from django.contrib.auth.hashers import check_password
from django.urls import reverse

from amazon_sandbox.app import registered_application
from amazon_sandbox.demo import sandbox_sellers_ensure
from amazon_sandbox.faults import faults_arm
from amazon_sandbox.models import (
    AccessToken,
    AppAuthorization,
    AuthorizationCode,
    FaultSwitch,
    RefreshToken,
    SandboxSeller,
    UsageBucket,
)
from amazon_sandbox.services import authorization_code_exchange, authorization_code_issue
from amazon_sandbox.usage import usage_take


def test_the_data_migration_creates_the_demo_sellers(db):
    sellers = {seller.email: seller for seller in SandboxSeller.objects.all()}

    assert set(sellers) == {"na-seller@example.com", "eu-seller@example.com", "us-only-seller@example.com"}
    assert sellers["na-seller@example.com"].marketplaces == ["US", "CA", "MX"]
    assert sellers["eu-seller@example.com"].region == "EU"
    for seller in sellers.values():
        assert seller.password != "sandbox"
        assert check_password("sandbox", seller.password)
        seller.full_clean()


def test_ensuring_the_sellers_is_idempotent(db):
    SandboxSeller.objects.all().delete()

    first = sandbox_sellers_ensure()
    second = sandbox_sellers_ensure()

    assert [seller.pk for seller in first] == [seller.pk for seller in second]
    assert SandboxSeller.objects.count() == 3


@pytest.mark.parametrize(
    "model", [SandboxSeller, AppAuthorization, RefreshToken, AuthorizationCode, AccessToken, FaultSwitch, UsageBucket]
)
def test_the_admin_lists_every_model_without_hashes(admin_client, model):
    seller = SandboxSeller.objects.get(email="na-seller@example.com")
    application = registered_application()
    uri, application_id = application.default_redirect_uri, application.application_id
    code = authorization_code_issue(seller=seller, application_id=application_id, redirect_uri=uri)
    authorization_code_exchange(code=code, redirect_uri=uri, application_id=application_id)
    usage_take(seller=seller, application_id=application_id, operation="getMarketplaceParticipations")
    faults_arm(target="lwa", mode="503")
    info = (model._meta.app_label, model._meta.model_name)
    secrets = [seller.password, *AuthorizationCode.objects.values_list("code_hash", flat=True)]
    secrets += [*RefreshToken.objects.values_list("token_hash", flat=True)]
    secrets += [*AccessToken.objects.values_list("token_hash", flat=True)]

    changelist = admin_client.get(reverse("admin:{}_{}_changelist".format(*info)))
    change = admin_client.get(reverse("admin:{}_{}_change".format(*info), args=[model.objects.first().pk]))

    assert changelist.status_code == change.status_code == 200
    for value in secrets:
        assert value not in changelist.text
        assert value not in change.text


def test_the_admin_sets_a_new_sellers_password_as_a_hash(admin_client):
    data = {
        "selling_partner_id": "A3FESELLER0004",
        "store_name": "Sakura Goods",
        "email": "fe-seller@example.com",
        "phone": "+81312345678",
        "region": "FE",
        "marketplaces": '["JP"]',
    }

    refused = admin_client.post(reverse("admin:amazon_sandbox_sandboxseller_add"), data)
    wrong_region = admin_client.post(
        reverse("admin:amazon_sandbox_sandboxseller_add"), {**data, "marketplaces": '["US"]', "new_password": "x-1"}
    )
    added = admin_client.post(reverse("admin:amazon_sandbox_sandboxseller_add"), {**data, "new_password": "tokyo-1"})

    assert refused.status_code == 200
    assert "marketplaces in the seller" in wrong_region.text
    assert added.status_code == 302
    assert check_password("tokyo-1", SandboxSeller.objects.get(email="fe-seller@example.com").password)
